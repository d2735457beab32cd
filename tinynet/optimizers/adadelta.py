"""Adadelta: RMSProp's sibling that also averages its own updates (Zeiler 2012)."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, divide
from .registry import register


@register("adadelta")
class Adadelta(Optimizer):
    """Adadelta, as PyTorch's ``Adadelta``. For every layer l::

        s_dW[l]     = rho * s_dW[l] + (1 - rho) * dW ⊙ dW          as RMSProp
        update      = sqrt(delta_dW[l] + eps) / sqrt(s_dW[l] + eps) ⊙ dW
        delta_dW[l] = rho * delta_dW[l] + (1 - rho) * update ⊙ update
        W[l]       -= lr * update

    Where RMSProp needs a global rate, Adadelta measures the step in the units of past
    steps: the ratio of two running RMS values. ``lr`` (1.0 by default, as PyTorch) only
    scales the result.

    Parameters
    ----------
    lr : float
        Scale of the update (> 0; 1.0 is the original algorithm).
    rho : float
        Decay rate of both averages, in [0, 1).
    eps : float
        Under both square roots (> 0: with no past steps, it sets the first step's size).
    weight_decay : float
        Coupled L2 penalty on W (default 0: off).
    """

    elementwise = True
    state_symbols = ("s", "delta")

    def __init__(self, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.rho = self.decay_rate("rho", rho)
        self.eps = self.non_negative("eps", eps)

    def update(self, W: np.ndarray, dW: np.ndarray, s: np.ndarray, delta: np.ndarray) -> None:
        rho, eps, lr = self.rho, self.eps, self.lr
        s[...] = rho * s + (1 - rho) * (dW * dW)
        root_s = np.sqrt(s + eps)
        update = np.sqrt(delta + eps) * divide(dW, root_s)  # where 0/0 -> 0
        delta[...] = rho * delta + (1 - rho) * (update * update)
        W -= lr * update

    def effective_lr(self, l: int) -> dict:
        """``lr * sqrt(delta + eps) / sqrt(s + eps)`` per parameter."""
        params = self._layer(l).params
        with np.errstate(divide="ignore", invalid="ignore"):
            return {p: self.lr * np.sqrt(getattr(self, f"delta_d{p}")[l] + self.eps)
                    / np.sqrt(getattr(self, f"s_d{p}")[l] + self.eps) for p in params}
