"""How an optimizer's step visits the parameters.

The formulas are element-wise: ``s = rho*s + (1-rho)*g⊙g`` treats every number on its
own. So when a model keeps all its parameters in one contiguous buffer (Sequential does:
W1, b1, W2, b2, ... back to back) and its gradients likewise, an element-wise optimizer
can apply its ``update`` ONCE to the whole buffer instead of once per array. The numbers
are identical; a small network's step needs 9 numpy calls instead of 9 per array. The
per-layer state (``s_dW[l]``, ``s_db[l]``) then lives in one buffer too, as views.

Otherwise the plan is one ``update`` per parameter array, W and b of every layer.
"""

from __future__ import annotations

import numpy as np


def one_buffer(arrays: list[np.ndarray]) -> np.ndarray | None:
    """The 1-D array that ``arrays`` tile exactly, back to back, or None."""
    base = arrays[0].base
    if base is None or base.ndim != 1 or not base.flags.c_contiguous:
        return None
    address = base.__array_interface__["data"][0]
    for a in arrays:
        if a.base is not base or not a.flags.c_contiguous or a.dtype != base.dtype:
            return None
        if a.__array_interface__["data"][0] != address:
            return None
        address += a.nbytes
    return base if sum(a.size for a in arrays) == base.size else None


def build(opt, layers: list) -> tuple[list, dict | None]:
    """The per-array plan, and the fused plan (or None) for ``opt`` over ``layers``.

    Per-array: ``[(layer, {sym: state of W}, {sym: state of b}), ...]``. Fused:
    ``{"param": buffer, "grad": buffer, "state": {sym: buffer}}``; building it moves the
    state into one buffer per symbol and makes ``s_dW[l]`` etc. views of it.
    """
    syms = opt.state_symbols
    fused = None
    if opt.elementwise:
        params = [a for layer in layers for a in (layer.W, layer.b)]
        grads = [a for layer in layers for a in (layer.dW, layer.db)]
        param, grad = one_buffer(params), one_buffer(grads)
        if param is not None and grad is not None and param.dtype == grad.dtype:
            fused = {"param": param, "grad": grad, "state": {}}
            for sym in syms:
                flat = np.empty_like(param)
                offset = 0
                for l in range(1, len(layers) + 1):
                    for p in "Wb":
                        state = getattr(opt, f"{sym}_d{p}")
                        view = flat[offset : offset + state[l].size].reshape(state[l].shape)
                        view[...] = state[l]
                        state[l] = view
                        offset += view.size
                fused["state"][sym] = flat
    per_array = [(layer, *({sym: getattr(opt, f"{sym}_d{p}")[l] for sym in syms} for p in "Wb"))
                 for l, layer in enumerate(layers, start=1)]
    return per_array, fused


def arrays_of(layers: list) -> list[tuple]:
    """What a plan depends on: every layer's W, b, dW, db array objects."""
    return [(layer.W, layer.b, layer.dW, layer.db) for layer in layers]


def still_valid(planned: list[tuple], layers: list) -> bool:
    """True while every layer holds the very arrays the plan was built for (a user may
    assign ``layer.dW = ...``; the plan is then rebuilt)."""
    if len(planned) != len(layers):
        return False
    for (W, b, dW, db), layer in zip(planned, layers):
        if layer.W is not W or layer.dW is not dW or layer.b is not b or layer.db is not db:
            return False
    return True
