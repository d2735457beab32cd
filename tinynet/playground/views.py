"""What a panel shows beyond its curves: the network view (each neuron's output over the
input plane, and the weights) and the teaching signals (divergence, saturation, dead ReLUs,
eps dominating, a rising loss), worded for the panel they concern.

Every forward pass here uses fresh activation layers, so the model's caches (ReLU masks,
inputs kept for backward) stay those of its last training step.
"""

from __future__ import annotations

import numpy as np

from ..layers import Dense, ReLU, Sigmoid, Tanh
from ..teaching import eps_dominates, loss_rising

NEURON_GRID, EXTENT = 20, 2.5


def hidden_outputs(model, X: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Each hidden layer's output (after its activation) for inputs X, and the logits."""
    outputs, A = [], X
    for layer in model.layers:  # Dense, activation, ..., Dense: every activation is hidden
        if isinstance(layer, Dense):
            A = A @ layer.W + layer.b
        else:
            A = type(layer)(**layer.config()).forward(A)
            outputs.append(A)
    return outputs, A


def network_view(session, model) -> dict:
    """The inputs, hidden neurons and outputs as columns, each neuron its output over the
    plane (NEURON_GRID x NEURON_GRID values, row by row from the bottom), with the column's
    range for the colours; and every weight matrix."""
    lin = np.linspace(-EXTENT, EXTENT, NEURON_GRID)
    gx, gy = np.meshgrid(lin, lin)
    X = session.inputs(np.c_[gx.ravel(), gy.ravel()])
    hidden, logits = hidden_outputs(model, X)  # (Session.state ignores a diverged run's NaN)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = shifted / shifted.sum(axis=1, keepdims=True)
    columns = [X, *hidden, probs]
    return {"grid": NEURON_GRID,
            "columns": [{"lo": _finite(np.min(c), 0.0), "hi": _finite(np.max(c), 1.0),
                         "neurons": np.round(np.nan_to_num(c.T), 3).tolist()}
                        for c in columns],
            "weights": [np.round(np.nan_to_num(d.W), 4).tolist() for d in model.dense_layers]}


def signals(session, i: int) -> list[str]:
    """The teaching signals of panel i, most urgent first."""
    tr = session.trainers[i]
    if session.diverged[i] is not None:
        return [f"diverged at step {session.diverged[i]}: lr too large? (this panel stopped "
                f"there; reset to start again)"]
    found = []
    hidden, _ = hidden_outputs(tr.model, session.inputs(session.X_train))
    acts = [layer for layer in tr.model.layers if not isinstance(layer, Dense)]
    for l, (A, act) in enumerate(zip(hidden, acts), start=1):
        message = _saturated(l, A, act) or _dead(l, A, act)
        if message:
            found.append(message)
    if session.steps >= session.batches_per_epoch:  # as fit does, after the first epoch
        found += [message for _, message in eps_dominates(tr.optimizer, tr.model)]
    rising = loss_rising(session.epoch_losses[i], tr.optimizer.lr)
    return found + ([rising] if rising else [])


def _saturated(l: int, A: np.ndarray, act) -> str | None:
    """Most of a tanh or sigmoid layer's outputs at its flat ends: its gradient is ~0."""
    if isinstance(act, Tanh):
        share, where = float(np.mean(np.abs(A) > 0.99)), "beyond ±0.99"
    elif isinstance(act, Sigmoid):
        share, where = float(np.mean((A < 0.01) | (A > 0.99))), "below 0.01 or above 0.99"
    else:
        return None
    if share <= 0.5:
        return None
    name = type(act).__name__.lower()
    return (f"layer {l} is saturated: {share:.0%} of its {name} outputs on the training "
            f"points are {where}, where {name}' is almost 0 and little gradient passes: "
            f"lr too large?")


def _dead(l: int, A: np.ndarray, act) -> str | None:
    """More than half of a ReLU layer's units output 0 on every training point."""
    if not isinstance(act, ReLU):
        return None
    dead = float(np.mean(~(A > 0).any(axis=0)))
    if dead <= 0.5:
        return None
    return (f"{dead:.0%} of the ReLU units of layer {l} are dead (0 on every training "
            f"point), so they pass no gradient: try a smaller lr, or leaky_relu")


def histogram(values: np.ndarray, bins: int = 20) -> dict:
    values = values[np.isfinite(values)]
    if not values.size:
        return {"edges": [], "counts": []}
    counts, edges = np.histogram(values, bins=bins)
    return {"edges": np.round(edges, 3).tolist(), "counts": counts.tolist()}


def _finite(value, default: float) -> float:
    value = float(value)
    return value if np.isfinite(value) else default
