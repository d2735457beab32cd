"""Graded exercises: write backprop and the article's optimizers yourself; tinynet runs
your function where each typical mistake shows and names what is wrong.

    from tinynet import exercises
    exercises.available()                 # the exercise names
    grade = exercises.check("rmsprop", my_rmsprop)
    grade.passed                          # bool
    grade.message                         # what is wrong, where, expected vs got

From the command line: ``tinynet exercises start DIR`` writes a file of stubs, ``tinynet
exercises check FILE`` grades every exercise the file defines.
"""

from __future__ import annotations

from typing import Callable

from . import backprop, steps
from .grader import Exercise, Grade, grade

__all__ = ["EXERCISES", "Exercise", "Grade", "available", "check"]

EXERCISES: dict[str, Exercise] = {ex.name: ex for ex in (*backprop.EXERCISES, *steps.EXERCISES)}


def available() -> list[str]:
    """The exercise names, in the order they are best done."""
    return list(EXERCISES)


def check(name: str, fn: Callable) -> Grade:
    """Grade ``fn`` as your solution of exercise ``name``; never raises for a wrong ``fn``."""
    if name not in EXERCISES:
        raise ValueError(f"no exercise {name!r}: choose from {', '.join(EXERCISES)}")
    return grade(EXERCISES[name], fn)
