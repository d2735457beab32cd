"""RMSProp: each parameter's step is scaled by its recent gradient magnitude."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, divide_into, register


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
        weight_decay: float = 0.0,
    ):
        if not isinstance(centered, (bool, np.bool_)):
            raise TypeError(f"centered must be True or False, got {centered!r}")
        momentum = self.decay_rate("momentum", momentum)
        # The state follows the options: s always, m when centered, buf with momentum.
        self.state_symbols = ("s",) + ("m",) * bool(centered) + ("buf",) * (momentum > 0)
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.rho = self.decay_rate("rho", rho)
        self.eps = self.non_negative("eps", eps)
        self.centered, self.momentum = bool(centered), momentum

    def update(self, param: np.ndarray, grad: np.ndarray, s: np.ndarray,
               m: np.ndarray | None = None, buf: np.ndarray | None = None) -> None:
        tmp = self._scratch(param)
        # s = rho * s + (1 - rho) * grad ⊙ grad
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - self.rho
        s *= self.rho
        s += tmp
        if m is not None:  # m = rho * m + (1 - rho) * grad
            m *= self.rho
            m += np.multiply(grad, 1.0 - self.rho, out=tmp)
        # step = grad / (sqrt(s) + eps)       (or sqrt(s - m ⊙ m) when centered)
        if m is None:
            np.sqrt(s, out=tmp)
            tmp += self.eps
        else:
            self._denominator(s, m, out=tmp)
        step = divide_into(grad, tmp, self.eps)
        if buf is not None:  # buf = momentum * buf + step;  param -= lr * buf
            buf *= self.momentum
            buf += step
            param -= np.multiply(buf, self.lr, out=tmp)
        else:  # param -= lr * step
            step *= self.lr
            param -= step

    def _denominator(self, s: np.ndarray, m: np.ndarray | None = None,
                     out: np.ndarray | None = None) -> np.ndarray:
        """``sqrt(s) + eps``, or ``sqrt(s - m ⊙ m) + eps`` when centered."""
        if m is None:
            out = np.sqrt(s, out=out)
        else:
            out = np.multiply(m, m, out=out)
            np.subtract(s, out, out=out)
            np.maximum(out, 0.0, out=out)  # a variance: rounding must not make it negative
            np.sqrt(out, out=out)
        out += self.eps
        return out

    def effective_lr(self, l: int) -> dict:
        """``{"W": lr / (sqrt(s_dW[l]) + eps), "b": lr / (sqrt(s_db[l]) + eps)}``
        (centered: with ``s - m ⊙ m`` under the root)."""
        self._layer(l)
        out = {}
        for p in "Wb":
            m = getattr(self, f"m_d{p}")[l] if self.centered else None
            with np.errstate(divide="ignore"):
                out[p] = self.lr / self._denominator(getattr(self, f"s_d{p}")[l], m)
        return out
