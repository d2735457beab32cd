"""Warnings that point at the learner's line of code, not at a line inside tinynet."""

from __future__ import annotations

import sys
import warnings

# Modules whose frames are not the learner's code: tinynet's own, and those of a tool that
# wraps tinynet's functions (the mutation tests add mutmut's; tests/conftest.py).
INTERNAL_MODULES = ["tinynet."]


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` attributed to the first caller outside tinynet: the warning names
    the line of the user's code that led to it (their ``fit`` call, say)."""
    internal = tuple(INTERNAL_MODULES)
    frame, level = sys._getframe(), 1  # stacklevel 1 is this function
    while frame is not None and frame.f_globals.get("__name__", "").startswith(internal):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
