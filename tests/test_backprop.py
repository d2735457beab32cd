"""Backprop against finite differences, and the shapes and dtypes it promises."""

import numpy as np
import pytest

import tinynet as tn

ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "identity"]


def batch_for(loss, rng, n=6, n_in=4):
    X = rng.standard_normal((n, n_in))
    if isinstance(loss, tn.SoftmaxCrossEntropy):
        return X, rng.integers(0, 3, n), 3
    if isinstance(loss, tn.BinaryCrossEntropy):
        return X, rng.integers(0, 2, n), 1
    return X, rng.standard_normal((n, 2)), 2


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss_cls", [tn.SoftmaxCrossEntropy, tn.BinaryCrossEntropy, tn.MSE])
def test_gradcheck_every_activation_and_loss(activation, loss_cls, rng):
    loss = loss_cls()
    X, y, n_out = batch_for(loss, rng)
    model = tn.mlp([4, 5, 3, n_out], activation=activation, seed=2,
                   head="identity" if loss_cls is tn.MSE else None)
    errors = tn.gradcheck(model, loss, X, y, per_parameter=True)
    assert sorted(errors) == ["W/1", "W/2", "W/3", "X", "b/1", "b/2", "b/3"]
    assert max(errors.values()) < 1e-6, errors
    assert tn.gradcheck(model, loss, X, y) == max(errors.values())


def test_gradcheck_detects_a_wrong_backward(rng):
    class BrokenTanh(tn.Tanh):
        def backward(self, dY):
            return dY * (1.0 - self._Y)  # forgot the square

    model = tn.Sequential([tn.Dense(3, 4, rng=rng), BrokenTanh(), tn.Dense(4, 2, rng=rng)])
    X, y = rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    assert tn.gradcheck(model, tn.SoftmaxCrossEntropy(), X, y) > 1e-2


def test_dense_shapes_and_batch_mean_gradient(rng):
    layer = tn.Dense(3, 2, rng=rng)
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,) and layer.dW is None
    X = rng.standard_normal((4, 3))
    Z = layer.forward(X)
    np.testing.assert_allclose(Z, X @ layer.W + layer.b)
    dZ = rng.standard_normal((4, 2))
    dX = layer.backward(dZ)
    np.testing.assert_allclose(layer.dW, X.T @ dZ)
    np.testing.assert_allclose(layer.db, dZ.sum(axis=0))
    np.testing.assert_allclose(dX, dZ @ layer.W.T)


def test_softmax_cross_entropy_gradient_is_divided_by_batch(rng):
    Z = rng.standard_normal((8, 3))
    y = rng.integers(0, 3, 8)
    loss = tn.SoftmaxCrossEntropy()
    value = loss.forward(Z, y)
    p = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    assert value == pytest.approx(-np.mean(np.log(p[np.arange(8), y])), rel=1e-12)
    expected = p.copy()
    expected[np.arange(8), y] -= 1
    np.testing.assert_allclose(loss.backward(), expected / 8, rtol=1e-12)


@pytest.mark.parametrize("init, std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / 600)),
                                       ("normal", 0.01)])
def test_inits_have_documented_scale(init, std):
    layer = tn.Dense(400, 200, init=init, rng=np.random.default_rng(0))
    assert layer.W.std() == pytest.approx(std, rel=0.02)
    assert np.all(layer.b == 0)


def test_float32_stays_float32_end_to_end(rng):
    model = tn.mlp([4, 8, 3], seed=0, dtype=np.float32)
    loss = tn.SoftmaxCrossEntropy()
    X = rng.standard_normal((10, 4))  # float64 input is converted down, not the model up
    out = model.forward(X)
    assert out.dtype == np.float32
    loss.forward(out, rng.integers(0, 3, 10))
    dX = model.backward(loss.backward())
    assert dX.dtype == np.float32
    opt = tn.optimizers.RMSProp(lr=0.01)
    opt.step(model)
    for d in model.dense_layers:
        assert {d.W.dtype, d.b.dtype, d.dW.dtype, d.db.dtype} == {np.dtype(np.float32)}
    assert {a.dtype for a in [*opt.s_dW.values(), *opt.s_db.values()]} == {np.dtype(np.float32)}
    for loss_cls, n_out, y in ((tn.BinaryCrossEntropy, 1, rng.integers(0, 2, 10)),
                               (tn.MSE, 2, rng.standard_normal((10, 2)).astype(np.float32))):
        m = tn.mlp([4, 3, n_out], dtype=np.float32)
        lo = loss_cls()
        lo.forward(m.forward(X), y)
        assert m.backward(lo.backward()).dtype == np.float32


def test_losses_are_stable_for_huge_logits():
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    loss = tn.SoftmaxCrossEntropy()
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = loss.forward(Z, np.array([1, 0]))
        assert np.isfinite(value) and value == pytest.approx(2e4 / 2 + 2e4 / 2 + np.log(2) / 2)
        assert np.all(np.isfinite(loss.backward()))
        bce = tn.BinaryCrossEntropy()
        assert bce.forward(np.array([[1e4], [-1e4]]), np.array([0, 1])) == pytest.approx(1e4)
        assert np.all(np.isfinite(bce.backward()))
