"""Trainer: mini-batches, fitting real data, evaluation."""

import numpy as np
import pytest

import tinynet as tn


def make_trainer(n_in=3, n_out=2, batch_size=4, seed=0, **kw):
    model = tn.mlp([n_in, 5, n_out], seed=0)
    return tn.Trainer(model, tn.SoftmaxCrossEntropy(), tn.optimizers.SGD(lr=0.1),
                      batch_size=batch_size, seed=seed, progress=False, **kw)


def epoch_indices(trainer, n):
    X = np.arange(n, dtype=float).reshape(-1, 1) * np.ones((1, 3))
    y = np.arange(n)
    batches = list(trainer.batches(X, y))
    for Xb, yb in batches:
        assert np.array_equal(Xb[:, 0], yb)  # rows and labels stay paired
    return [yb for _, yb in batches]


def test_each_sample_exactly_once_per_epoch_and_last_partial_batch():
    t = make_trainer(batch_size=4)
    batches = epoch_indices(t, 10)
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(range(10))


def test_drop_last():
    t = make_trainer(batch_size=4, drop_last=True)
    batches = epoch_indices(t, 10)
    assert [len(b) for b in batches] == [4, 4]
    assert len(set(np.concatenate(batches))) == 8


def test_fresh_order_each_epoch_and_same_order_for_same_seed():
    a, b, c = make_trainer(seed=7), make_trainer(seed=7), make_trainer(seed=8)
    first, second = np.concatenate(epoch_indices(a, 50)), np.concatenate(epoch_indices(a, 50))
    assert not np.array_equal(first, second)
    assert np.array_equal(first, np.concatenate(epoch_indices(b, 50)))
    assert not np.array_equal(first, np.concatenate(epoch_indices(c, 50)))


@pytest.mark.slow
def test_digits_reaches_95_percent_with_rmsprop(digits):
    X_train, X_test, y_train, y_test = digits
    model = tn.mlp([64, 128, 64, 10], seed=0)
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), tn.optimizers.RMSProp(lr=0.001),
                         batch_size=32, seed=0, progress=False)
    history = trainer.fit(X_train, y_train, epochs=30, validation_data=(X_test, y_test))
    assert len(history) == 30 and trainer.epoch == 30
    assert set(history.keys()) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert history["loss"][-1] < history["loss"][0] / 10
    scores = trainer.evaluate(X_test, y_test)
    assert scores["accuracy"] >= 0.95
    assert scores["accuracy"] == history["val_accuracy"][-1]
    assert np.mean(trainer.predict(X_test) == y_test) == scores["accuracy"]


def test_moons_reaches_95_percent(moons):
    X_train, X_test, y_train, y_test = moons
    model = tn.mlp([2, 32, 32, 2], seed=0)
    trainer = tn.Trainer(model, "softmax_cross_entropy", tn.optimizers.RMSProp(lr=0.01),
                         batch_size=32, seed=0, progress=False)
    trainer.fit(X_train, y_train, epochs=40)
    assert trainer.evaluate(X_test, y_test)["accuracy"] >= 0.95


def test_fit_continues_epoch_count_and_history(moons):
    X_train, _, y_train, _ = moons
    t = make_trainer(n_in=2)
    t.fit(X_train, y_train, epochs=2)
    t.fit(X_train, y_train, epochs=3)
    assert t.epoch == 5 and len(t.history["loss"]) == 5


def test_progress_bar_runs(moons, capsys):
    X_train, _, y_train, _ = moons
    t = make_trainer(n_in=2, batch_size=64)
    t.progress = True
    t.fit(X_train[:200], y_train[:200], epochs=1)
    err = capsys.readouterr().err
    assert "epoch 1/1" in err and "4/4" in err and "loss" in err


def test_optimizer_by_name_and_regression_history(rng):
    X = rng.standard_normal((64, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1
    model = tn.mlp([3, 16, 1], seed=0, head="identity")
    t = tn.Trainer(model, tn.MSE(), "adam", batch_size=16, progress=False)
    assert isinstance(t.optimizer, tn.optimizers.Adam) and t.optimizer.lr == 0.001
    h = t.fit(X, y, epochs=200)
    assert set(h.keys()) == {"loss", "r2", "lr"}
    assert h["r2"][-1] > 0.95 and h["loss"][-1] < h["loss"][0] / 10
