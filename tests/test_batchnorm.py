"""BatchNorm against its formulas written out here, the long chain rule, PyTorch's
BatchNorm1d when it is installed, and the layer checks."""

import numpy as np
import pytest

import tinynet as tn
from tinynet.testing import check_layer


def batch(B=6, n=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((B, n)) * [1.0, 3.0, 0.1, 10.0] + [0.0, -2.0, 5.0, 1.0]


def bn(n=4, **kw):
    layer = tn.BatchNorm(n, **kw)
    rng = np.random.default_rng(1)
    layer.gamma[...] = rng.uniform(0.5, 2.0, n)
    layer.beta[...] = rng.standard_normal(n)
    return layer


def naive_backward(X, gamma, dY, eps):
    """The chain rule through mu and var term by term (Ioffe & Szegedy, Algorithm 1's
    backward), written independently of the compact form the layer uses."""
    B = len(X)
    mu = X.mean(axis=0)
    var = ((X - mu) ** 2).mean(axis=0)
    xhat = (X - mu) / np.sqrt(var + eps)
    dxhat = dY * gamma
    dvar = np.sum(dxhat * (X - mu), axis=0) * -0.5 * (var + eps) ** -1.5
    dmu = np.sum(-dxhat / np.sqrt(var + eps), axis=0) + dvar * np.mean(-2.0 * (X - mu), axis=0)
    dX = dxhat / np.sqrt(var + eps) + dvar * 2.0 * (X - mu) / B + dmu / B
    return dX, np.sum(dY * xhat, axis=0), np.sum(dY, axis=0)


def test_training_forward_is_the_formula_and_updates_running_statistics_as_pytorch():
    layer, X = bn(momentum=0.2, eps=1e-3), batch()
    Y = layer.forward(X)
    mu, var = X.mean(axis=0), X.var(axis=0)
    np.testing.assert_allclose(Y, layer.gamma * (X - mu) / np.sqrt(var + 1e-3) + layer.beta,
                               rtol=1e-13, atol=1e-13)
    B = len(X)  # PyTorch: the running variance is the unbiased one, B / (B - 1)
    np.testing.assert_allclose(layer.running_mean, 0.8 * 0.0 + 0.2 * mu, rtol=1e-14)
    np.testing.assert_allclose(layer.running_var, 0.8 * 1.0 + 0.2 * var * B / (B - 1),
                               rtol=1e-14)
    layer.forward(X + 1.0)  # a second batch: the same update again
    np.testing.assert_allclose(layer.running_mean, 0.8 * 0.2 * mu + 0.2 * (mu + 1.0),
                               rtol=1e-14)


def test_evaluation_mode_uses_the_running_statistics_and_changes_nothing():
    layer, X = bn(), batch()
    layer.forward(X)
    mean, var = layer.running_mean.copy(), layer.running_var.copy()
    layer.training = False
    Y = layer.forward(X[:1])  # one sample is fine in evaluation mode
    np.testing.assert_allclose(Y, layer.gamma * (X[:1] - mean) / np.sqrt(var + 1e-5)
                               + layer.beta, rtol=1e-13)
    assert np.array_equal(layer.running_mean, mean) and np.array_equal(layer.running_var, var)
    dY = np.ones_like(Y)
    np.testing.assert_allclose(layer.backward(dY), layer.gamma / np.sqrt(var + 1e-5) * dY,
                               rtol=1e-14)
    layer.training = True
    layer.forward(X[:3])  # evaluation mode passes the layer checks too
    frozen = bn()
    frozen.training = False
    errors = tn.gradcheck_layer(frozen, X)
    assert max(errors.values()) < 1e-7


def test_the_compact_backward_equals_the_long_chain_rule():
    layer, X = bn(eps=1e-3), batch(B=7)
    dY = np.random.default_rng(3).standard_normal(X.shape)
    layer.forward(X)
    dX = layer.backward(dY)
    ref_dX, ref_dgamma, ref_dbeta = naive_backward(X, layer.gamma, dY, 1e-3)
    np.testing.assert_allclose(dX, ref_dX, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dgamma, ref_dgamma, rtol=1e-12)
    np.testing.assert_allclose(layer.dbeta, ref_dbeta, rtol=1e-13)
    np.testing.assert_allclose(dX.sum(axis=0), 0.0, atol=1e-12)  # a shift of X changes nothing


def test_batchnorm_passes_check_layer_and_gradcheck_in_a_model():
    assert "gradients match finite differences" in check_layer(tn.BatchNorm(4))
    errors = tn.gradcheck_layer(bn(), batch())
    assert set(errors) == {"X", "gamma", "beta"} and max(errors.values()) < 1e-6
    model = tn.mlp([4, 5, 3], batchnorm=True, seed=0, activation="tanh")
    X, y = batch(B=9), np.arange(9) % 3
    errors = tn.gradcheck(model, tn.SoftmaxCrossEntropy(), X, y, per_parameter=True)
    assert max(v for k, v in errors.items() if k != "b/1") < 1e-6


def test_one_sample_in_training_mode_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"needs at least 2 samples per batch in training mode .* "
                       r"got a batch of 1: use another batch size, or Trainer\(drop_last=True\)"):
        bn().forward(batch()[:1])
    with pytest.raises(ValueError, match=r"expects input of shape \(batch, 4\), got \(6, 3\)"):
        bn().forward(batch()[:, :3])
    with pytest.raises(RuntimeError, match="backward\\(\\) called before forward\\(\\)"):
        bn().backward(np.ones((6, 4)))


@pytest.mark.parametrize("kwargs, message", [
    ({"n_features": 0}, "n_features must be >= 1"), ({"n_features": 4, "momentum": 1.5},
                                                     "momentum must be <= 1"),
    ({"n_features": 4, "eps": 0.0}, "eps must be > 0"),
])
def test_bad_hyperparameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tn.BatchNorm(**kwargs)


def test_mlp_puts_one_after_each_hidden_dense_and_float32_stays_float32():
    model = tn.mlp([4, 8, 6, 3], batchnorm=True, dtype=np.float32, seed=0)
    assert [type(x).__name__ for x in model.layers] == [
        "Dense", "BatchNorm", "ReLU", "Dense", "BatchNorm", "ReLU", "Dense"]
    assert [x.n_features for x in model.layers if isinstance(x, tn.BatchNorm)] == [8, 6]
    assert model.layers[1].gamma.dtype == np.float32
    out = model.forward(batch().astype(np.float32))
    assert out.dtype == np.float32
    assert model.config()["layers"][1] == {"type": "BatchNorm", "n_features": 8,
                                           "momentum": 0.1, "eps": 1e-05}


def test_trains_digits_and_predicts_in_evaluation_mode():
    X_train, X_test, y_train, y_test = tn.datasets.load("digits", seed=0)
    model = tn.mlp([64, 64, 10], batchnorm=True, seed=0)
    trainer = tn.Trainer(model, "softmax_cross_entropy", tn.optimizers.Adam(lr=0.01),
                         progress=False, drop_last=True)
    trainer.fit(X_train, y_train, epochs=5)
    assert not model.training and trainer.evaluate(X_test, y_test)["accuracy"] > 0.95


def test_forward_and_backward_equal_pytorch_batchnorm1d():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch")
    layer, X = bn(momentum=0.3, eps=1e-4), batch(B=8)
    dY = np.random.default_rng(5).standard_normal(X.shape)
    ref = torch.nn.BatchNorm1d(4, momentum=0.3, eps=1e-4, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.gamma))
        ref.bias.copy_(torch.from_numpy(layer.beta))
    x = torch.from_numpy(X.copy()).requires_grad_(True)
    y = ref(x)
    y.backward(torch.from_numpy(dY))
    Y = layer.forward(X)
    dX = layer.backward(dY)
    np.testing.assert_allclose(Y, y.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dX, x.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.dgamma, ref.weight.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.dbeta, ref.bias.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.running_mean, ref.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.running_var, ref.running_var.numpy(), atol=1e-12)
