"""RMSProp against the article: its worked example and its layer-wise formulas."""

import numpy as np
import pytest

import tinynet as tn


def dense_with(W, dW, b=None, db=None):
    W = np.asarray(W, dtype=float)
    layer = tn.Dense(W.shape[0], W.shape[1], rng=np.random.default_rng(0))
    layer.W[...] = W
    layer.b[...] = 0.0 if b is None else b
    layer.dW = np.asarray(dW, dtype=float).reshape(W.shape)
    layer.db = np.zeros_like(layer.b) if db is None else np.asarray(db, dtype=float)
    return layer


def test_article_worked_example_through_public_api():
    # theta = (0, 0), g = (100, 1), eta = 0.01, rho = 0.9, s_{t-1} = 0, eps ignored.
    layer = dense_with(np.zeros((2, 1)), [[100.0], [1.0]])
    opt = tn.optimizers.RMSProp(lr=0.01, rho=0.9, eps=0)
    opt.step([layer])
    np.testing.assert_allclose(opt.s_dW[1][:, 0], [1000.0, 0.1], rtol=1e-12)
    np.testing.assert_allclose(layer.W[:, 0], [-0.0316228, -0.0316228], atol=1e-7)
    # Exactly: -lr * g / sqrt((1 - rho) g²) = -lr / sqrt(1 - rho) for both coordinates.
    np.testing.assert_allclose(layer.W[:, 0], -0.01 / np.sqrt(0.1), rtol=1e-15)
    # eps = 0 and db = 0: 0 / 0 is taken as "no step", so b stays exactly 0 (no NaN).
    assert np.array_equal(layer.b, [0.0]) and np.array_equal(opt.s_db[1], [0.0])
    # Both coordinates move by the same amount although the gradients differ 100-fold.
    assert layer.W[0, 0] == pytest.approx(layer.W[1, 0], rel=1e-12)


def test_article_sgd_contrast():
    layer = dense_with(np.zeros((2, 1)), [[100.0], [1.0]])
    tn.optimizers.SGD(lr=0.01).step([layer])
    np.testing.assert_allclose(layer.W[:, 0], [-1.0, -0.01], rtol=1e-12)


def test_effective_lr_matches_formula():
    layer = dense_with(np.zeros((2, 1)), [[100.0], [1.0]])
    opt = tn.optimizers.RMSProp(lr=0.01, rho=0.9, eps=1e-8)
    opt.step([layer])
    eff = opt.effective_lr(1)
    np.testing.assert_allclose(eff["W"][:, 0], 0.01 / (np.sqrt([1000.0, 0.1]) + 1e-8), rtol=1e-12)
    assert eff["b"].shape == layer.b.shape
    with pytest.raises(ValueError, match="no layer 2"):
        opt.effective_lr(2)


def test_several_steps_two_layers_against_layerwise_formulas(rng):
    model = tn.mlp([3, 4, 2], seed=1)
    lr, rho, eps = 0.05, 0.8, 1e-8
    opt = tn.optimizers.RMSProp(lr=lr, rho=rho, eps=eps)
    W = [d.W.copy() for d in model.dense_layers]
    b = [d.b.copy() for d in model.dense_layers]
    s_dW = [np.zeros_like(w) for w in W]
    s_db = [np.zeros_like(x) for x in b]
    for _ in range(4):
        for d in model.dense_layers:  # very different scales per layer: 1000 vs 0.001
            d.dW = rng.standard_normal(d.W.shape) * (1000.0 if d is model.dense_layers[0] else 1e-3)
            d.db = rng.standard_normal(d.b.shape)
        for i, d in enumerate(model.dense_layers):
            s_dW[i] = rho * s_dW[i] + (1 - rho) * (d.dW * d.dW)
            s_db[i] = rho * s_db[i] + (1 - rho) * (d.db * d.db)
            W[i] = W[i] - lr * d.dW / (np.sqrt(s_dW[i]) + eps)
            b[i] = b[i] - lr * d.db / (np.sqrt(s_db[i]) + eps)
        opt.step(model)
        for i, d in enumerate(model.dense_layers, start=1):
            np.testing.assert_allclose(opt.s_dW[i], s_dW[i - 1], rtol=1e-13)
            np.testing.assert_allclose(opt.s_db[i], s_db[i - 1], rtol=1e-13)
            np.testing.assert_allclose(d.W, W[i - 1], rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(d.b, b[i - 1], rtol=1e-13, atol=1e-15)
    assert sorted(opt.s_dW) == [1, 2] and sorted(opt.s_db) == [1, 2]
    arrays = [opt.s_dW[1], opt.s_dW[2], opt.s_db[1], opt.s_db[2]]
    assert len({id(a) for a in arrays}) == 4
    assert not any(np.shares_memory(a, c) for a in arrays for c in arrays if a is not c)


def test_state_starts_at_zero_and_updates_in_place():
    layer = dense_with(np.ones((2, 2)), np.ones((2, 2)))
    opt = tn.optimizers.RMSProp()
    assert opt.s_dW == {} and opt.t == 0
    opt.step([layer])
    s_before = opt.s_dW[1]
    np.testing.assert_allclose(s_before, 0.1)  # (1 - rho) * 1 from zero state
    opt.step([layer])
    assert opt.s_dW[1] is s_before  # the same array, updated in place
    assert opt.t == 2


def test_step_model_equals_step_list():
    a, b = tn.mlp([4, 3, 2], seed=3), tn.mlp([4, 3, 2], seed=3)
    X, y = np.random.default_rng(0).standard_normal((5, 4)), np.array([0, 1, 1, 0, 1])
    loss = tn.SoftmaxCrossEntropy()
    oa, ob = tn.optimizers.RMSProp(lr=0.1), tn.optimizers.RMSProp(lr=0.1)
    for m, o, how in ((a, oa, lambda m: m), (b, ob, lambda m: list(m.layers))):
        loss.forward(m.forward(X), y)
        m.backward(loss.backward())
        o.step(how(m))
    for da, db_ in zip(a.dense_layers, b.dense_layers):
        assert np.array_equal(da.W, db_.W) and np.array_equal(da.b, db_.b)


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        ({"lr": 0}, ValueError, "lr must be > 0"),
        ({"lr": -0.1}, ValueError, "lr must be > 0"),
        ({"rho": 1.0}, ValueError, "rho must be < 1"),
        ({"rho": -0.1}, ValueError, "rho must be >= 0"),
        ({"eps": -1e-8}, ValueError, "eps must be >= 0"),
        ({"lr": "0.01"}, TypeError, "lr must be a number"),
        ({"rho": None}, TypeError, "rho must be a number"),
        ({"lr": True}, TypeError, "lr must be a number"),
        ({"lr": float("nan")}, ValueError, "lr must be finite"),
    ],
)
def test_invalid_hyperparameters(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        tn.optimizers.RMSProp(**kwargs)


def test_step_before_backward_is_a_clear_error():
    model = tn.mlp([2, 2])
    with pytest.raises(ValueError, match="call model.backward"):
        tn.optimizers.RMSProp().step(model)


def test_registry():
    assert {"rmsprop", "sgd"} <= set(tn.optimizers.available())
    opt = tn.optimizers.get("rmsprop", lr=0.01)
    assert isinstance(opt, tn.optimizers.RMSProp) and opt.lr == 0.01
    assert isinstance(tn.optimizers.get("RMSProp"), tn.optimizers.RMSProp)
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprob'; available: .*rmsprop"):
        tn.optimizers.get("rmsprob")
    with pytest.raises(TypeError, match="no hyperparameter"):
        tn.optimizers.get("sgd", rho=0.9)
