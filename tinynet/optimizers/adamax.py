"""AdaMax: Adam with the infinity norm in place of the second moment (Kingma & Ba, §7)."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, divide
from .registry import register


@register("adamax")
class AdaMax(Optimizer):
    """AdaMax, as PyTorch's ``Adamax``. For every layer l, at step t::

        v_dW[l] = beta1 * v_dW[l] + (1 - beta1) * dW
        u_dW[l] = max(beta2 * u_dW[l], |dW| + eps)
        W[l]   -= lr / (1 - beta1^t) * v_dW[l] / u_dW[l]

    Where RMSProp and Adam average squared gradients, u keeps the largest recent gradient
    size (decaying by beta2): one big gradient sets the scale for a while.

    Parameters
    ----------
    lr : float
        Learning rate (PyTorch's default 0.002).
    beta1, beta2 : float
        Decay rates of v and u, in [0, 1).
    eps : float
        Added to |dW| inside the maximum, so u is never 0 (>= 0).
    weight_decay : float
        Coupled L2 penalty on W (default 0: off).
    """

    elementwise = True
    state_symbols = ("v", "u")

    def __init__(self, lr: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.set_moment_rates(beta1, beta2, eps)

    def update(self, W: np.ndarray, dW: np.ndarray, v: np.ndarray, u: np.ndarray) -> None:
        beta1, beta2, eps, lr, t = self.beta1, self.beta2, self.eps, self.lr, self.t
        v[...] = beta1 * v + (1 - beta1) * dW
        u[...] = np.maximum(beta2 * u, np.abs(dW) + eps)
        W -= lr / (1 - beta1**t) * divide(v, u)  # v / u, where 0/0 -> 0

    def effective_lr(self, l: int) -> dict:
        """``lr / (1 - beta1^t) / u``: the rate that multiplies v."""
        params = self._layer(l).params
        with np.errstate(divide="ignore"):
            return {p: self.lr / (1 - self.beta1**self.t) / getattr(self, f"u_d{p}")[l]
                    for p in params}
