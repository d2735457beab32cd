"""The backprop exercises: a Dense layer forward and backward, ReLU's backward, softmax
cross-entropy. Batches are rows (``Z = X @ W + b``); the loss is the batch mean, so its
gradient ``dZ`` already includes 1/B and nothing below divides by B again.

The right answers come from tinynet's own layers and loss; the cases are non-square (a
transposed product fails or gives the wrong shape), Z holds exact zeros (relu'(0)), and
some logits are near +1000 or -1000 (softmax overflows unless each row's max is removed).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..layers import Dense, ReLU
from ..losses import SoftmaxCrossEntropy
from .grader import Exercise

B, N_IN, N_OUT = 5, 3, 4  # no two equal: every transposition shows


# The cases are data, made once: the same arrays for every learner and every run.
_draw = np.random.default_rng(7)
DENSE_CASE = (_draw.standard_normal((B, N_IN)), _draw.standard_normal((N_IN, N_OUT)),
              _draw.standard_normal(N_OUT))                           # X, W, b
BACKWARD_CASE = (*DENSE_CASE[:2], _draw.standard_normal((B, N_OUT)) / B)  # X, W, dZ (1/B in)
_Z = _draw.standard_normal((B, N_OUT))
_Z[::2, 1] = 0.0  # exact zeros: relu'(0) is 0
# dA: all different, and negative where Z > 0.5, so a mask taken from dA differs
RELU_CASE = (_Z, np.arange(1.0, B * N_OUT + 1).reshape(B, N_OUT) * np.where(_Z > 0.5, -1, 1))
LABELS = np.array([0, 3, 1, 3, 2])
LOGITS_NEAR_0 = (_draw.standard_normal((B, N_OUT)), LABELS)
LOGITS_FAR_APART = (3 * _draw.standard_normal((B, N_OUT))  # rows near +-1000: exp overflows
                    + np.array([[1000.0], [-1000.0], [990.0], [-990.0], [5.0]]), LABELS)


def run_calls(fn, dtype, *, cases: list, outputs: tuple, inputs: tuple) -> dict:
    """Call fn on copies of each case's arrays and collect, by name, what it returned and
    whether it changed an input in place (``Exercise.run`` is this, with its cases bound)."""
    results = {}
    for label, case in cases:
        args = [a.astype(dtype) if a.dtype.kind == "f" else a.copy() for a in case]
        given = [a.copy() for a in args]  # the learner's copies: did it change them?
        out = fn(*given)
        if len(outputs) > 1:
            results[f"the result ({label})"] = _count(out, outputs)
            out = out if isinstance(out, (tuple, list)) else ()
        for name, value in zip(outputs, out if len(outputs) > 1 else (out,)):
            results[f"{name} ({label})"] = value
        for name, before, after in zip(inputs, args, given):
            results[f"input {name} ({label})"] = (
                "unchanged" if np.array_equal(before, after)
                else "changed in place")
    return results


def _count(out, outputs: tuple) -> str:
    """"3 values (dX, dW, db)" for a tuple or list of as many values as ``outputs``."""
    if isinstance(out, (tuple, list)):
        n = len(out)
        return f"{n} values ({', '.join(outputs)})" if n == len(outputs) else f"{n} values"
    return "None" if out is None else f"one {type(out).__name__}"


# ----- dense_forward(X, W, b) -> Z -----------------------------------------------------------

def _layer(W, b=None) -> Dense:
    """A float64 Dense layer holding W (and b: the backward pass does not use it)."""
    layer = Dense(*W.shape)
    layer.W[...] = W
    if b is not None:
        layer.b[...] = b
    return layer


def dense_forward(X, W, b):
    return _layer(W, b).forward(X)


DENSE_FORWARD = Exercise(
    name="dense_forward", signature="dense_forward(X, W, b) -> Z",
    task="The output of a Dense layer for a batch X (one sample per row).",
    formula="Z = X W + b      X: (B, n_in), W: (n_in, n_out), b: (n_out,) -> Z: (B, n_out)",
    run=partial(run_calls, cases=[("B=5, n_in=3, n_out=4", DENSE_CASE)], outputs=("Z",),
                inputs=("X", "W", "b")),
    reference=dense_forward,
    shapes=f"X ({B}, {N_IN}), W ({N_IN}, {N_OUT}), b ({N_OUT},); "
                         f"Z = X @ W + b has shape ({B}, {N_OUT})",
    mistakes=[
        ("the bias b is missing: Z = X W + b", lambda X, W, b: X @ W),
        ("b was subtracted: Z = X W + b", lambda X, W, b: X @ W - b),
        ("ReLU was applied: dense_forward returns Z = X W + b, before the activation",
         lambda X, W, b: np.maximum(X @ W + b, 0)),
    ])


# ----- dense_backward(X, W, dZ) -> (dX, dW, db) ----------------------------------------------

def dense_backward(X, W, dZ):
    layer = _layer(W)
    layer.forward(X)
    dX = layer.backward(dZ)
    return dX, layer.dW, layer.db


def _backward_wrong(X, W, dZ, *, dX=1.0, dW=1.0, db=1.0, db_axis=0, keepdims=False,
                    order=False, dW_transposed=False):
    """dense_backward with one thing changed (the flags say what)."""
    grads = (dZ @ W.T * dX, (dZ.T @ X if dW_transposed else X.T @ dZ) * dW,
             dZ.sum(axis=db_axis, keepdims=keepdims) * db)
    return (grads[1], grads[2], grads[0]) if order else grads


DENSE_BACKWARD = Exercise(
    name="dense_backward", signature="dense_backward(X, W, dZ) -> (dX, dW, db)",
    task="The Dense layer's backward pass: the gradients of its input, W and b, given dZ.",
    formula="dW = Xᵀ dZ,   db = the sum of dZ over the batch (the rows),   dX = dZ Wᵀ\n"
            "dZ is already the batch-mean gradient: it includes 1/B",
    run=partial(run_calls, cases=[("B=5, n_in=3, n_out=4", BACKWARD_CASE)],
                outputs=("dX", "dW", "db"), inputs=("X", "W", "dZ")),
    reference=dense_backward,
    shapes=f"X ({B}, {N_IN}), W ({N_IN}, {N_OUT}), dZ ({B}, {N_OUT}); "
                         f"dX = dZ @ W.T has shape (B, n_in) = ({B}, {N_IN}), dW has W's "
                         f"shape ({N_IN}, {N_OUT}), db has b's shape ({N_OUT},)",
    mistakes=[
        ("dW has an extra 1/B: dZ already includes it", partial(_backward_wrong, dW=1 / B)),
        ("db has an extra 1/B (a mean over the batch): dZ already includes 1/B, so db is "
         "the sum", partial(_backward_wrong, db=1 / B)),
        ("dX has an extra 1/B: dZ already includes it", partial(_backward_wrong, dX=1 / B)),
        ("dX, dW and db each have an extra 1/B: dZ already includes it",
         partial(_backward_wrong, dX=1 / B, dW=1 / B, db=1 / B)),
        ("db summed over axis 1 (features) instead of 0 (samples)",
         partial(_backward_wrong, db_axis=1)),
        ("db summed over every entry: sum over axis 0 (the samples) only",
         partial(_backward_wrong, db_axis=None)),
        (f"db has shape (1, {N_OUT}): sum over axis 0 without keepdims, b's shape",
         partial(_backward_wrong, keepdims=True)),
        ("dW is transposed: dW = Xᵀ dZ has W's shape (n_in, n_out)",
         partial(_backward_wrong, dW_transposed=True)),
        ("the results are in another order: return dX, dW, db",
         partial(_backward_wrong, order=True)),
    ])


# ----- relu_backward(Z, dA) -> dZ ------------------------------------------------------------

def relu_backward(Z, dA):
    relu = ReLU()
    relu.forward(Z)
    return relu.backward(dA)


def _relu_in_place(Z, dA):
    dA[Z <= 0] = 0
    return dA


RELU_BACKWARD = Exercise(
    name="relu_backward", signature="relu_backward(Z, dA) -> dZ",
    task="ReLU's backward pass: dZ = dLoss/dZ from dA = dLoss/dA, where A = relu(Z).",
    formula="dZ = dA ⊙ relu'(Z),   relu'(Z) = 1 where Z > 0, else 0 (also at Z = 0)",
    run=partial(run_calls, cases=[("Z with exact zeros", RELU_CASE)], outputs=("dZ",),
                inputs=("Z", "dA")),
    reference=relu_backward,
    shapes=f"Z ({B}, {N_OUT}), dA ({B}, {N_OUT}); dZ has their shape",
    mistakes=[
        ("relu'(0) must be 0: use Z > 0", lambda Z, dA: dA * (Z >= 0)),
        ("the mask is inverted: dA passes where Z > 0", lambda Z, dA: dA * (Z <= 0)),
        ("the mask comes from Z (the layer's input), not from dA",
         lambda Z, dA: dA * (dA > 0)),
        ("multiplied by Z: relu'(Z) is 1 where Z > 0 and 0 elsewhere, not Z",
         lambda Z, dA: dA * Z),
        ("returned the mask Z > 0 itself: multiply it by dA",
         lambda Z, dA: (Z > 0).astype(Z.dtype)),
        ("dA was changed in place: the caller's array is overwritten; compute a new "
         "dZ = dA * (Z > 0)", _relu_in_place),
    ])


# ----- softmax_cross_entropy(Z, y) -> (loss, dZ) ---------------------------------------------

def softmax_cross_entropy(Z, y):
    loss = SoftmaxCrossEntropy()
    return loss.forward(Z, y), loss.backward()


def _softmax_wrong(Z, y, *, shift="row", axis=1, mean=True, minus=True, pick="true",
                   sign=1, one_hot=True, per_B=True, precedence=False):
    """softmax_cross_entropy with one thing changed (the flags say what)."""
    n = len(y)
    if shift == "row":
        Z = Z - Z.max(axis=1, keepdims=True)
    elif shift == "batch":
        Z = Z - Z.max()
    E = np.exp(Z)
    P = E / E.sum(axis=axis, keepdims=True)
    Y = np.eye(Z.shape[1])[y]
    logs = {"true": np.log(P[np.arange(n), y]), "all": np.log(P), "block": np.log(P[:, y]),
            "every entry": Y * np.log(P)}
    loss = (np.mean if mean else np.sum)(logs[pick])
    Y = Y if one_hot else 0
    dZ = P - Y / n if precedence else (P - Y) / (n if per_B else 1)
    return -loss if minus else loss, sign * dZ


SOFTMAX_CROSS_ENTROPY = Exercise(
    name="softmax_cross_entropy", signature="softmax_cross_entropy(Z, y) -> (loss, dZ)",
    task="Softmax cross-entropy of logits Z and integer labels y: the loss and dLoss/dZ.",
    formula="P = softmax(Z), row by row: P[i] = exp(Z[i] - max Z[i]) / sum of the same\n"
            "loss = -(1/B) Σ_i log P[i, y_i]     (the batch mean)\n"
            "dZ = (P - Y) / B                      Y: the one-hot labels",
    run=partial(run_calls, cases=[("logits near 0", LOGITS_NEAR_0),
                   ("logits near +1000 and -1000", LOGITS_FAR_APART)], outputs=("loss", "dZ"),
                inputs=("Z", "y")),
    reference=softmax_cross_entropy,
    shapes=f"Z ({B}, {N_OUT}), y ({B},) integer classes; loss is a number, "
                         f"dZ has Z's shape ({B}, {N_OUT})",
    mistakes=[
        ("softmax overflowed for large logits: subtract each row's max before exp",
         partial(_softmax_wrong, shift="none")),
        ("the max of the whole batch was subtracted: subtract each row's max "
         "(axis=1, keepdims=True)", partial(_softmax_wrong, shift="batch")),
        ("softmax normalised over the batch (axis 0) instead of over the classes (axis 1)",
         partial(_softmax_wrong, axis=0)),
        ("the loss is the sum over the batch, not the mean", partial(_softmax_wrong, mean=False)),
        ("the loss is negative: it is -log P of the true class",
         partial(_softmax_wrong, minus=False)),
        ("the loss averaged log P over every class: take each sample's true class only, "
         "P[np.arange(B), y]", partial(_softmax_wrong, pick="all")),
        ("the loss is divided by B·C (a mean over every entry of Y ⊙ log P): sum over the "
         "classes, then average over the batch", partial(_softmax_wrong, pick="every entry")),
        ("P[:, y] picks a B x B block: use P[np.arange(B), y]",
         partial(_softmax_wrong, pick="block")),
        ("dZ has the wrong sign: P - Y, not Y - P", partial(_softmax_wrong, sign=-1)),
        ("dZ = P / B: subtract the one-hot labels Y", partial(_softmax_wrong, one_hot=False)),
        ("dZ is missing 1/B: the loss is the batch mean", partial(_softmax_wrong, per_B=False)),
        ("dZ = P - Y / B: the brackets are missing, (P - Y) / B",
         partial(_softmax_wrong, precedence=True)),
    ])

EXERCISES = [DENSE_FORWARD, DENSE_BACKWARD, RELU_BACKWARD, SOFTMAX_CROSS_ENTROPY]
