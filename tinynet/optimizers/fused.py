"""The fast path (``opt.fused = True``, the default): one update for all layers at once.

The formulas are element-wise: ``s = rho*s + (1-rho)*dW⊙dW`` treats every number on its
own. A Sequential keeps all its W and b as views of one FlatBuffer (``model.params``) and
its dW and db likewise (``model.grads``). So an element-wise optimizer can run its update
ONCE on those flat arrays instead of once per W and b: the numbers are the same, and a
small network's step costs a handful of numpy calls instead of a handful per array.

For that, the optimizer's state moves into FlatBuffers laid out the same way; the
per-layer entries ``s_dW[l]``, ``s_db[l]`` stay, as views into them, so reading or
changing ``s_dW[1]`` still reads or changes exactly layer 1's state.
"""

from __future__ import annotations

import numpy as np

from ..flatbuffer import FlatBuffer
from ..model import param_arrays


class FusedStep:
    """The flat arrays one fused update works on: ``param``, ``grad`` and ``state[sym]``.

    Build it with ``FusedStep.build``, which returns None when the step cannot be fused.
    """

    def __init__(self, params: FlatBuffer, grads: FlatBuffer, state: dict[str, np.ndarray]):
        self.params, self.grads = params, grads
        self.param, self.grad, self.state = params.flat, grads.flat, state

    @classmethod
    def build(cls, opt, model, layers: list) -> FusedStep | None:
        """The fused step of ``opt`` over ``model``'s ``layers``, or None when the optimizer
        is not element-wise or the layers' arrays are not the model's one-buffer views."""
        params, grads = getattr(model, "params", None), getattr(model, "grads", None)
        if not (opt.elementwise and isinstance(params, FlatBuffer)
                and isinstance(grads, FlatBuffer)):
            return None
        fused = cls(params, grads, {})
        if not fused.covers(layers):
            return None
        for sym in opt.state_symbols:  # s_dW[1], s_db[1], s_dgamma[2], ... into one buffer
            entries = [(getattr(opt, f"{sym}_d{p}"), l)
                       for l, layer in enumerate(layers, start=1) for p in layer.params]
            buf = FlatBuffer.pack([state[l] for state, l in entries])
            for (state, l), view in zip(entries, buf.views):
                state[l] = view
            fused.state[sym] = buf.flat
        return fused

    def covers(self, layers: list) -> bool:
        """True while every layer still holds the buffers' views (a user may have assigned
        ``layer.dW = ...``; the optimizer then prepares a new plan)."""
        return (self.params.holds(param_arrays(layers))
                and self.grads.holds(param_arrays(layers, "d")))
