"""Momentum: an exponentially weighted average of gradients remembers direction."""

from __future__ import annotations

import numpy as np

from .base import Optimizer
from .registry import register


@register("momentum")
class Momentum(Optimizer):
    """Gradient descent with momentum (the exponentially weighted form).

    For every layer l::

        v_dW[l] = beta * v_dW[l] + (1 - beta) * dW
        v_db[l] = beta * v_db[l] + (1 - beta) * db
        W[l]   -= lr * v_dW[l]
        b[l]   -= lr * v_db[l]

    ``v`` remembers the direction of recent gradients: components that keep their sign
    build up, components that flip back and forth cancel out.

    ``nesterov=True`` steps from where the momentum is about to take the parameter
    (Nesterov's look-ahead), in the same averaged form::

        W[l] -= lr * (beta * v_dW[l] + (1 - beta) * dW)      (v already updated)

    This is PyTorch's ``SGD(lr=lr * (1 - beta), momentum=beta, nesterov=True)``: the
    averaged v is (1 - beta) times PyTorch's summed buffer.

    Parameters
    ----------
    lr : float
        Learning rate eta (> 0).
    beta : float
        Decay rate of the gradient average, in [0, 1).
    nesterov : bool
        Step along the look-ahead ``beta * v + (1 - beta) * dW`` instead of ``v``.
    weight_decay : float
        Coupled L2 penalty on W (default 0: off).
    """

    elementwise = True

    state_symbols = ("v",)

    def __init__(self, lr: float = 0.01, beta: float = 0.9, nesterov: bool = False,
                 weight_decay: float = 0.0):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.beta = self.decay_rate("beta", beta)
        self.nesterov = self.flag("nesterov", nesterov)

    def update(self, W: np.ndarray, dW: np.ndarray, v: np.ndarray) -> None:
        beta, lr = self.beta, self.lr
        v[...] = beta * v + (1 - beta) * dW
        step = beta * v + (1 - beta) * dW if self.nesterov else v
        W -= lr * step

    def fused_update(self, param: np.ndarray, grad: np.ndarray, v: np.ndarray) -> None:
        """``update`` in place, in the same order of operations (same numbers, bit for bit)."""
        tmp = self._scratch(param)
        v *= self.beta                                  # beta * v
        v += np.multiply(1 - self.beta, grad, out=tmp)  #   + (1 - beta) * dW
        if self.nesterov:                               # beta * v + (1 - beta) * dW
            step = np.multiply(self.beta, v, out=self._scratch(param, 1))
            step += tmp
        else:
            step = v
        param -= np.multiply(self.lr, step, out=tmp)    # W -= lr * step
