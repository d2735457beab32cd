"""FlatBuffer: several arrays kept back to back in one 1-D array.

    buf = FlatBuffer.pack([W1, b1, W2, b2])   # copies the values in
    W1, b1, W2, b2 = buf.views                # shaped like the originals, sharing buf.flat

An element-wise formula applied once to ``buf.flat`` does to every view what it would do
to each of them alone. That is the whole trick of the optimizers' fast path: Sequential
keeps its W, b (and dW, db) as views of one FlatBuffer each, the optimizer keeps its
state (``s_dW[l]``, ...) the same way, and one numpy call updates every layer.
This module is the only place that knows how the views are laid out.
"""

from __future__ import annotations

import math

import numpy as np


class FlatBuffer:
    """Zero-filled arrays of the given ``shapes`` stored back to back in ``flat``.

    Parameters
    ----------
    shapes : list of tuple
        Shape of each array, in order.
    dtype : numpy dtype

    Attributes
    ----------
    flat : ndarray, 1-D
        All the numbers.
    views : list of ndarray
        ``views[i]`` is array ``i``: a view of ``flat``, so writing to one writes the other.
    """

    def __init__(self, shapes: list[tuple], dtype):
        sizes = [math.prod(shape) for shape in shapes]
        self.flat = np.zeros(sum(sizes), dtype=dtype)
        self.views: list[np.ndarray] = []
        start = 0
        for shape, size in zip(shapes, sizes):
            self.views.append(self.flat[start : start + size].reshape(shape))
            start += size

    @classmethod
    def pack(cls, arrays: list[np.ndarray]) -> FlatBuffer:
        """A buffer holding copies of ``arrays`` (all of one dtype)."""
        buf = cls([a.shape for a in arrays], arrays[0].dtype)
        for view, a in zip(buf.views, arrays):
            view[...] = a
        return buf

    def holds(self, arrays: list[np.ndarray]) -> bool:
        """True when ``arrays`` are this buffer's very views, in order, still sharing
        ``flat`` (nobody has put a new array in one's place, e.g. ``layer.dW = ...``, and
        no copy has separated them)."""
        return len(arrays) == len(self.views) and all(
            a is v and a.base is self.flat for a, v in zip(arrays, self.views))
