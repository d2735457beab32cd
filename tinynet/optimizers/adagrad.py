"""Adagrad: every squared gradient ever seen adds to the denominator."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, divide, divide_into
from .registry import register


@register("adagrad")
class Adagrad(Optimizer):
    """Adagrad.

    For every layer l::

        G_dW[l] += dW ⊙ dW
        G_db[l] += db ⊙ db
        W[l]    -= lr * dW / (sqrt(G_dW[l]) + eps)
        b[l]    -= lr * db / (sqrt(G_db[l]) + eps)

    Unlike RMSProp's running average, the sum G never forgets, so effective learning
    rates only shrink: RMSProp was proposed to fix exactly that.

    Parameters
    ----------
    lr : float
        Learning rate eta (> 0).
    eps : float
        Added outside the square root (>= 0).
    weight_decay : float
        Coupled L2 penalty on W (default 0: off).
    """

    elementwise = True

    state_symbols = ("G",)

    def __init__(self, lr: float = 0.01, eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.eps = self.non_negative("eps", eps)

    def update(self, W: np.ndarray, dW: np.ndarray, G: np.ndarray) -> None:
        eps, lr = self.eps, self.lr
        G += dW * dW
        W -= lr * divide(dW, np.sqrt(G) + eps)  # dW / (sqrt(G) + eps), 0/0 -> 0

    def fused_update(self, param: np.ndarray, grad: np.ndarray, G: np.ndarray) -> None:
        """``update`` in place, in the same order of operations (same numbers, bit for bit)."""
        tmp = self._scratch(param)
        G += np.multiply(grad, grad, out=tmp)  # G += dW * dW
        np.sqrt(G, out=tmp)                    # sqrt(G)
        tmp += self.eps                        #   + eps
        divide_into(grad, tmp, self.eps)       # dW / (sqrt(G) + eps)
        tmp *= self.lr
        param -= tmp                           # W -= lr * ...

    def effective_lr(self, l: int) -> dict:
        """``lr / (sqrt(G) + eps)`` per parameter."""
        params = self._layer(l).params
        with np.errstate(divide="ignore"):
            return {p: self.lr / (np.sqrt(getattr(self, f"G_d{p}")[l]) + self.eps) for p in params}
