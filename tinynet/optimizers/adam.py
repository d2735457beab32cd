"""Adam: Momentum's direction memory and RMSProp's scale memory, bias-corrected."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, divide_into, register


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

    def update(self, param: np.ndarray, grad: np.ndarray, v: np.ndarray, s: np.ndarray) -> None:
        tmp = self._scratch(param)
        # v = beta1 * v + (1 - beta1) * grad
        v *= self.beta1
        v += np.multiply(grad, 1.0 - self.beta1, out=tmp)
        # s = beta2 * s + (1 - beta2) * grad ⊙ grad
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - self.beta2
        s *= self.beta2
        s += tmp
        # param -= lr * v_hat / (sqrt(s_hat) + eps)
        divide_into(v, self._denominator(s, out=tmp), self.eps)
        tmp *= self.lr / (1.0 - self.beta1**self.t)  # lr * v_hat / ... with v_hat = v / (1-beta1^t)
        param -= tmp

    def _denominator(self, s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``sqrt(s_hat) + eps`` with ``s_hat = s / (1 - beta2^t)``."""
        out = np.divide(s, 1.0 - self.beta2**self.t, out=out)
        np.sqrt(out, out=out)
        out += self.eps
        return out

    def effective_lr(self, l: int) -> dict:
        """``lr / (sqrt(s_hat) + eps)``: the rate that multiplies the bias-corrected first
        moment ``v_hat`` (Adam steps along v_hat, not along the raw gradient)."""
        self._layer(l)
        with np.errstate(divide="ignore"):
            return {p: self.lr / self._denominator(getattr(self, f"s_d{p}")[l]) for p in "Wb"}
