"""RAdam: Adam that waits until its second moment can be trusted (Liu et al. 2020)."""

from __future__ import annotations

import math

import numpy as np

from .base import Optimizer, divide
from .registry import register


@register("radam")
class RAdam(Optimizer):
    """Rectified Adam, as PyTorch's ``RAdam``. At step t, with
    ``rho_inf = 2 / (1 - beta2) - 1`` and ``rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)``::

        v_dW[l] = beta1 * v_dW[l] + (1 - beta1) * dW
        s_dW[l] = beta2 * s_dW[l] + (1 - beta2) * dW ⊙ dW
        v_hat   = v_dW[l] / (1 - beta1^t)
        if rho_t > 5:
            r     = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            W[l] -= lr * v_hat * r * sqrt(1 - beta2^t) / (sqrt(s_dW[l]) + eps)
        else:
            W[l] -= lr * v_hat                          (Momentum alone)

    In the first steps s rests on too few gradients and Adam's per-parameter rates vary
    wildly (what warm-up schedules work around); RAdam uses plain momentum until the
    variance of the adaptive rate is bounded, then scales it in.

    Parameters
    ----------
    lr, beta1, beta2, eps : float
        As Adam.
    weight_decay : float
        L2 penalty on W, coupled unless ``decoupled_weight_decay``.
    decoupled_weight_decay : bool
        Decay W directly, as AdamW.
    """

    elementwise = True
    state_symbols = ("v", "s")

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0,
                 decoupled_weight_decay: bool = False):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.set_moment_rates(beta1, beta2, eps)
        self.decoupled_weight_decay = self.flag("decoupled_weight_decay", decoupled_weight_decay)

    def rectification(self, t: int) -> float | None:
        """r_t, or None while rho_t <= 5 (too few steps to trust s)."""
        beta2 = self.beta2
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho_t <= 5:
            return None
        return math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                         / ((rho_inf - 4) * (rho_inf - 2) * rho_t))

    def update(self, W: np.ndarray, dW: np.ndarray, v: np.ndarray, s: np.ndarray) -> None:
        beta1, beta2, eps, lr, t = self.beta1, self.beta2, self.eps, self.lr, self.t
        v[...] = beta1 * v + (1 - beta1) * dW
        s[...] = beta2 * s + (1 - beta2) * (dW * dW)
        v_hat = v / (1 - beta1**t)
        r = self.rectification(t)
        if r is None:
            W -= lr * v_hat
        else:
            step = divide(v_hat, np.sqrt(s) + eps)  # v_hat / (sqrt(s) + eps), where 0/0 -> 0
            W -= lr * r * math.sqrt(1 - beta2**t) * step
