"""``tinynet explain backprop``, read back block by block and checked against backprop done
here by hand in numpy: every array it shows, every formula, the loss, and the check table."""

import re

import numpy as np
import pytest

import tinynet as tn
from tinynet.explain_backprop import explain_backprop, tiny_problem

ACT = {  # (activation, its derivative from Z)
    "relu": (lambda Z: np.maximum(Z, 0), lambda Z: (Z > 0) * 1.0),
    "leaky_relu": (lambda Z: np.where(Z > 0, Z, 0.01 * Z), lambda Z: np.where(Z > 0, 1, 0.01)),
    "tanh": (np.tanh, lambda Z: 1 - np.tanh(Z) ** 2),
    "sigmoid": (lambda Z: 1 / (1 + np.exp(-Z)),
                lambda Z: np.exp(-Z) / (1 + np.exp(-Z)) ** 2),
    "identity": (lambda Z: Z, lambda Z: np.ones_like(Z)),
}
HEADER = re.compile(r"^  (?P<label>\S+)(?: = (?P<formula>.*?))? +shape \((?P<shape>[\d, ]*)\)$")


def blocks(text: str) -> dict:
    """label -> (header line, formula, array) for every 'label = formula   shape (...)'."""
    lines, found = text.splitlines(), {}
    for i, line in enumerate(lines):
        match = HEADER.match(line)
        if not match:
            continue
        rows = []
        for row in lines[i + 1:]:
            if not row.startswith("      [") and not row.startswith("       ["):
                break
            rows.append([float(x) for x in row.replace("[", " ").replace("]", " ").split()])
        shape = tuple(int(n) for n in match["shape"].replace(",", " ").split())
        found[match["label"]] = (line, match["formula"], np.array(rows).reshape(shape))
    return found


def by_hand(sizes, activation, loss, samples, seed):
    """The forward and backward pass of tiny_problem's network, written out here."""
    model, _, X, y = tiny_problem(sizes, activation, loss, samples, seed)
    act, dact = ACT[activation]
    dense = model.dense_layers
    L, B = len(dense), len(X)
    A, Z, ref = {0: X}, {}, {"A[0]": X}
    for l, d in enumerate(dense, start=1):
        Z[l] = A[l - 1] @ d.W + d.b
        A[l] = act(Z[l])
        ref.update({f"W[{l}]": d.W, f"b[{l}]": d.b, f"Z[{l}]": Z[l]})
        if l < L:
            ref[f"A[{l}]"] = A[l]
    ZL = Z[L]
    if loss == "softmax_cross_entropy":
        P = np.exp(ZL - ZL.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        value = -np.mean(np.log(P[np.arange(B), y]))
        dZ = (P - np.eye(sizes[-1])[y]) / B
    elif loss == "binary_cross_entropy":
        z = ZL[:, 0]
        value = np.mean(np.log1p(np.exp(z)) - y * z)
        dZ = ((1 / (1 + np.exp(-z)) - y) / B)[:, None]
    else:
        value = np.mean((ZL - y) ** 2)
        dZ = 2 * (ZL - y) / y.size
    dA = None  # dA[L] is not needed: dZ[L] comes from the loss
    for l in range(L, 0, -1):
        if l < L:
            dZ = dA * dact(Z[l])
        ref[f"dZ[{l}]"] = dZ
        ref[f"dW[{l}]"] = A[l - 1].T @ dZ
        ref[f"db[{l}]"] = dZ.sum(axis=0)
        dA = dZ @ dense[l - 1].W.T
        ref[f"dA[{l - 1}]"] = dA
    ref["Y"] = y
    return ref, value, y


def formulas(L, activation, loss):
    """What each block says it is (the text the issue and the README fix)."""
    f = {"A[0]": "X"}
    for l in range(1, L + 1):
        f.update({f"W[{l}]": None, f"b[{l}]": None, f"Z[{l}]": f"A[{l - 1}] @ W[{l}] + b[{l}]",
                  f"dW[{l}]": f"A[{l - 1}].T @ dZ[{l}]",
                  f"db[{l}]": f"sum over the batch of dZ[{l}]",
                  f"dA[{l - 1}]": f"dZ[{l}] @ W[{l}].T"})
        if l < L:
            f[f"A[{l}]"] = f"{activation}(Z[{l}])"
            f[f"dZ[{l}]"] = f"dA[{l}] ⊙ {activation}'(Z[{l}])"
    f[f"dZ[{L}]"] = {"softmax_cross_entropy": f"(softmax(Z[{L}]) - Y_onehot) / B",
                     "binary_cross_entropy": f"(sigmoid(Z[{L}]) - y) / B",
                     "mse": f"2 (Z[{L}] - Y) / (B K)"}[loss]
    return f


CASES = [((2, 3, 2), "relu", "softmax_cross_entropy", 2, 0),
         ((3, 4, 1), "sigmoid", "binary_cross_entropy", 3, 2),
         ((2, 4, 3, 2), "tanh", "mse", 3, 1),
         ((2, 3, 3, 3), "leaky_relu", "softmax_cross_entropy", 4, 5),
         ((3, 2, 2), "identity", "mse", 2, 3)]


@pytest.mark.parametrize("sizes, activation, loss, samples, seed", CASES)
def test_every_array_shown_is_the_hand_computed_one_with_its_formula(sizes, activation, loss,
                                                                     samples, seed):
    text = explain_backprop(sizes, activation, loss, samples, seed)
    ref, _, _ = by_hand(sizes, activation, loss, samples, seed)
    shown = blocks(text)
    L = len(sizes) - 1
    order = ["A[0]"] + (["Y"] if loss == "mse" else [])  # targets, one row per sample
    for l in range(1, L + 1):
        order += [f"W[{l}]", f"b[{l}]", f"Z[{l}]"] + ([f"A[{l}]"] if l < L else [])
    for l in range(L, 0, -1):
        order += [f"dZ[{l}]", f"dW[{l}]", f"db[{l}]", f"dA[{l - 1}]"]
    assert list(shown) == order  # forward from A[0], then backward from the loss
    for label, formula in formulas(L, activation, loss).items():
        line, said, array = shown[label]
        assert said == formula, label
        head = f"  {label} = {formula}" if formula else f"  {label}"
        assert line == f"{head:<44} shape {ref[label].shape}", label  # shapes in one column
        np.testing.assert_allclose(array, ref[label], atol=5.01e-5, rtol=0, err_msg=label)
    if loss == "mse":
        line, said, array = shown["Y"]
        assert said is None and line == f"{'  Y':<44} shape {ref['Y'].shape}"
        np.testing.assert_array_equal(array, ref["Y"])  # 2 decimals, shown exactly


@pytest.mark.parametrize("sizes, activation, loss, samples, seed", CASES)
def test_the_header_the_labels_the_loss_and_each_derivative_are_stated(sizes, activation, loss,
                                                                       samples, seed):
    text = explain_backprop(sizes, activation, loss, samples, seed)
    _, value, y = by_hand(sizes, activation, loss, samples, seed)
    lines = text.splitlines()
    name = "-".join(map(str, sizes))
    assert lines[:3] == [f"tinynet explain backprop: a {name} network, {activation}, {loss}, "
                         f"B = {samples} samples (seed {seed})", "",
                         "Forward (batches are rows: Z = A @ W + b)"]
    L = len(sizes) - 1
    said = {"softmax_cross_entropy": f"-mean_i log softmax(Z[{L}])[i, y_i]",
            "binary_cross_entropy": f"mean_i [log(1 + exp(Z[{L}])) - y_i Z[{L}]]",
            "mse": f"mean over i and k of (Z[{L}] - Y)²"}[loss]
    loss_line = next(line for line in lines if line.startswith("  loss = "))
    assert loss_line.startswith(f"  loss = {said} = ")
    assert float(loss_line.rsplit(" = ", 1)[1]) == pytest.approx(value, abs=5.01e-7)
    assert len(loss_line.rsplit(" = ", 1)[1].split(".")[1]) == 6
    after = lines[lines.index(loss_line) + 1:lines.index(loss_line) + 3]
    assert after == ["", "Backward (every gradient is of the batch-mean loss)"]
    assert re.match(r" {6,7}\[", lines[lines.index(loss_line) - 1])  # right after Z[L]'s rows
    labels = [line for line in lines if line.startswith("  y = ")]
    assert labels == ([] if loss == "mse" else [f"  y = {np.array2string(y)}"])
    derivative = {
        "relu": "(relu'(Z) = 1 where Z > 0, else 0)",
        "leaky_relu": "(leaky_relu'(Z) = 1 where Z > 0, else alpha)",
        "tanh": "(tanh'(Z) = 1 - A⊙A)", "sigmoid": "(sigmoid'(Z) = A⊙(1 - A))",
        "identity": "(identity'(Z) = 1)"}[activation]
    for l in range(1, L):  # after the rows of every hidden layer's dZ, not the last layer's
        start = next(i for i, line in enumerate(lines) if line.startswith(f"  dZ[{l}] = "))
        end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      ["))
        end = next(i for i in range(end, len(lines)) if not lines[i].startswith("       ["))
        assert lines[end] == f"      {derivative}"
    assert sum(line.startswith("      (") for line in lines) == L - 1


@pytest.mark.parametrize("sizes, activation, loss, samples, seed", CASES)
def test_the_check_table_lists_every_weight_and_bias_entry_and_the_largest_difference(
        sizes, activation, loss, samples, seed):
    text = explain_backprop(sizes, activation, loss, samples, seed)
    ref, _, _ = by_hand(sizes, activation, loss, samples, seed)
    lines = text.split("\nCheck: ")[1].splitlines()
    assert text.split("\nCheck: ")[0].endswith("\n")  # a blank line before it
    assert lines[0] == ("each entry against the central difference (L(w + eps) - L(w - eps)) "
                        "/ (2 eps), eps = 1e-6")
    assert lines[1] == f"  {'entry':<14}{'backprop':>16}{'finite diff':>16}{'|difference|':>14}"
    rows, expected = lines[2:-1], []
    L = len(sizes) - 1
    for l in range(1, L + 1):
        for p in ("W", "b"):
            for i in np.ndindex(ref[f"d{p}[{l}]"].shape):
                expected.append((f"d{p}[{l}]{list(i)}", ref[f"d{p}[{l}]"][i]))
    assert len(rows) == len(expected)
    worst = (-1.0, "")
    for row, (name, grad) in zip(rows, expected):
        assert row[:16] == f"  {name:<14}"
        g, fd, diff = float(row[16:32]), float(row[32:48]), float(row[48:])
        assert g == pytest.approx(grad, abs=1e-9) and fd == pytest.approx(grad, abs=1e-6)
        assert row[48:] == f"{abs(g - fd):>14.2e}" or diff == pytest.approx(abs(g - fd), rel=0.2,
                                                                              abs=2e-10)
        assert re.fullmatch(r" +-?\d+\.\d{10}", row[16:32]) and re.fullmatch(
            r" +\d\.\d\de[-+]\d\d", row[48:])
        worst = max(worst, (diff, name))
    assert lines[-1] == f"  largest difference: {worst[0]:.2e} ({worst[1]})"
    assert worst[0] < 1e-6


def test_the_defaults_are_the_readmes_2_3_2_relu_network_on_two_samples():
    assert explain_backprop() == explain_backprop((2, 3, 2), "relu", "softmax_cross_entropy",
                                                  2, 0)
    assert explain_backprop().startswith(
        "tinynet explain backprop: a 2-3-2 network, relu, softmax_cross_entropy, B = 2 samples "
        "(seed 0)\n")


def test_tiny_problem_for_binary_cross_entropy_needs_one_output_and_draws_0_1_labels():
    with pytest.raises(ValueError, match="binary_cross_entropy needs 1 output; --sizes ends in 3"):
        tiny_problem((2, 3, 3), "relu", "binary_cross_entropy", 2, 0)
    _, _, _, y = tiny_problem((2, 3, 1), "relu", "binary_cross_entropy", 40, 0)
    assert set(y.tolist()) == {0, 1}
    _, _, _, y = tiny_problem((2, 3, 3), "relu", "softmax_cross_entropy", 40, 0)
    assert set(y.tolist()) == {0, 1, 2}
    model, _, X, y = tiny_problem((2, 3, 2), "relu", "mse", 5, 0)
    assert y.shape == (5, 2) and np.array_equal(y, np.round(y, 2)) and len(np.unique(y)) == 10
    assert np.array_equal(X, np.round(X, 2)) and X.shape == (5, 2)
    assert model.head == "identity"  # regression: predictions are the outputs
    assert tiny_problem((2, 3, 2), "relu", "softmax_cross_entropy", 2, 0)[0].head == "softmax"
    assert tiny_problem((2, 3, 1), "relu", "binary_cross_entropy", 2, 0)[0].head == "sigmoid"
    seeded = tiny_problem((2, 3, 2), "tanh", "softmax_cross_entropy", 2, 3)[0]
    reference = tn.mlp([2, 3, 2], activation="tanh", seed=3)
    for key, a in seeded.arrays().items():
        assert np.array_equal(a, reference.arrays()[key]), key
