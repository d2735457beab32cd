"""Plain stochastic gradient descent: one learning rate for every parameter."""

from __future__ import annotations

import numpy as np

from .base import Optimizer
from .registry import register


@register("sgd")
class SGD(Optimizer):
    """Stochastic gradient descent.

    For every layer l::

        W[l] -= lr * dW[l]
        b[l] -= lr * db[l]

    A direction with large gradients takes large steps, however badly that fits the
    other directions: SGD has no state to tell them apart.

    Parameters
    ----------
    lr : float
        Learning rate eta (> 0).
    weight_decay : float
        Coupled L2 penalty on W (default 0: off).
    """

    elementwise = True

    def __init__(self, lr: float = 0.01, weight_decay: float = 0.0):
        super().__init__(lr=lr, weight_decay=weight_decay)

    def update(self, W: np.ndarray, dW: np.ndarray) -> None:
        W -= self.lr * dW

    def fused_update(self, param: np.ndarray, grad: np.ndarray) -> None:
        """``update`` without a temporary array: param -= lr * grad."""
        step = np.multiply(self.lr, grad, out=self._scratch(param))
        param -= step
