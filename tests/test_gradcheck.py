"""gradcheck itself: its number is the documented relative error, it leaves the model alone,
and it works for float32 models and for gradients that are exactly zero."""

import numpy as np
import pytest

import tinynet as tn


def finite_differences(model, loss, X, y, eps=1e-6):
    """Central differences for every parameter, computed here independently."""
    grads = {}
    for key, param in model.arrays().items():
        numeric = np.zeros(param.shape)
        for i in np.ndindex(param.shape):
            saved = param[i]
            param[i] = saved + eps
            up = loss.forward(model.forward(X), y)
            param[i] = saved - eps
            down = loss.forward(model.forward(X), y)
            param[i] = saved
            numeric[i] = (up - down) / (2 * eps)
        grads[key] = numeric
    return grads


def broken_model(rng):
    class HalfTanh(tn.Tanh):  # a wrong derivative: half the true one
        def backward(self, dY):
            return 0.5 * super().backward(dY)

    return tn.Sequential([tn.Dense(3, 4, rng=rng), HalfTanh(), tn.Dense(4, 2, rng=rng)])


def test_error_is_the_documented_relative_error(rng):
    model, loss = broken_model(rng), tn.SoftmaxCrossEntropy()
    X, y = rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    errors = tn.gradcheck(model, loss, X, y, per_parameter=True)
    numeric = finite_differences(model, loss, X, y)
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    for l, d in enumerate(model.dense_layers, start=1):
        for p, g in (("W", d.dW), ("b", d.db)):
            fd = numeric[f"{p}/{l}"]
            expected = np.linalg.norm(g - fd) / (np.linalg.norm(g) + np.linalg.norm(fd))
            assert errors[f"{p}/{l}"] == pytest.approx(expected, rel=1e-4, abs=1e-9)
    assert errors["W/1"] > 0.1 and errors["W/2"] < 1e-6  # the bug sits below layer 2
    # atol floors the denominator: with a floor far above the norms, error = ||diff|| / atol.
    floored = tn.gradcheck(model, loss, X, y, per_parameter=True, atol=1e3)
    d = model.dense_layers[0]
    assert floored["W/1"] == pytest.approx(np.linalg.norm(d.dW - numeric["W/1"]) / 1e3, rel=1e-4)


def test_model_is_left_exactly_as_it_was(rng):
    model, loss = tn.mlp([3, 4, 2], seed=0), tn.SoftmaxCrossEntropy()
    X, y = rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    objects = [(d.W, d.b, d.dW, d.db) for d in model.dense_layers]
    values = [tuple(a.copy() for a in arrays) for arrays in objects]
    assert tn.gradcheck(model, loss, X + 1.0, y) < 1e-6
    for d, arrays, copies in zip(model.dense_layers, objects, values):
        assert all(a is b for a, b in zip((d.W, d.b, d.dW, d.db), arrays))
        assert all(np.array_equal(a, b) for a, b in zip(arrays, copies))
        assert d.dtype == np.float64


def test_float32_model_is_checked_in_float64(rng):
    model = tn.mlp([3, 4, 2], seed=0, dtype=np.float32)
    X, y = rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    assert tn.gradcheck(model, tn.SoftmaxCrossEntropy(), X, y) < 1e-6
    assert model.dense_layers[0].W.dtype == np.float32 and model.dtype == np.float32


def test_all_zero_gradients_report_zero_error():
    # Dead ReLUs and an output equal to its target: backprop and finite differences are
    # both exactly zero, which is agreement (0.0), not 0/0.
    model = tn.mlp([2, 2, 1], seed=0, head="identity")
    model.dense_layers[0].b[...] = -100.0
    model.dense_layers[1].b[...] = 0.5
    X, y = np.array([[0.1, 0.2], [0.3, -0.1]]), np.array([[0.5], [0.5]])
    # eps = 2^-20 keeps b ± eps exact, so the difference quotient is exactly 0 too.
    errors = tn.gradcheck(model, tn.MSE(), X, y, eps=2.0**-20, per_parameter=True)
    assert errors == {"W/1": 0.0, "b/1": 0.0, "W/2": 0.0, "b/2": 0.0, "X": 0.0}


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"atol": -1.0}, ValueError, "atol must be >= 0"),
    ({"eps": 0.0}, ValueError, "eps must be > 0"),
    ({"atol": "big"}, TypeError, "atol must be a number"),
])
def test_bad_arguments(kwargs, error, fragment):
    model = tn.mlp([2, 2], seed=0)
    with pytest.raises(error, match=fragment):
        tn.gradcheck(model, tn.SoftmaxCrossEntropy(), np.ones((1, 2)), [0], **kwargs)
    with pytest.raises(TypeError, match="model must be a tinynet Sequential, got dict"):
        tn.gradcheck({}, tn.SoftmaxCrossEntropy(), np.ones((1, 2)), [0])
    with pytest.raises(TypeError, match="loss must be a tinynet Loss, got str"):
        tn.gradcheck(model, "mse", np.ones((1, 2)), [0])


# ----- gradcheck_layer ------------------------------------------------------------------


class DenseWithMeanBias(tn.Dense):
    def backward(self, dZ, input_grad=True):
        dX = super().backward(dZ, input_grad)
        self.db = dZ.mean(axis=0)  # the bug: an extra 1/B
        return dX


def test_gradcheck_layer_returns_relative_errors_by_default(rng):
    X = rng.standard_normal((5, 3))
    errors = tn.gradcheck_layer(tn.Tanh(), X)
    assert sorted(errors) == ["X"] and errors["X"] < 1e-8
    errors = tn.gradcheck_layer(DenseWithMeanBias(3, 2, rng=rng), X * 1e-3)  # tiny gradients
    assert errors["W"] < 1e-6 and errors["X"] < 1e-6
    assert errors["b"] == pytest.approx(4 / 6, rel=1e-6)  # |g/5 - g| / (|g/5| + |g|), no atol


def test_gradcheck_layer_is_reproducible_and_works_in_float64_on_a_copy(rng):
    X = rng.standard_normal((4, 3)).astype(np.float32)
    layer = tn.Dense(3, 2, rng=rng, dtype=np.float32)
    first = tn.gradcheck_layer(layer, X, arrays=True)
    again = tn.gradcheck_layer(layer, X, arrays=True)
    assert all(np.array_equal(first[k][0], again[k][0]) for k in first)  # the same R
    assert all(a.dtype == np.float64 for pair in first.values() for a in pair)
    assert max(tn.gradcheck_layer(layer, X).values()) < 1e-7  # float64 finite differences
    assert layer.W.dtype == np.float32 and layer.dW is None and X.dtype == np.float32


def test_gradcheck_layer_leaves_a_dropout_layers_generator_alone(rng):
    layer = tn.Dropout(0.5, rng=np.random.default_rng(3))
    before = layer.rng.bit_generator.state
    tn.gradcheck_layer(layer, rng.standard_normal((4, 3)))
    assert layer.rng.bit_generator.state == before  # the check drew its mask on a copy


@pytest.mark.parametrize("eps, error, message", [
    (0.0, ValueError, "eps must be > 0.0, got 0.0"),
    (-1e-6, ValueError, "eps must be > 0.0"),
    ("small", TypeError, "eps must be a number, got 'small'"),
])
def test_gradcheck_layer_checks_eps(rng, eps, error, message):
    with pytest.raises(error, match=message):
        tn.gradcheck_layer(tn.Tanh(), rng.standard_normal((2, 2)), eps=eps)
