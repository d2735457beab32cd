"""Lion: the sign of an interpolated momentum (Chen et al. 2023, "Symbolic Discovery")."""

from __future__ import annotations

import numpy as np

from .base import Optimizer
from .registry import register


@register("lion")
class Lion(Optimizer):
    """Lion, Algorithm 1 of the paper. For every layer l::

        c       = beta1 * v_dW[l] + (1 - beta1) * dW      the direction of this step
        W[l]   *= 1 - lr * weight_decay                   decoupled decay, as AdamW
        W[l]   -= lr * sign(c)
        v_dW[l] = beta2 * v_dW[l] + (1 - beta2) * dW      the momentum, updated after

    Every parameter moves by exactly lr (or not at all): the step keeps Momentum's
    direction memory but throws away all scale, which RMSProp's denominator only
    evens out. The paper's advice: a rate 3-10 times below AdamW's, a weight decay
    3-10 times above.

    Parameters
    ----------
    lr : float
        The size of every step (default 1e-4, as the paper's).
    beta1 : float
        Weight of the momentum in this step's direction, in [0, 1).
    beta2 : float
        Decay rate of the momentum, in [0, 1).
    weight_decay : float
        Decoupled decay of W (default 0: off).
    """

    elementwise = True
    decoupled_weight_decay = True
    state_symbols = ("v",)

    def __init__(self, lr: float = 1e-4, beta1: float = 0.9, beta2: float = 0.99,
                 weight_decay: float = 0.0):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.beta1 = self.decay_rate("beta1", beta1)
        self.beta2 = self.decay_rate("beta2", beta2)

    def update(self, W: np.ndarray, dW: np.ndarray, v: np.ndarray) -> None:
        beta1, beta2, lr = self.beta1, self.beta2, self.lr
        c = beta1 * v + (1 - beta1) * dW
        W -= lr * np.sign(c)
        v[...] = beta2 * v + (1 - beta2) * dW
