"""Adam: Momentum's direction memory and RMSProp's scale memory, bias-corrected."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, divide, divide_into
from .registry import register


@register("adam")
class Adam(Optimizer):
    """Adam (adaptive moment estimation).

    For every layer l, at step t = 1, 2, ... (shown for W; b is the same with db)::

        v_dW[l] = beta1 * v_dW[l] + (1 - beta1) * dW          first moment, as Momentum
        s_dW[l] = beta2 * s_dW[l] + (1 - beta2) * dW ⊙ dW     second moment, as RMSProp
        v_hat   = v_dW[l] / (1 - beta1^t)                     bias correction: v and s
        s_hat   = s_dW[l] / (1 - beta2^t)                     start at zero
        W[l]   -= lr * v_hat / (sqrt(s_hat) + eps)

    Parameters
    ----------
    lr : float
        Learning rate eta (> 0).
    beta1, beta2 : float
        Decay rates of the first and second moments, in [0, 1).
    eps : float
        Added outside the square root (>= 0).
    weight_decay : float
        Coupled L2 penalty on W (default 0: off).
    """

    elementwise = True

    state_symbols = ("v", "s")

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.beta1 = self.decay_rate("beta1", beta1)
        self.beta2 = self.decay_rate("beta2", beta2)
        self.eps = self.non_negative("eps", eps)

    def update(self, W: np.ndarray, dW: np.ndarray, v: np.ndarray, s: np.ndarray) -> None:
        beta1, beta2, eps, lr, t = self.beta1, self.beta2, self.eps, self.lr, self.t
        v[...] = beta1 * v + (1 - beta1) * dW
        s[...] = beta2 * s + (1 - beta2) * (dW * dW)
        v_hat = v / (1 - beta1**t)
        s_hat = s / (1 - beta2**t)
        W -= lr * divide(v_hat, np.sqrt(s_hat) + eps)  # v_hat / (sqrt(s_hat) + eps), 0/0 -> 0

    def fused_update(self, param: np.ndarray, grad: np.ndarray, v: np.ndarray,
                     s: np.ndarray) -> None:
        """``update`` in place, in the same order of operations (same numbers, bit for bit)."""
        tmp, v_hat = self._scratch(param), self._scratch(param, 1)
        v *= self.beta1                                  # v = beta1 * v + (1 - beta1) * dW
        v += np.multiply(1 - self.beta1, grad, out=tmp)
        np.multiply(grad, grad, out=tmp)                 # s = beta2 * s + (1 - beta2) * dW * dW
        tmp *= 1 - self.beta2
        s *= self.beta2
        s += tmp
        np.divide(v, 1 - self.beta1**self.t, out=v_hat)  # v_hat
        np.divide(s, 1 - self.beta2**self.t, out=tmp)    # s_hat
        np.sqrt(tmp, out=tmp)
        tmp += self.eps
        step = divide_into(v_hat, tmp, self.eps)         # v_hat / (sqrt(s_hat) + eps)
        step *= self.lr
        param -= step                                    # W -= lr * ...

    def effective_lr(self, l: int) -> dict:
        """``lr / (sqrt(s_hat) + eps)``: the rate that multiplies the bias-corrected first
        moment ``v_hat`` (Adam steps along v_hat, not along the raw gradient)."""
        self._layer(l)
        s_hat = {p: getattr(self, f"s_d{p}")[l] / (1 - self.beta2**self.t) for p in "Wb"}
        with np.errstate(divide="ignore"):
            return {p: self.lr / (np.sqrt(s_hat[p]) + self.eps) for p in "Wb"}
