"""RMSProp: each parameter's step is scaled by its recent gradient magnitude."""

from __future__ import annotations

import numpy as np

from ..validation import check_number
from .base import Optimizer, register


@register("rmsprop")
class RMSProp(Optimizer):
    """RMSProp, layer-wise, exactly as in the article.

    For every layer l, with ⊙, sqrt and / element-wise::

        s_dW[l] = rho * s_dW[l] + (1 - rho) * dW ⊙ dW
        s_db[l] = rho * s_db[l] + (1 - rho) * db ⊙ db
        W[l]   -= lr * dW / (sqrt(s_dW[l]) + eps)
        b[l]   -= lr * db / (sqrt(s_db[l]) + eps)

    ``s`` remembers the scale of recent gradients, not their direction, so a direction
    with consistently large gradients gets a large denominator and a small step. The
    effective learning rate of parameter j is ``lr / (sqrt(s_j) + eps)``.

    Parameters
    ----------
    lr : float
        Global learning rate eta (> 0).
    rho : float
        Decay rate of the squared-gradient average, in [0, 1).
    eps : float
        Added outside the square root for numerical stability (>= 0).
    weight_decay : float
        Coupled L2 penalty on W (default 0: off).
    """

    state_symbols = ("s",)

    def __init__(
        self, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8, weight_decay: float = 0.0
    ):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.rho = check_number("rho", rho, low=0.0, high=1.0, high_open=True)
        self.eps = check_number("eps", eps, low=0.0)

    def update(self, param: np.ndarray, grad: np.ndarray, s: np.ndarray) -> None:
        tmp = self._scratch(param)
        # s = rho * s + (1 - rho) * grad ⊙ grad
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - self.rho
        s *= self.rho
        s += tmp
        # param -= lr * grad / (sqrt(s) + eps)
        denominator = self.denominator(s, out=tmp)
        if self.eps == 0:  # the article's simplified form: a 0/0 (no gradient yet) moves nothing
            np.divide(grad, denominator, out=tmp, where=denominator != 0)
        else:
            np.divide(grad, denominator, out=tmp)
        tmp *= self.lr
        param -= tmp

    def denominator(self, s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``sqrt(s) + eps``, the per-parameter scale the gradient is divided by."""
        out = np.sqrt(s, out=out)
        out += self.eps
        return out

    def effective_lr(self, l: int) -> dict:
        """``{"W": lr / (sqrt(s_dW[l]) + eps), "b": lr / (sqrt(s_db[l]) + eps)}``."""
        self._layer(l)
        with np.errstate(divide="ignore"):
            return {p: self.lr / self.denominator(getattr(self, f"s_d{p}")[l]) for p in "Wb"}
