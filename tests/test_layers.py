"""Layers one by one: forward values, input gradients, dtypes, and the order a model visits
them. Values are written out by hand, so a wrong slope or threshold cannot hide behind a
gradient check (which only compares backward with forward)."""

import numpy as np
import pytest

import tinynet as tn

X = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
dY = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])


@pytest.mark.parametrize("layer, Y, dX", [
    (tn.ReLU(), [0.0, 0.0, 0.0, 0.5, 3.0], [0.0, 0.0, 0.0, 4.0, 5.0]),
    (tn.LeakyReLU(alpha=0.1), [-0.2, -0.05, 0.0, 0.5, 3.0], [0.1, 0.2, 0.3, 4.0, 5.0]),
    (tn.LeakyReLU(), [-0.02, -0.005, 0.0, 0.5, 3.0], [0.01, 0.02, 0.03, 4.0, 5.0]),
    (tn.Tanh(), np.tanh(X[0]), dY[0] * (1 - np.tanh(X[0]) ** 2)),
    (tn.Sigmoid(), 1 / (1 + np.exp(-X[0])),
     dY[0] * np.exp(-X[0]) / (1 + np.exp(-X[0])) ** 2),
    (tn.Identity(), X[0], dY[0]),
], ids=["relu", "leaky_relu-0.1", "leaky_relu-default", "tanh", "sigmoid", "identity"])
def test_activation_forward_and_backward_values(layer, Y, dX):
    # At X = 0 ReLU and LeakyReLU take the derivative of the negative side (X > 0 is "on").
    np.testing.assert_allclose(layer.forward(X), [Y], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.backward(dY), [dX], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("make", [tn.ReLU, tn.LeakyReLU, tn.Tanh, tn.Sigmoid, tn.Identity])
def test_activations_keep_float32(make):
    layer = make()
    Y = layer.forward(X.astype(np.float32))
    assert Y.dtype == np.float32
    assert layer.backward(dY.astype(np.float32)).dtype == np.float32


def test_activation_backward_checks_the_gradient_shape_and_names_the_type():
    layer = tn.Tanh()
    layer.forward(X)
    with pytest.raises(ValueError, match=r"shaped like the forward output \(1, 5\), got list"):
        layer.backward([1.0, 2.0])
    with pytest.raises(ValueError, match=r"got \(5,\)"):
        layer.backward(dY[0])


def test_layers_accept_lists_and_name_themselves_in_errors():
    assert tn.ReLU().forward([[1.0, -1.0]]).tolist() == [[1.0, 0.0]]
    with pytest.raises(TypeError, match=r"LeakyReLU\(alpha=0.01\) input"):
        tn.LeakyReLU().forward([["a"]])
    assert repr(tn.Dense(2, 3, init="xavier")) == "Dense(n_in=2, n_out=3, init='xavier')"


def test_dense_input_gradient_and_optional_skip(rng):
    layer = tn.Dense(3, 2, rng=rng)
    X3 = rng.standard_normal((4, 3))
    layer.forward(X3)
    dZ = rng.standard_normal((4, 2))
    np.testing.assert_array_equal(layer.backward(dZ), dZ @ layer.W.T)
    assert layer.backward(dZ, input_grad=False) is None
    np.testing.assert_array_equal(layer.dW, X3.T @ dZ)  # still set without dX
    np.testing.assert_array_equal(layer.db, dZ.sum(axis=0))


def test_dense_dtype_wins_over_the_input_dtype(rng):
    layer = tn.Dense(3, 2, rng=rng, dtype=np.float32)
    assert layer.W.dtype == layer.b.dtype == np.float32
    Z = layer.forward(rng.standard_normal((4, 3)))  # float64 in, float32 out
    assert Z.dtype == np.float32
    layer.backward(np.ones((4, 2), dtype=np.float32))
    assert layer.dW.dtype == layer.db.dtype == np.float32
    wide = tn.Dense(3, 2, rng=rng)
    assert wide.forward(np.ones((1, 3), dtype=np.float32)).dtype == np.float64


def test_dense_backward_errors_name_the_expected_shape(rng):
    layer = tn.Dense(3, 2, rng=rng)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"shape \(4, 2\), got \(4, 3\)"):
        layer.backward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"shape \(4, 2\), got float"):
        layer.backward(1.0)


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"n_in": 0, "n_out": 2}, ValueError, "n_in must be >= 1"),
    ({"n_in": 2, "n_out": 0}, ValueError, "n_out must be >= 1"),
    ({"n_in": 2, "n_out": 2.5}, TypeError, "n_out must be an integer"),
    ({"n_in": 2, "n_out": 2, "rng": 0}, TypeError, "rng must be a numpy.random.Generator, got int"),
    ({"n_in": 2, "n_out": 2, "init": "zeros"}, ValueError, "init"),
])
def test_dense_constructor_errors(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        tn.Dense(**kwargs)


def test_dense_without_rng_draws_fresh_weights():
    a, b = tn.Dense(5, 5), tn.Dense(5, 5)
    assert not np.array_equal(a.W, b.W) and np.all(a.b == 0)


def test_layers_before_the_first_dense_are_visited_in_reverse_order(rng):
    # Two different activations below the first Dense: backward must undo them in reverse.
    model = tn.Sequential([tn.Tanh(), tn.LeakyReLU(0.2), tn.Dense(3, 2, rng=rng)])
    X3 = rng.standard_normal((5, 3))
    out = model.forward(X3)
    dout = rng.standard_normal(out.shape)
    dX = model.backward(dout)
    layer = model.dense_layers[0]
    t = np.tanh(X3)
    expected = (dout @ layer.W.T) * np.where(t > 0, 1.0, 0.2) * (1 - t**2)
    np.testing.assert_allclose(dX, expected, rtol=1e-12)
    assert model.backward(dout, input_grad=False) is None
    errors = tn.gradcheck(model, tn.SoftmaxCrossEntropy(), X3, [0, 1, 0, 1, 1])
    assert errors < 1e-6
