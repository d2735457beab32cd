"""Learning-rate schedules: the rate as a function of the epoch.

A schedule maps ``(lr0, epoch)`` to a learning rate, where ``lr0`` is the optimizer's
initial rate and ``epoch`` counts from 0. ``schedule.apply(optimizer, epoch)`` sets
``optimizer.lr``, so ``optimizer.lr`` always shows the rate the next step uses. Any
optimizer works with any schedule.

    constant      lr = lr0
    step          lr = lr0 * gamma ** floor(epoch / step_size)
    exponential   lr = lr0 * gamma ** epoch
    inverse_time  lr = lr0 / (1 + k * epoch)
    cosine        lr = min_lr + (lr0 - min_lr) * (1 + cos(pi * min(epoch, T) / T)) / 2
"""

from __future__ import annotations

import math

from ..validation import check_number


class Schedule:
    """Base class: subclasses implement ``__call__(lr0, epoch) -> lr``."""

    name = "schedule"

    def __call__(self, lr0: float, epoch: int) -> float:
        raise NotImplementedError

    def apply(self, optimizer, epoch: int) -> float:
        """Set ``optimizer.lr`` for ``epoch`` from ``optimizer.initial_lr``; return it."""
        epoch = check_number("epoch", epoch, low=0, integer=True)
        optimizer.lr = float(self(optimizer.initial_lr, epoch))
        return optimizer.lr

    def config(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """``lr = lr0``."""

    name = "constant"

    def __call__(self, lr0: float, epoch: int) -> float:
        return lr0


class StepDecay(Schedule):
    """``lr = lr0 * gamma ** floor(epoch / step_size)``: times gamma every step_size epochs."""

    name = "step"

    def __init__(self, step_size: int = 10, gamma: float = 0.5):
        self.step_size = check_number("step_size", step_size, low=1, integer=True)
        self.gamma = check_number("gamma", gamma, low=0.0, high=1.0, low_open=True)

    def __call__(self, lr0: float, epoch: int) -> float:
        return lr0 * self.gamma ** (epoch // self.step_size)


class Exponential(Schedule):
    """``lr = lr0 * gamma ** epoch``."""

    name = "exponential"

    def __init__(self, gamma: float = 0.95):
        self.gamma = check_number("gamma", gamma, low=0.0, high=1.0, low_open=True)

    def __call__(self, lr0: float, epoch: int) -> float:
        return lr0 * self.gamma**epoch


class InverseTime(Schedule):
    """``lr = lr0 / (1 + k * epoch)``."""

    name = "inverse_time"

    def __init__(self, k: float = 0.1):
        self.k = check_number("k", k, low=0.0)

    def __call__(self, lr0: float, epoch: int) -> float:
        return lr0 / (1.0 + self.k * epoch)


class Cosine(Schedule):
    """``lr = min_lr + (lr0 - min_lr) * (1 + cos(pi * epoch / T)) / 2``, then ``min_lr``
    after ``T = total_epochs``."""

    name = "cosine"

    def __init__(self, total_epochs: int = 30, min_lr: float = 0.0):
        self.total_epochs = check_number("total_epochs", total_epochs, low=1, integer=True)
        self.min_lr = check_number("min_lr", min_lr, low=0.0)

    def __call__(self, lr0: float, epoch: int) -> float:
        progress = min(epoch, self.total_epochs) / self.total_epochs
        return self.min_lr + (lr0 - self.min_lr) * (1.0 + math.cos(math.pi * progress)) / 2.0


SCHEDULES = {cls.name: cls for cls in (Constant, StepDecay, Exponential, InverseTime, Cosine)}


def get(name: str, **kwargs) -> Schedule:
    """Build a schedule by name: constant, step, exponential, inverse_time, cosine."""
    if not isinstance(name, str) or name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; available: {', '.join(sorted(SCHEDULES))}")
    return SCHEDULES[name](**kwargs)
