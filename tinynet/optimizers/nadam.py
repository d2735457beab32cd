"""NAdam: Adam whose momentum looks ahead, as Nesterov's does (Dozat 2016)."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, divide
from .registry import register


@register("nadam")
class NAdam(Optimizer):
    """Nesterov-accelerated Adam, as PyTorch's ``NAdam`` (with its momentum schedule).

    At step t, with ``mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))`` and
    ``prod_t = mu_1 * ... * mu_t``::

        v_dW[l] = beta1 * v_dW[l] + (1 - beta1) * dW
        s_dW[l] = beta2 * s_dW[l] + (1 - beta2) * dW ⊙ dW
        s_hat   = s_dW[l] / (1 - beta2^t)
        W[l]   -= lr * (1 - mu_t) / (1 - prod_t) * dW / (sqrt(s_hat) + eps)
                + lr * mu_{t+1} / (1 - prod_t * mu_{t+1}) * v_dW[l] / (sqrt(s_hat) + eps)

    The first term is this step's gradient, the second the momentum one step ahead:
    Adam's direction memory, applied where it is about to take the parameter.

    Parameters
    ----------
    lr, beta1, beta2, eps : float
        As Adam (PyTorch's defaults: lr 0.002).
    momentum_decay : float
        psi in mu_t's schedule (>= 0; PyTorch's default 0.004).
    weight_decay : float
        L2 penalty on W, coupled unless ``decoupled_weight_decay``.
    decoupled_weight_decay : bool
        Decay W directly, as AdamW.
    """

    elementwise = True
    state_symbols = ("v", "s")

    def __init__(self, lr: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, momentum_decay: float = 0.004, weight_decay: float = 0.0,
                 decoupled_weight_decay: bool = False):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.set_moment_rates(beta1, beta2, eps)
        self.momentum_decay = self.non_negative("momentum_decay", momentum_decay)
        self.decoupled_weight_decay = self.flag("decoupled_weight_decay", decoupled_weight_decay)

    def mu(self, t: int) -> float:
        """The momentum coefficient of step t."""
        return self.beta1 * (1 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def mu_product(self, t: int) -> float:
        """``mu_1 * ... * mu_t``: a function of t alone, kept from one step to the next."""
        key = (self.beta1, self.momentum_decay)
        cached_t, product = getattr(self, "_product", {}).get(key, (0, 1.0))
        if cached_t > t:
            cached_t, product = 0, 1.0
        for i in range(cached_t + 1, t + 1):  # one factor per step in training
            product *= self.mu(i)
        self._product = {key: (t, product)}
        return product

    def update(self, W: np.ndarray, dW: np.ndarray, v: np.ndarray, s: np.ndarray) -> None:
        beta1, beta2, eps, lr, t = self.beta1, self.beta2, self.eps, self.lr, self.t
        mu, mu_next, product = self.mu(t), self.mu(t + 1), self.mu_product(t)
        v[...] = beta1 * v + (1 - beta1) * dW
        s[...] = beta2 * s + (1 - beta2) * (dW * dW)
        denominator = np.sqrt(s / (1 - beta2**t)) + eps
        W -= lr * (1 - mu) / (1 - product) * divide(dW, denominator)
        W -= lr * mu_next / (1 - product * mu_next) * divide(v, denominator)
