"""Every bad input is a clear ValueError/TypeError raised before any weight changes."""

import numpy as np
import pytest

import tinynet as tn


@pytest.fixture
def setup(rng):
    model = tn.mlp([4, 5, 3], seed=0)
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), tn.optimizers.RMSProp(lr=0.01),
                         batch_size=4, progress=False)
    X, y = rng.standard_normal((12, 4)), rng.integers(0, 3, 12)
    trainer.fit(X, y, epochs=1)  # optimizer state exists, so "unchanged" means something
    return trainer, X, y


def snapshot(trainer):
    opt = trainer.optimizer
    return ([a.copy() for a in trainer.model.arrays().values()],
            [a.copy() for a in [*opt.s_dW.values(), *opt.s_db.values()]], opt.t, trainer.epoch)


def assert_unchanged(trainer, before):
    after = snapshot(trainer)
    assert all(np.array_equal(a, b) for a, b in zip(before[0], after[0]))
    assert all(np.array_equal(a, b) for a, b in zip(before[1], after[1]))
    assert before[2:] == after[2:]


def nan_at(X, i, j, value=np.nan):
    X = X.copy()
    X[i, j] = value
    return X


CASES = [
    ("wrong feature count", lambda X, y: (X[:, :2], y), ValueError, "expected 4 features, got 2"),
    ("1-D X", lambda X, y: (X[:, 0], y), ValueError, "must be 2-D"),
    ("label out of range", lambda X, y: (X, np.where(y == 0, 3, y)), ValueError,
     r"labels must lie in \[0, 2\]"),
    ("negative label", lambda X, y: (X, y - 1), ValueError, "labels from -1"),
    ("float labels", lambda X, y: (X, y + 0.5), ValueError, "integer class labels"),
    ("length mismatch", lambda X, y: (X, y[:-1]), ValueError,
     "different lengths: 12 samples and 11 targets"),
    ("NaN in X", lambda X, y: (nan_at(X, 2, 1), y), ValueError, r"NaN or infinite.*\(2, 1\)"),
    ("inf in X", lambda X, y: (nan_at(X, 0, 3, np.inf), y), ValueError, "NaN or infinite"),
    ("string X", lambda X, y: (X.astype(str), y), TypeError, "X must be numeric"),
    ("empty X", lambda X, y: (X[:0], y[:0]), ValueError, "empty"),
    ("None y", lambda X, y: (X, None), TypeError, "y must be an array"),
    ("2-D labels", lambda X, y: (X, np.stack([y, y], 1)), ValueError, "1-D class labels"),
]


@pytest.mark.parametrize("name, corrupt, error, fragment", CASES, ids=[c[0] for c in CASES])
def test_fit_rejects_bad_data_without_changing_anything(setup, name, corrupt, error, fragment):
    trainer, X, y = setup
    before = snapshot(trainer)
    with pytest.raises(error, match=fragment):
        trainer.fit(*corrupt(X, y), epochs=1)
    assert_unchanged(trainer, before)
    with pytest.raises(error, match=fragment):
        trainer.evaluate(*corrupt(X, y))


def test_bad_validation_data_is_rejected_before_training(setup):
    trainer, X, y = setup
    before = snapshot(trainer)
    with pytest.raises(ValueError, match="X_val: expected 4 features, got 3"):
        trainer.fit(X, y, epochs=1, validation_data=(X[:, :3], y))
    assert_unchanged(trainer, before)


def test_model_forward_and_predict_check_input(setup):
    trainer, X, _ = setup
    with pytest.raises(ValueError, match="expected 4 features, got 10"):
        trainer.model.predict(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="NaN"):
        trainer.model.predict(nan_at(X, 0, 0))
    with pytest.raises(ValueError, match=r"expects input of shape \(batch, 4\), got \(2, 10\)"):
        trainer.model.forward(np.zeros((2, 10)))  # forward is the arithmetic: shapes checked
    assert np.isnan(trainer.model.forward(nan_at(X, 0, 0))[0]).all()  # NaN propagates


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
    ({"batch_size": 2.5}, TypeError, "batch_size must be an integer"),
    ({"optimizer": "adamm"}, ValueError, "unknown optimizer 'adamm'"),
    ({"loss": "hinge"}, ValueError, "unknown loss 'hinge'"),
    ({"model": "mlp"}, TypeError, "model must be a tinynet Sequential"),
    ({"seed": -1}, ValueError, "seed must be >= 0"),
])
def test_trainer_arguments(kwargs, error, fragment):
    args = {"model": tn.mlp([2, 2]), "loss": tn.SoftmaxCrossEntropy(), "optimizer": "sgd",
            **kwargs}
    with pytest.raises(error, match=fragment):
        tn.Trainer(**args)


def test_epochs_must_be_positive_integer(setup):
    trainer, X, y = setup
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        trainer.fit(X, y, epochs=0)
    with pytest.raises(TypeError, match="epochs must be an integer"):
        trainer.fit(X, y, epochs="3")


@pytest.mark.parametrize("make, error, fragment", [
    (lambda: tn.Dense(0, 3), ValueError, "n_in must be >= 1"),
    (lambda: tn.Dense(2, 3, init="zeros"), ValueError, "init must be one of"),
    (lambda: tn.Dense(2, 3, dtype=np.int32), TypeError, "dtype must be float32 or float64"),
    (lambda: tn.Dense(2, 3, rng=0), TypeError, "rng must be a numpy.random.Generator"),
    (lambda: tn.mlp([4]), ValueError, "at least an input and an output"),
    (lambda: tn.mlp([4, 3], activation="softplus"), ValueError, "activation must be one of"),
    (lambda: tn.Sequential([tn.Dense(2, 3), tn.Dense(4, 2)]), ValueError,
     "layer 1 has 3 outputs but layer 2 expects 4"),
    (lambda: tn.Sequential([tn.ReLU()]), ValueError, "at least one Dense"),
    (lambda: tn.Sequential([tn.Dense(2, 2), "relu"]), TypeError, "layers\\[1\\] is a str"),
    (lambda: tn.LeakyReLU(alpha=-1), ValueError, "alpha must be >= 0"),
    (lambda: tn.datasets.load("mnist"), ValueError, "unknown dataset 'mnist'; available: "),
    (lambda: tn.datasets.load("digits", test_size=1.5), ValueError, "test_size must be < 1"),
    (lambda: tn.SoftmaxCrossEntropy().forward(np.zeros((2, 1)), [0, 0]), ValueError,
     "at least 2 outputs"),
    (lambda: tn.BinaryCrossEntropy().forward(np.zeros((2, 1)), [0, 2]), ValueError,
     r"\[0, 1\]"),
    (lambda: tn.MSE().forward(np.zeros((2, 2)), np.zeros((2, 3))), ValueError,
     r"shape \(n_samples, 2\)"),
])
def test_constructor_and_boundary_errors(make, error, fragment):
    with pytest.raises(error, match=fragment):
        make()


def test_optimizer_state_from_another_architecture_changes_nothing(setup):
    trainer, X, y = setup
    other = tn.mlp([4, 7, 3])
    loss = tn.SoftmaxCrossEntropy()
    loss.forward(other.forward(X), y)
    other.backward(loss.backward())
    before = [a.copy() for a in other.arrays().values()]
    with pytest.raises(ValueError, match=r"s_dW/1: expected shape \(4, 7\).*found \(4, 5\)"):
        trainer.optimizer.step(other)
    assert all(np.array_equal(a, b) for a, b in zip(before, other.arrays().values()))
