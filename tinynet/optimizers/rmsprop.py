"""RMSProp: each parameter's step is scaled by its recent gradient magnitude."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, divide, divide_into
from .registry import register


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

    Two options extend it; with their defaults the update is exactly the one above.

    ``centered=True`` also averages the gradient itself and divides by an estimate of
    its standard deviation instead of its root mean square::

        m_dW[l] = rho * m_dW[l] + (1 - rho) * dW
        W[l]   -= lr * dW / (sqrt(s_dW[l] - m_dW[l] ⊙ m_dW[l]) + eps)

    ``eps_inside=True`` puts eps under the square root, ``sqrt(s + eps)``, as TensorFlow's
    Keras RMSprop writes it: with eps = 1e-7 that is a floor of about 3e-4 under the
    denominator instead of 1e-7, which changes the steps of parameters with tiny gradients.

    ``momentum > 0`` accumulates the scaled gradient in a buffer and steps along it::

        buf_dW[l] = momentum * buf_dW[l] + dW / (sqrt(s_dW[l]) + eps)
        W[l]     -= lr * buf_dW[l]

    Parameters
    ----------
    lr : float
        Global learning rate eta (> 0).
    rho : float
        Decay rate of the squared-gradient average, in [0, 1).
    eps : float
        Added outside the square root for numerical stability (>= 0).
    centered : bool
        Divide by the centered (variance) estimate; adds state ``m_dW``, ``m_db``.
    momentum : float
        Momentum of the scaled step, in [0, 1); adds state ``buf_dW``, ``buf_db``.
    eps_inside : bool
        ``sqrt(s + eps)`` instead of ``sqrt(s) + eps``.
    weight_decay : float
        Coupled L2 penalty on W (default 0: off).
    """

    elementwise = True

    def __init__(
        self,
        lr: float = 0.001,
        rho: float = 0.9,
        eps: float = 1e-8,
        centered: bool = False,
        momentum: float = 0.0,
        eps_inside: bool = False,
        weight_decay: float = 0.0,
    ):
        centered = self.flag("centered", centered)
        self.eps_inside = self.flag("eps_inside", eps_inside)
        momentum = self.decay_rate("momentum", momentum)
        # The state follows the options: s always, m when centered, buf with momentum.
        self.state_symbols = ("s",) + ("m",) * bool(centered) + ("buf",) * (momentum > 0)
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.rho = self.decay_rate("rho", rho)
        self.eps = self.non_negative("eps", eps)
        self.centered, self.momentum = bool(centered), momentum

    def update(self, W: np.ndarray, dW: np.ndarray, s: np.ndarray,
               m: np.ndarray | None = None, buf: np.ndarray | None = None) -> None:
        rho, eps, lr = self.rho, self.eps, self.lr
        s[...] = rho * s + (1 - rho) * (dW * dW)
        if m is not None:  # centered: also the mean gradient, for the variance s - m⊙m
            m[...] = rho * m + (1 - rho) * dW
        if m is None and not self.eps_inside:
            denominator = np.sqrt(s) + eps
        else:
            variance = s if m is None else np.maximum(s - m * m, 0.0)  # never below 0
            denominator = np.sqrt(variance + eps) if self.eps_inside else np.sqrt(variance) + eps
        step = divide(dW, denominator)  # dW / (sqrt(s) + eps), where 0/0 -> 0
        if buf is not None:  # momentum: step along the running sum of scaled gradients
            buf[...] = self.momentum * buf + step
            step = buf
        W -= lr * step

    def fused_update(self, param: np.ndarray, grad: np.ndarray, s: np.ndarray,
                     m: np.ndarray | None = None, buf: np.ndarray | None = None) -> None:
        """``update`` in place, in the same order of operations (same numbers, bit for bit)."""
        tmp = self._scratch(param)
        np.multiply(grad, grad, out=tmp)        # dW * dW
        tmp *= 1 - self.rho                     # (1 - rho) * ...
        s *= self.rho                           # rho * s
        s += tmp                                # s = rho * s + (1 - rho) * dW * dW
        variance = s
        if m is not None:
            m *= self.rho                       # m = rho * m + (1 - rho) * dW
            m += np.multiply(1 - self.rho, grad, out=tmp)
            np.multiply(m, m, out=tmp)
            np.subtract(s, tmp, out=tmp)
            variance = np.maximum(tmp, 0.0, out=tmp)
        if self.eps_inside:
            np.add(variance, self.eps, out=tmp)  # sqrt(s + eps)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(variance, out=tmp)
            tmp += self.eps                     # sqrt(s) + eps
        step = divide_into(grad, tmp, self.eps)
        if buf is not None:
            buf *= self.momentum                # buf = momentum * buf + step
            buf += step
            step = np.multiply(self.lr, buf, out=tmp)
        else:
            step *= self.lr
        param -= step                           # W -= lr * step

    def effective_lr(self, l: int) -> dict:
        """``{"W": lr / (sqrt(s_dW[l]) + eps), "b": lr / (sqrt(s_db[l]) + eps)}``
        (centered: with ``s - m ⊙ m`` under the root)."""
        params = self._layer(l).params
        out = {}
        for p in params:
            s = getattr(self, f"s_d{p}")[l]
            if self.centered:
                m = getattr(self, f"m_d{p}")[l]
                s = np.maximum(s - m * m, 0.0)
            with np.errstate(divide="ignore"):
                root = np.sqrt(s + self.eps) if self.eps_inside else np.sqrt(s) + self.eps
                out[p] = self.lr / root
        return out
