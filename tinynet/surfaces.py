"""Two-dimensional loss surfaces with exact gradients, for watching optimizers move.

The point (x, y) is a one-layer parameter (``W`` of shape (2,)), so any registered
optimizer drives it through the same ``step`` it uses for a network::

    traj = surfaces.run(tn.optimizers.RMSProp(lr=0.01), surfaces.Quadratic(a=100), steps=200)
    traj.path      # (steps + 1, 2) positions
    traj.losses    # (steps + 1,) f at each position
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .validation import check_number


class Surface:
    """A function f(x, y) with its gradient. ``minimum`` is the known minimizer."""

    name = "surface"
    start = (1.0, 1.0)
    minimum = (0.0, 0.0)
    has_minimum = True  # False for the saddle: "steps to f < threshold" means nothing there
    extent = (-1.5, 1.5, -1.5, 1.5)  # x_min, x_max, y_min, y_max for contour plots

    def f(self, x, y):
        raise NotImplementedError

    def grad(self, p: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Quadratic(Surface):
    """Badly scaled bowl ``f = ½(a·x² + y²)``: the x-gradient is ``a`` times steeper.

    With a = 100 and g = (a·x, y) this is the article's picture: plain SGD's step is
    dominated by x, and a learning rate small enough for x crawls along y.
    """

    name = "quadratic"

    def __init__(self, a: float = 100.0):
        self.a = check_number("a", a, low=0.0, low_open=True)

    def f(self, x, y):
        return 0.5 * (self.a * x * x + y * y)

    def grad(self, p: np.ndarray) -> np.ndarray:
        return np.array([self.a * p[0], p[1]])


class RotatedQuadratic(Surface):
    """The same ill-conditioned bowl turned by ``angle``: ``f = ½ pᵀ Rᵀ diag(a, 1) R p``.

    Its steep direction is no longer an axis, so per-coordinate scaling (RMSProp, Adam)
    helps less than on the axis-aligned bowl: their advantage depends on the coordinates.
    """

    name = "rotated"
    start = (1.0, 0.3)  # off both principal axes: on one, a rate of 1/a solves it in one step

    def __init__(self, a: float = 100.0, angle: float = np.pi / 4):
        self.a = check_number("a", a, low=0.0, low_open=True)
        self.angle = check_number("angle", angle)
        c, s = np.cos(angle), np.sin(angle)
        R = np.array([[c, s], [-s, c]])
        self._H = R.T @ np.diag([self.a, 1.0]) @ R  # the Hessian

    def f(self, x, y):
        H = self._H
        return 0.5 * (H[0, 0] * x * x + 2 * H[0, 1] * x * y + H[1, 1] * y * y)

    def grad(self, p: np.ndarray) -> np.ndarray:
        return self._H @ p

    def __repr__(self) -> str:
        return f"RotatedQuadratic(a={self.a!r}, angle={self.angle!r})"


class Rosenbrock(Surface):
    """``f = (a - x)² + b·(y - x²)²``: a curved, narrow valley with its minimum at (a, a²)."""

    name = "rosenbrock"
    start = (-1.5, 2.0)
    extent = (-2.0, 2.0, -1.0, 3.0)

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a = check_number("a", a)
        self.b = check_number("b", b, low=0.0, low_open=True)

    @property
    def minimum(self) -> tuple[float, float]:
        return (self.a, self.a**2)

    def f(self, x, y):
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def grad(self, p: np.ndarray) -> np.ndarray:
        x, y = p
        return np.array([-2 * (self.a - x) - 4 * self.b * x * (y - x * x),
                         2 * self.b * (y - x * x)])


class Saddle(Surface):
    """``f = ½(x² - y²)``: downhill along y, a saddle point at the origin.

    Starting almost on the ridge (y tiny), the gradient along y is tiny too: SGD lingers
    near the saddle, while RMSProp's scaling amplifies the small y-gradient and escapes.
    """

    name = "saddle"
    start = (1.0, 1e-3)
    minimum = (0.0, 0.0)  # not a minimum: the saddle point
    has_minimum = False   # f has no lower bound; what counts is escaping: |y| >= 1

    @staticmethod
    def escape_step(path: np.ndarray, distance: float = 1.0) -> int | None:
        """The first step at which the point is ``distance`` away from the ridge y = 0."""
        hits = np.flatnonzero(np.abs(path[:, 1]) >= distance)
        return int(hits[0]) if hits.size else None

    def f(self, x, y):
        return 0.5 * (x * x - y * y)

    def grad(self, p: np.ndarray) -> np.ndarray:
        return np.array([p[0], -p[1]])


SURFACES = {cls.name: cls for cls in (Quadratic, RotatedQuadratic, Rosenbrock, Saddle)}


def get(name: str, **kwargs) -> Surface:
    """Build a surface by name: quadratic, rotated, rosenbrock, saddle."""
    if not isinstance(name, str) or name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; available: {', '.join(sorted(SURFACES))}")
    return SURFACES[name](**kwargs)


class Point:
    """A vector of coordinates as a one-layer parameter: ``W`` = (x, y, ...), an empty ``b``."""

    params = ("W", "b")  # what an optimizer trains, as a Dense layer declares them

    def __init__(self, start: Sequence[float]):
        self.W = np.array(start, dtype=np.float64)
        if self.W.ndim != 1 or not self.W.size or not np.all(np.isfinite(self.W)):
            raise ValueError(f"start must be finite numbers (x, y), got {start!r}")
        self.b = np.zeros(0)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros(0)


class Trajectory(NamedTuple):
    path: np.ndarray    # (steps + 1, 2): the start, then the point after each step
    losses: np.ndarray  # (steps + 1,): f along the path

    def steps_to(self, threshold: float, stay: bool = False) -> int | None:
        """The first step at which f < ``threshold`` (None if never). With ``stay=True``,
        the first step from which f stays below it to the end of the run."""
        below = self.losses < threshold
        if not stay:
            hits = np.flatnonzero(below)
            return int(hits[0]) if hits.size else None
        above = np.flatnonzero(~below)
        if above.size == 0:
            return 0
        return int(above[-1]) + 1 if above[-1] + 1 < len(self.losses) else None

    def diverged_at(self) -> int | None:
        """The first step at which the point or f stopped being finite (or left any
        sensible range, |x| or |y| > 1e6), or None if the run never diverged."""
        bad = ~np.isfinite(self.losses) | ~np.all(np.isfinite(self.path), axis=1)
        bad |= np.any(np.abs(self.path) > 1e6, axis=1)  # NaN compares False: caught above
        hits = np.flatnonzero(bad)
        return int(hits[0]) if hits.size else None

    def distance_travelled(self) -> float:
        """The length of the path up to divergence (the sum of the step lengths)."""
        stop = self.diverged_at()
        p = self.path[:stop]  # stop None: the whole path
        return float(np.sum(np.linalg.norm(np.diff(p, axis=0), axis=1)))


def run(optimizer, surface: Surface | str, start: Sequence[float] | None = None,
        steps: int = 100) -> Trajectory:
    """Drive ``optimizer`` (an Optimizer or a registered name) over ``surface``.

    A run that diverges keeps going with inf/NaN positions rather than raising, so a
    learning-rate sweep can see which rates blow up.
    """
    from . import optimizers

    if isinstance(optimizer, str):
        optimizer = optimizers.get(optimizer)
    if isinstance(surface, str):
        surface = get(surface)
    steps = check_number("steps", steps, low=0, integer=True)
    point = Point(surface.start if start is None else start)
    if point.W.shape != (2,):
        raise ValueError(f"start must be two numbers (x, y), got {start!r}")
    path = np.empty((steps + 1, 2))
    path[0] = point.W
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            point.dW[...] = surface.grad(point.W)
            optimizer.step([point])
            path[t] = point.W
        losses = surface.f(path[:, 0], path[:, 1])
    return Trajectory(path, losses)
