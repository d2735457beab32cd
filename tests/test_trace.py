"""tn.trace: every quantity of one pass, checked against an independent hand computation;
and `tinynet explain backprop`, checked number by number against the trace."""

import numpy as np
import pytest

import tinynet as tn
from tinynet.cli import main
from tinynet.explain_backprop import explain_backprop, fmt, tiny_problem


def by_hand(W1, b1, W2, b2, X, y):
    """The textbook formulas, written out once more, independently of tinynet."""
    Z1 = X @ W1 + b1
    A1 = np.where(Z1 > 0, Z1, 0.0)
    Z2 = A1 @ W2 + b2
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    B = len(y)
    loss = -np.mean(np.log(P[np.arange(B), y]))
    dZ2 = (P - np.eye(P.shape[1])[y]) / B
    dW2, db2, dA1 = A1.T @ dZ2, dZ2.sum(axis=0), dZ2 @ W2.T
    dZ1 = dA1 * (Z1 > 0)
    dW1, db1, dA0 = X.T @ dZ1, dZ1.sum(axis=0), dZ1 @ W1.T
    return dict(Z={1: Z1, 2: Z2}, A={0: X, 1: A1, 2: Z2}, dZ={1: dZ1, 2: dZ2},
                dA={0: dA0, 1: dA1, 2: dZ2}, dW={1: dW1, 2: dW2}, db={1: db1, 2: db2},
                loss=loss)


def test_trace_equals_the_formulas_computed_by_hand(rng):
    model = tn.mlp([3, 4, 2], seed=1)
    X, y = rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    t = tn.trace(model, tn.SoftmaxCrossEntropy(), X, y)
    d1, d2 = model.dense_layers
    expected = by_hand(d1.W, d1.b, d2.W, d2.b, X, y)
    assert t.loss == pytest.approx(expected["loss"], rel=1e-12)
    for name in ("Z", "A", "dZ", "dA", "dW", "db"):
        got, want = getattr(t, name), expected[name]
        assert sorted(got) == sorted(want), name
        for l in want:
            np.testing.assert_allclose(got[l], want[l], rtol=1e-12, atol=1e-15,
                                       err_msg=f"{name}[{l}]")


def test_trace_changes_nothing_and_keeps_copies(rng):
    model = tn.mlp([3, 4, 2], seed=1)
    loss, opt = tn.SoftmaxCrossEntropy(), tn.optimizers.RMSProp()
    X, y = rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    opt.step(model)
    weights = {k: a.copy() for k, a in model.arrays().items()}
    grads = [d.dW.copy() for d in model.dense_layers]
    state = opt.state_dict()
    t = tn.trace(model, loss, X[:2], y[:2])
    assert all(np.array_equal(a, weights[k]) for k, a in model.arrays().items())
    assert all(np.array_equal(d.dW, g) for d, g in zip(model.dense_layers, grads))
    assert all(np.array_equal(v, opt.state_dict()[k]) for k, v in state.items() if "/" in k)
    dW1 = t.dW[1].copy()
    model.forward(X)  # another pass of the model must not reach into the trace
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    assert np.array_equal(t.dW[1], dW1)
    assert not np.shares_memory(t.dW[1], model.grads.flat)
    # the trace's gradients are what backward leaves on the layers for the same batch
    loss.forward(model.forward(X[:2]), y[:2])
    model.backward(loss.backward())
    for l, d in enumerate(model.dense_layers, start=1):
        assert np.array_equal(t.dW[l], d.dW) and np.array_equal(t.db[l], d.db)


@pytest.mark.parametrize("activation, loss_cls", [
    ("tanh", tn.MSE), ("sigmoid", tn.BinaryCrossEntropy), ("leaky_relu", tn.SoftmaxCrossEntropy)])
def test_trace_gradients_match_finite_differences(activation, loss_cls, rng):
    n_out = {tn.MSE: 2, tn.BinaryCrossEntropy: 1, tn.SoftmaxCrossEntropy: 3}[loss_cls]
    model = tn.mlp([3, 5, 4, n_out], activation=activation, seed=0,
                   head="identity" if loss_cls is tn.MSE else None)
    X = rng.standard_normal((6, 3))
    y = rng.standard_normal((6, 2)) if loss_cls is tn.MSE else rng.integers(0, max(n_out, 2), 6)
    t = tn.trace(model, loss_cls(), X, y)
    pairs = tn.gradcheck(model, loss_cls(), X, y, arrays=True)
    for l in (1, 2, 3):
        np.testing.assert_allclose(t.dW[l], pairs[f"W/{l}"][1], atol=1e-8)
        np.testing.assert_allclose(t.db[l], pairs[f"b/{l}"][1], atol=1e-8)
    np.testing.assert_allclose(t.dA[0], pairs["X"][1], atol=1e-8)
    assert np.array_equal(t.A[3], t.Z[3])  # no activation after the last layer


def test_trace_with_a_layer_before_the_first_dense_and_dropout(rng):
    model = tn.Sequential([tn.Tanh(), tn.Dense(3, 4, rng=rng), tn.ReLU(),
                           tn.Dropout(0.5, rng=np.random.default_rng(0)), tn.Dense(4, 2, rng=rng)])
    X, y = rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    t = tn.trace(model, tn.SoftmaxCrossEntropy(), X, y)
    np.testing.assert_allclose(t.A[0], np.tanh(X))  # A[0]: the input of layer 1
    active = t.Z[1] > 0  # A[1] = relu(Z[1]) ⊙ mask, mask in {0, 1/(1 - p)}
    mask = np.where(active, t.A[1] / np.where(active, t.Z[1], 1.0), 0.0)
    assert set(np.round(mask[active], 12)) == {0.0, 2.0}
    np.testing.assert_allclose(t.dZ[1], t.dA[1] * mask)  # the same mask on the way back


def test_relu_gives_plus_zero():
    relu = tn.ReLU()
    Y = relu.forward(np.array([[-2.0, -0.5, 3.0]]))
    assert not np.signbit(Y).any()
    dX = relu.backward(np.array([[-1.0, -1.0, -1.0]]))
    assert dX.tolist() == [[0.0, 0.0, -1.0]] and not np.signbit(dX[0, :2]).any()


def test_explain_backprop_shows_the_trace_number_by_number():
    text = explain_backprop()
    model, loss, X, y = tiny_problem((2, 3, 2), "relu", "softmax_cross_entropy", 2, 0)
    t = tn.trace(model, loss, X, y)
    for name in ("Z", "dZ", "dW", "db"):
        for l, a in getattr(t, name).items():
            assert fmt(a).splitlines()[0] in text, f"{name}[{l}]"
    assert fmt(t.A[1]).splitlines()[1] in text and fmt(t.dA[0]).splitlines()[0] in text
    assert f"= {t.loss:.6f}" in text
    pairs = tn.gradcheck(model, loss, X, y, arrays=True)
    rows = [line.split() for line in text.split("Check:")[1].splitlines()
            if line.startswith("  d")]
    assert len(rows) == sum(g.size for k, (g, _) in pairs.items() if k != "X")  # every entry
    for row in rows:
        name, index = row[0].split("[")[0], row[0][len(row[0].split("[")[0]):]
        l = int(index[1])
        idx = tuple(int(i) for i in " ".join(row[:-3])[len(name) + 3:].strip("[] ").split(","))
        g, fd = pairs[f"{name[1:]}/{l}"]
        assert float(row[-3]) == pytest.approx(g[idx], abs=1e-10)
        assert float(row[-2]) == pytest.approx(fd[idx], abs=1e-10)
    largest = float(text.rsplit("largest difference: ", 1)[1].split()[0])
    assert largest < 1e-8
    assert "dZ[2] = (softmax(Z[2]) - Y_onehot) / B" in text and "-0.0000" not in text
    assert "dZ[1] = dA[1] ⊙ relu'(Z[1])" in text and "dW[1] = A[0].T @ dZ[1]" in text


def test_explain_backprop_on_the_command_line(capsys):
    assert main(["explain", "backprop", "--sizes", "3,4,1", "--activation", "sigmoid",
                 "--loss", "binary_cross_entropy", "--samples", "3", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "a 3-4-1 network, sigmoid, binary_cross_entropy, B = 3 samples (seed 2)" in out
    assert "(sigmoid'(Z) = A⊙(1 - A))" in out and "dZ[2] = (sigmoid(Z[2]) - y) / B" in out
    assert main(["explain", "backprop", "--sizes", "3,2", "--loss", "binary_cross_entropy"]) == 2
    assert "binary_cross_entropy needs 1 output; --sizes ends in 2" in capsys.readouterr().err


def test_a_trace_says_its_depth_loss_and_shapes():
    model = tn.mlp([2, 3, 4, 2], seed=0)
    X, y = np.array([[0.1, -0.2], [0.3, 0.4], [0.5, -0.6]]), np.array([0, 1, 1])
    t = tn.trace(model, tn.SoftmaxCrossEntropy(), X, y)
    assert repr(t) == (f"Trace(L=3, loss={t.loss:.6g}, A[0] (3, 2), Z[1] (3, 3), Z[2] (3, 4), "
                       f"Z[3] (3, 2))")


def test_explain_backprop_shows_arrays_with_4_decimals_plus_zero_and_integer_labels():
    assert fmt(np.array([[0.13, -0.0], [1e-9, -2.5]])) == "[[ 0.1300  0.0000]\n [ 0.0000 -2.5000]]"
    assert fmt(np.array([0.123456])) == "[0.1235]"
    assert fmt(np.array([0, 1])) == "[0 1]" and fmt(np.array([3], dtype=np.uint8)) == "[3]"


@pytest.mark.parametrize("loss, targets", [("softmax_cross_entropy", "classes"),
                                           ("binary_cross_entropy", "classes"),
                                           ("mse", "values")])
def test_explain_backprops_problem_is_the_readmes_and_seeded(loss, targets):
    n_out = 1 if loss != "softmax_cross_entropy" else 2
    model, loss_fn, X, y = tiny_problem((2, 3, n_out), "relu", loss, 2, 0)
    X_again, y_again = tiny_problem((2, 3, n_out), "relu", loss, 2, 0)[2:]
    assert np.array_equal(X, X_again) and np.array_equal(y, y_again)
    assert X.tolist() == [[0.13, -0.13], [0.64, 0.1]]  # the README's trace block uses these
    if loss == "softmax_cross_entropy":
        assert y.tolist() == [0, 1]  # ... and these labels: "explain backprop prints this pass"
    reference = tn.mlp([2, 3, n_out], seed=0, head="identity" if loss == "mse" else None)
    for key, a in model.arrays().items():
        assert np.array_equal(a, reference.arrays()[key]), key
    assert type(loss_fn).__name__ == {"softmax_cross_entropy": "SoftmaxCrossEntropy",
                                      "binary_cross_entropy": "BinaryCrossEntropy",
                                      "mse": "MSE"}[loss]
    if targets == "classes":
        assert y.dtype.kind == "i" and set(y.tolist()) <= {0, 1} and y.shape == (2,)
    else:
        assert y.shape == (2, 1) and y.tolist() == np.round(y, 2).tolist()
    with pytest.raises(ValueError, match="unknown loss 'hinge'; choose one of"):
        tiny_problem((2, 3, 2), "relu", "hinge", 2, 0)
