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

    ``amsgrad=True`` divides by the largest second moment seen so far instead, so a
    parameter's rate never grows back (Reddi et al.; PyTorch's ``amsgrad``)::

        s_max_dW[l] = max(s_max_dW[l], s_dW[l]);   s_hat = s_max_dW[l] / (1 - beta2^t)

    ``decoupled_weight_decay=True`` shrinks W directly, ``W *= 1 - lr * weight_decay``,
    before the step, instead of adding ``weight_decay * W`` to dW: that is AdamW.

    Parameters
    ----------
    lr : float
        Learning rate eta (> 0).
    beta1, beta2 : float
        Decay rates of the first and second moments, in [0, 1).
    eps : float
        Added outside the square root (>= 0).
    amsgrad : bool
        Use the running maximum of the second moment (adds state ``s_max``).
    weight_decay : float
        L2 penalty on W (default 0: off), coupled unless ``decoupled_weight_decay``.
    decoupled_weight_decay : bool
        Decay W directly (AdamW) instead of through the gradient.
    """

    elementwise = True

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        amsgrad: bool = False,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
    ):
        self.amsgrad = self.flag("amsgrad", amsgrad)
        self.state_symbols = ("v", "s") + ("s_max",) * self.amsgrad
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.set_moment_rates(beta1, beta2, eps)
        self.decoupled_weight_decay = self.flag("decoupled_weight_decay", decoupled_weight_decay)

    def update(self, W: np.ndarray, dW: np.ndarray, v: np.ndarray, s: np.ndarray,
               s_max: np.ndarray | None = None) -> None:
        beta1, beta2, eps, lr, t = self.beta1, self.beta2, self.eps, self.lr, self.t
        v[...] = beta1 * v + (1 - beta1) * dW
        s[...] = beta2 * s + (1 - beta2) * (dW * dW)
        if s_max is not None:  # AMSGrad: the largest second moment so far
            s_max[...] = np.maximum(s_max, s)
            s = s_max
        v_hat = v / (1 - beta1**t)
        s_hat = s / (1 - beta2**t)
        W -= lr * divide(v_hat, np.sqrt(s_hat) + eps)  # v_hat / (sqrt(s_hat) + eps), 0/0 -> 0

    def fused_update(self, param: np.ndarray, grad: np.ndarray, v: np.ndarray,
                     s: np.ndarray, s_max: np.ndarray | None = None) -> None:
        """``update`` in place, in the same order of operations (same numbers, bit for bit)."""
        tmp, v_hat = self._scratch(param), self._scratch(param, 1)
        v *= self.beta1                                  # v = beta1 * v + (1 - beta1) * dW
        v += np.multiply(1 - self.beta1, grad, out=tmp)
        np.multiply(grad, grad, out=tmp)                 # s = beta2 * s + (1 - beta2) * dW * dW
        tmp *= 1 - self.beta2
        s *= self.beta2
        s += tmp
        if s_max is not None:
            np.maximum(s_max, s, out=s_max)
            s = s_max
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
        params = self._layer(l).params
        sym = "s_max" if self.amsgrad else "s"
        s_hat = {p: getattr(self, f"{sym}_d{p}")[l] / (1 - self.beta2**self.t) for p in params}
        with np.errstate(divide="ignore"):
            return {p: self.lr / (np.sqrt(s_hat[p]) + self.eps) for p in params}


@register("adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's ``AdamW``::

        W[l] *= 1 - lr * weight_decay          then Adam's step, as above

    The decay no longer passes through Adam's per-parameter scaling, so every weight
    shrinks at the same relative rate. Defaults as PyTorch: ``weight_decay=0.01``.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, amsgrad: bool = False, weight_decay: float = 0.01):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad,
                         weight_decay=weight_decay, decoupled_weight_decay=True)
