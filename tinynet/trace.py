"""trace: one forward and backward pass with every quantity kept, numbered like the formulas.

    t = tn.trace(model, loss, X, y)
    t.A[0]          # the input of layer 1 (X itself unless a layer such as Dropout comes first)
    t.Z[l]          # layer l's output A[l-1] @ W[l] + b[l]
    t.A[l]          # after its activation (A[L] = Z[L]: the last layer has none)
    t.dA[l], t.dZ[l], t.dW[l], t.db[l]   # gradients of the batch-mean loss
    t.grads[l]      # every parameter gradient of layer l: {"dW": ..., "db": ...}
    t.loss

The layers are numbered as the optimizer numbers them: every layer that declares
parameters is one l (a BatchNorm too: its ``Z[l]`` is its output, ``t.grads[l]`` holds
``dgamma`` and ``dbeta``; ``dW``, ``db`` are kept for the Dense layers).

The pass runs the model's own layers, on a copy: the model, its weights, caches and
gradients, and any optimizer are left exactly as they were. Every array is a copy too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .losses import Loss
from .model import Sequential
from .validation import check_same_length


@dataclass
class Trace:
    """The quantities of one pass, each a dict keyed by layer number (``A[0]``, ``dA[0]``:
    the input of layer 1)."""

    A: dict = field(default_factory=dict)
    Z: dict = field(default_factory=dict)
    dA: dict = field(default_factory=dict)
    dZ: dict = field(default_factory=dict)
    dW: dict = field(default_factory=dict)
    db: dict = field(default_factory=dict)
    grads: dict = field(default_factory=dict)
    loss: float = float("nan")

    def __repr__(self) -> str:
        L = len(self.Z)
        shapes = ", ".join(f"Z[{l}] {self.Z[l].shape}" for l in range(1, L + 1))
        return f"Trace(L={L}, loss={self.loss:.6g}, A[0] {self.A[0].shape}, {shapes})"


def trace(model: Sequential, loss: Loss, X, y) -> Trace:
    """Run one forward and backward pass of ``model`` and ``loss`` on ``(X, y)`` and
    return every intermediate quantity (see the module docstring)."""
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a tinynet Sequential, got {type(model).__name__}")
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a tinynet Loss, got {type(loss).__name__}")
    X = model.check_input(X)
    y = loss.check_target(y, model.n_outputs)
    check_same_length(X, y)
    m = copy.deepcopy(model)  # the same layers and mode; nothing of the user's changes
    first = m.layers.index(m.param_layers[0])
    # group the layers: each layer l (one with parameters) with the layers after it, up to
    # the next one with parameters
    groups, l = {}, 0
    for layer in m.layers[first:]:
        l += layer in m.param_layers
        groups.setdefault(l, []).append(layer)

    t = Trace()
    out = X
    for layer in m.layers[:first]:
        out = layer.forward(out)
    t.A[0] = out.copy()
    for l, (layer_l, *after) in groups.items():
        out = layer_l.forward(out)
        t.Z[l] = out.copy()
        for layer in after:
            out = layer.forward(out)
        t.A[l] = out.copy()
    t.loss = loss.forward(out, y)

    grad = loss.backward()
    for l in reversed(groups):
        layer_l, *after = groups[l]
        t.dA[l] = grad.copy()
        for layer in reversed(after):
            grad = layer.backward(grad)
        t.dZ[l] = grad.copy()
        grad = layer_l.backward(grad)
        t.grads[l] = {f"d{p}": getattr(layer_l, f"d{p}").copy() for p in layer_l.params}
        if "dW" in t.grads[l] and "db" in t.grads[l]:
            t.dW[l], t.db[l] = t.grads[l]["dW"], t.grads[l]["db"]
    t.dA[0] = grad  # a new array: the first layer's dZ @ W.T
    return t
