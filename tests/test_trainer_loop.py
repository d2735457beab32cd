"""The epoch loop in detail: the History's numbers, the progress bar, chunked evaluation,
when the teaching checks run, and what a resumed Trainer keeps."""

import os
import signal
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet import trainer as trainer_mod
from tinynet.teaching import DeadReLUWarning, EpsDominatesWarning


def data(n=50, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    return X, (X[:, 0] > 0).astype(int)


def make(batch_size=8, **kw):
    kw.setdefault("progress", False)
    return tn.Trainer(tn.mlp([3, 6, 2], seed=0), tn.SoftmaxCrossEntropy(),
                      tn.optimizers.RMSProp(lr=0.01), batch_size=batch_size, seed=0, **kw)


class BatchLog(tn.Callback):
    def __init__(self):
        self.losses, self.seen = [], []

    def on_train_begin(self, trainer):
        self.seen.append(trainer)

    def on_batch_end(self, trainer, step, logs):
        self.losses.append(logs["loss"])


def test_epoch_loss_is_the_sample_weighted_mean_of_the_batch_losses():
    X, y = data(50)
    t, log = make(batch_size=8), BatchLog()
    history = t.fit(X, y, epochs=2, callbacks=[log])
    sizes = [8] * 6 + [2]  # 50 samples: six full batches and one of 2
    per_epoch = np.array(log.losses).reshape(2, 7)
    for epoch in range(2):
        expected = np.dot(per_epoch[epoch], sizes) / 50
        assert history["loss"][epoch] == pytest.approx(expected, rel=1e-14)
    assert log.seen == [t]


def test_epoch_accuracy_is_measured_on_the_outputs_seen_during_the_epoch():
    X, y = data(40)
    t, log = make(batch_size=40), BatchLog()  # one batch: the outputs are those of step 1
    before = t.model.forward(X)
    history = t.fit(X, y, epochs=1, callbacks=[log])
    assert history["accuracy"][0] == np.mean(before.argmax(axis=1) == y)
    expected = tn.SoftmaxCrossEntropy().forward(before, y)
    assert history["loss"][0] == pytest.approx(expected, rel=1e-14)


def test_fit_defaults_to_one_epoch_and_the_trainer_to_its_documented_settings():
    t = tn.Trainer(tn.mlp([3, 6, 2]), tn.SoftmaxCrossEntropy(), "sgd")
    assert (t.batch_size, t.seed, t.progress, t.drop_last) == (32, 0, True, False)
    assert t.stop_training is False and t.checkpoint_extra == {} and t.epoch == 0
    t.progress = False
    t.fit(*data(10))
    assert t.epoch == 1 and len(t.history["loss"]) == 1


def test_trainer_step_skips_the_input_gradient():
    t = make()
    first = t.model.dense_layers[0]
    calls = []
    original = first.backward
    first.backward = lambda dZ, input_grad=True: calls.append(input_grad) or original(dZ,
                                                                                    input_grad)
    t.fit(*data(16), epochs=1)
    assert calls == [False, False]


def test_evaluation_in_chunks_equals_one_pass(monkeypatch):
    X, y = data(23)
    t = make()
    whole = t.evaluate(X, y)
    predictions = t.predict(X)
    monkeypatch.setattr(trainer_mod, "EVAL_CHUNK", 5)
    assert t.evaluate(X, y) == pytest.approx(whole, rel=1e-14)
    np.testing.assert_array_equal(t.predict(X), predictions)
    np.testing.assert_array_equal(t.predict(X), t.model.predict(X))


def test_validation_data_must_be_a_pair_and_is_named():
    X, y = data(10)
    t = make()
    for bad in ((X,), [X, y, y], X):
        with pytest.raises(ValueError, match="validation_data must be a tuple"):
            t.fit(X, y, validation_data=bad)
    with pytest.raises(ValueError, match="X_val and y_val have different lengths"):
        t.fit(X, y, validation_data=(X, y[:5]))
    with pytest.raises(ValueError, match="y_val holds labels from 0 to 5"):
        t.fit(X, y, validation_data=(X, np.arange(10) % 6))
    with pytest.raises(ValueError, match="^X and y have different lengths"):
        t.fit(X, y[:5])
    assert t.epoch == 0


def test_float_targets_take_the_model_dtype():
    model = tn.mlp([3, 4, 1], dtype=np.float32, head="identity")
    t = tn.Trainer(model, tn.MSE(), "sgd", progress=False)
    X, y = t.check_data(np.ones((4, 3)), np.arange(4.0))
    assert X.dtype == y.dtype == np.float32
    _, labels = make().check_data(np.ones((2, 3)), [0, 1])
    assert labels.dtype == np.intp


# ----- the progress bar -----------------------------------------------------------------


class Bar:
    """Stands in for tqdm and records what the Trainer asks of it."""

    made: list = []

    def __init__(self, **kwargs):
        self.kwargs, self.postfixes, self.updates, self.closed = kwargs, [], 0, False
        Bar.made.append(self)

    def update(self, n):
        self.updates += n

    def set_postfix_str(self, text, refresh=True):
        assert refresh is False  # formatting is deferred to tqdm's own refresh
        self.postfixes.append(text)

    def close(self):
        self.closed = True


@pytest.fixture
def bars(monkeypatch):
    import tqdm

    from tinynet.progress import ProgressBar

    Bar.made = []
    monkeypatch.setattr(tqdm, "tqdm", Bar)  # the terminal display's plain bar
    monkeypatch.setattr(ProgressBar, "delay", 0)  # a live bar from each epoch's start
    return Bar.made


def test_progress_bar_shows_the_running_loss_and_ends_with_the_epoch_metrics(bars):
    X, y = data(200)
    t, log = make(batch_size=8, progress=True), BatchLog()
    history = t.fit(X, y, epochs=2, callbacks=[log], validation_data=(X[:20], y[:20]))
    assert len(bars) == 2 and all(b.closed for b in bars)
    assert bars[1].kwargs == {"total": 25, "desc": "epoch 2/2", "unit": "batch", "leave": True}
    assert bars[0].updates == 25
    first = log.losses[:25]  # every 10th batch shows the mean loss so far
    assert bars[0].postfixes[:2] == [f"loss {np.mean(first[:10]):.4g}",
                                     f"loss {np.mean(first[:20]):.4g}"]
    h = history
    assert bars[0].postfixes[2] == (f"loss {h['loss'][0]:.4g}  accuracy {h['accuracy'][0]:.4g}  "
                                    f"val_loss {h['val_loss'][0]:.4g}  "
                                    f"val_accuracy {h['val_accuracy'][0]:.4g}")
    t10 = make(progress=True)
    t10.fit(*data(10), epochs=10)
    assert bars[2].kwargs["desc"] == "epoch  1/10"


def test_progress_bar_is_closed_when_a_callback_raises(bars):
    class Boom(tn.Callback):
        def on_batch_end(self, trainer, step, logs):
            raise RuntimeError("boom")

    t = make(progress=True)
    with pytest.raises(RuntimeError, match="boom"):
        t.fit(*data(20), callbacks=[Boom()])
    assert len(bars) == 1 and bars[0].closed


def test_progress_bar_is_closed_on_ctrl_c_and_the_partial_epoch_not_counted(bars):
    class CtrlC(tn.Callback):
        def on_batch_end(self, trainer, step, logs):
            if step == 2:
                os.kill(os.getpid(), signal.SIGINT)

    t = make(progress=True)
    history = t.fit(*data(40), epochs=3, callbacks=[CtrlC()])
    assert history.interrupted and t.epoch == 0 and t.optimizer.t == 2
    assert len(bars) == 1 and bars[0].closed
    assert bars[0].updates == 2  # the bar shows the steps that ran


def test_progress_bar_is_closed_on_divergence(bars):
    X, _ = data(40)
    model = tn.mlp([3, 1], seed=0, head="identity")
    t = tn.Trainer(model, tn.MSE(), tn.optimizers.SGD(lr=1e3), batch_size=4,
                   teaching_warnings=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # overflow is the guard's to report
        with pytest.raises(tn.DivergenceError):
            t.fit(X, X.sum(axis=1), epochs=50)
    assert bars and all(b.closed for b in bars)


# ----- when the teaching checks run ------------------------------------------------------


def fit_warnings(trainer, X, y, epochs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer.fit(X, y, epochs=epochs)
    return [w.category for w in caught]


@pytest.fixture(scope="module")
def digits_small():
    X_train, _, y_train, _ = tn.datasets.load("digits", seed=0)
    return X_train[:320], y_train[:320]


def test_eps_check_runs_once_after_the_first_epoch_of_each_fit(digits_small):
    t = tn.Trainer(tn.mlp([64, 64, 10]), tn.SoftmaxCrossEntropy(),
                   tn.optimizers.RMSProp(eps=0.1), progress=False)
    once = fit_warnings(t, *digits_small, epochs=1).count(EpsDominatesWarning)
    assert once > 0  # one warning per layer at most, after the fit's first epoch
    assert fit_warnings(t, *digits_small, epochs=3).count(EpsDominatesWarning) == once


def test_dead_relu_check_runs_on_the_first_batch_and_only_when_asked(digits_small):
    X, y = digits_small

    def dead(**kw):
        model = tn.mlp([64, 64, 10])
        model.dense_layers[0].b[:] = -50.0
        return tn.Trainer(model, tn.SoftmaxCrossEntropy(), "sgd", batch_size=320,
                          progress=False, **kw)

    assert DeadReLUWarning in fit_warnings(dead(), X, y, epochs=1)  # one batch per epoch
    assert fit_warnings(dead(teaching_warnings=False), X, y, epochs=1) == []


# ----- checkpoints ------------------------------------------------------------------------


def test_load_checkpoint_keeps_the_settings_and_can_switch_the_bar(tmp_path):
    t = make(batch_size=5, progress=True, drop_last=True)
    t.progress = False
    t.fit(*data(12), epochs=1)
    t.progress = True
    t.save_checkpoint(tmp_path / "run.npz")
    back = tn.Trainer.load_checkpoint(tmp_path / "run.npz")
    assert (back.batch_size, back.seed, back.progress, back.drop_last) == (5, 0, True, True)
    assert tn.Trainer.load_checkpoint(tmp_path / "run.npz", progress=False).progress is False
    t.progress = False
    t.save_checkpoint(tmp_path / "run.npz")
    assert tn.Trainer.load_checkpoint(tmp_path / "run.npz", progress=True).progress is True


def test_a_short_epoch_writes_just_its_final_line(capsys):
    # No tqdm bar is built for an epoch shorter than ProgressBar.delay: tqdm's final line only.
    t = make(progress=True)
    history = t.fit(*data(40), epochs=2)
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in err] == ["epoch 1/2", "epoch 2/2"]
    assert "100%" in err[0] and "5/5" in err[0]  # 40 samples, batch 8
    assert f"loss {history['loss'][1]:.4g}  accuracy {history['accuracy'][1]:.4g}" in err[1]
