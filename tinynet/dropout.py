"""Dropout: the mask lesson of backprop, and why a model has a training mode."""

from __future__ import annotations

import numpy as np

from .layers import Layer
from .validation import check_number


class Dropout(Layer):
    """Inverted dropout: while training, each unit is kept with probability ``1 - p``::

        mask = (u >= p) / (1 - p)      u ~ Uniform(0, 1), drawn anew each forward pass
        Y = X ⊙ mask                   dX = dY ⊙ mask

    Dividing by ``1 - p`` keeps the expected output equal to X, so in evaluation mode
    (``model.eval()``) the layer passes X through unchanged.

    Parameters
    ----------
    p : float
        Probability of dropping a unit, in [0, 1).
    rng : numpy.random.Generator, optional
        Source of the masks (a fresh unseeded generator if omitted).

    Attributes
    ----------
    resample : bool
        True (default): a new mask every forward pass. Gradient checks set it False to
        differentiate one fixed mask.
    """

    _mask = None
    _shape = None
    resample = True

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None):
        self.p = check_number("p", p, low=0.0, high=1.0, high_open=True)
        if rng is None:
            rng = np.random.default_rng()
        elif not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        self.rng = rng

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = self._input(X)
        self._shape = X.shape
        if not self.training or self.p == 0:
            self._mask = None
            return X
        if self.resample or self._mask is None or self._mask.shape != X.shape:
            keep = self.rng.random(X.shape) >= self.p
            self._mask = keep.astype(X.dtype) / X.dtype.type(1 - self.p)
        Y = X * self._mask
        Y += 0.0  # a dropped negative unit is -0.0; show +0.0
        return Y

    def backward(self, dY: np.ndarray) -> np.ndarray:
        if self._shape is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        if not isinstance(dY, np.ndarray) or dY.shape != self._shape:
            raise ValueError(f"{self!r}: backward() expects a gradient shaped like the forward "
                             f"output {self._shape}, got {getattr(dY, 'shape', type(dY))}")
        if self._mask is None:
            return dY
        dX = dY * self._mask
        dX += 0.0
        return dX

    def config(self) -> dict:
        return {"p": self.p}


def mask_states(layers: list) -> list[dict]:
    """The mask generators' states of the Dropout layers among ``layers`` (saved with a
    checkpoint and the divergence guard's snapshot, so a run replays exactly)."""
    return [layer.rng.bit_generator.state for layer in layers if isinstance(layer, Dropout)]


def set_mask_states(layers: list, states: list[dict]) -> None:
    """Put back what ``mask_states`` returned."""
    dropouts = [layer for layer in layers if isinstance(layer, Dropout)]
    if len(states) != len(dropouts):
        raise ValueError(f"{len(states)} saved mask generator states for {len(dropouts)} "
                         f"Dropout layers")
    for layer, state in zip(dropouts, states):
        layer.rng.bit_generator.state = state
