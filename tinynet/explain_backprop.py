"""``tinynet explain backprop``: one forward and backward pass of a tiny network, every
quantity with its formula and shape, then each gradient entry beside its finite difference.

The numbers come from ``tn.trace`` (the real layers and loss) and ``tn.gradcheck(...,
arrays=True)``; only the formulas are text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .gradcheck import gradcheck
from .losses import LOSSES
from .model import mlp
from .trace import trace

DERIVATIVE = {  # act'(Z[l]), as computed by each activation layer's backward
    "relu": "relu'(Z) = 1 where Z > 0, else 0",
    "leaky_relu": "leaky_relu'(Z) = 1 where Z > 0, else alpha",
    "tanh": "tanh'(Z) = 1 - A⊙A",
    "sigmoid": "sigmoid'(Z) = A⊙(1 - A)",
    "identity": "identity'(Z) = 1",
}
LOSS_TEXT = {  # (the loss, dZ[L]) for each loss name
    "softmax_cross_entropy": ("-mean_i log softmax(Z[L])[i, y_i]",
                              "(softmax(Z[L]) - Y_onehot) / B"),
    "binary_cross_entropy": ("mean_i [log(1 + exp(Z[L])) - y_i Z[L]]", "(sigmoid(Z[L]) - y) / B"),
    "mse": ("mean over i and k of (Z[L] - Y)²", "2 (Z[L] - Y) / (B K)"),
}


def fmt(a: np.ndarray) -> str:
    """How every array is shown: 4 decimals, +0.0 never printed as -0; labels as integers."""
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return np.array2string(a)
    return np.array2string(a + 0.0, precision=4, suppress_small=True, floatmode="fixed")


def tiny_problem(sizes: Sequence[int], activation: str, loss: str, samples: int, seed: int):
    """The network and the batch explained: seeded, with inputs rounded to 2 decimals."""
    if loss not in LOSS_TEXT:
        raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSS_TEXT)}")
    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((samples, sizes[0])), 2)
    n_out = sizes[-1]
    if loss == "mse":
        y = np.round(rng.standard_normal((samples, n_out)), 2)
    else:
        if loss == "binary_cross_entropy" and n_out != 1:
            raise ValueError(f"binary_cross_entropy needs 1 output; --sizes ends in {n_out}")
        y = rng.integers(0, max(n_out, 2), samples)
    head = "identity" if loss == "mse" else None
    return mlp(list(sizes), activation=activation, seed=seed, head=head), LOSSES[loss](), X, y


def _block(label: str, formula: str, a: np.ndarray) -> list[str]:
    head = f"  {label} = {formula}" if formula else f"  {label}"
    lines = [f"{head:<44} shape {tuple(np.shape(a))}"]
    return lines + ["      " + row for row in fmt(a).splitlines()]


def explain_backprop(sizes: Sequence[int] = (2, 3, 2), activation: str = "relu",
                     loss: str = "softmax_cross_entropy", samples: int = 2,
                     seed: int = 0) -> str:
    """The explanation as text (see the module docstring)."""
    model, loss_fn, X, y = tiny_problem(sizes, activation, loss, samples, seed)
    t = trace(model, loss_fn, X, y)
    L = len(model.dense_layers)
    loss_formula, dz_formula = (text.replace("[L]", f"[{L}]") for text in LOSS_TEXT[loss])
    out = [f"tinynet explain backprop: a {'-'.join(map(str, sizes))} network, {activation}, "
           f"{loss}, B = {samples} samples (seed {seed})", "",
           "Forward (batches are rows: Z = A @ W + b)"]
    out += _block("A[0]", "X", t.A[0])
    if np.ndim(y) == 1:  # class labels
        out.append(f"  y = {fmt(y)}")
    else:  # regression targets: one row per sample, like the other arrays
        out += _block("Y", "", y)
    for l, d in enumerate(model.dense_layers, start=1):
        out += _block(f"W[{l}]", "", d.W) + _block(f"b[{l}]", "", d.b)
        out += _block(f"Z[{l}]", f"A[{l - 1}] @ W[{l}] + b[{l}]", t.Z[l])
        if l < L:
            out += _block(f"A[{l}]", f"{activation}(Z[{l}])", t.A[l])
    out += [f"  loss = {loss_formula} = {t.loss:.6f}", "",
            "Backward (every gradient is of the batch-mean loss)"]
    for l in range(L, 0, -1):
        if l == L:
            out += _block(f"dZ[{L}]", dz_formula, t.dZ[L])
        else:
            out += _block(f"dZ[{l}]", f"dA[{l}] ⊙ {activation}'(Z[{l}])", t.dZ[l])
            out.append(f"      ({DERIVATIVE[activation]})")
        out += _block(f"dW[{l}]", f"A[{l - 1}].T @ dZ[{l}]", t.dW[l])
        out += _block(f"db[{l}]", f"sum over the batch of dZ[{l}]", t.db[l])
        out += _block(f"dA[{l - 1}]", f"dZ[{l}] @ W[{l}].T", t.dA[l - 1])
    out += ["", "Check: each entry against the central difference (L(w + eps) - L(w - eps)) "
            "/ (2 eps), eps = 1e-6",
            f"  {'entry':<14}{'backprop':>16}{'finite diff':>16}{'|difference|':>14}"]
    pairs = gradcheck(model, loss_fn, X, y, arrays=True)
    pairs.pop("X")  # the input's gradient is shown above as dA[0], not checked here
    diffs = []
    for key, (grad, numeric) in pairs.items():
        p, l = key.split("/")
        for i in np.ndindex(grad.shape):
            diff = abs(grad[i] - numeric[i])
            name = f"d{p}[{l}]{list(i)}"
            out.append(f"  {name:<14}{grad[i]:>16.10f}{numeric[i]:>16.10f}{diff:>14.2e}")
            diffs.append((diff, name))
    worst, where = max(diffs)
    out.append(f"  largest difference: {worst:.2e} ({where})")
    return "\n".join(out)
