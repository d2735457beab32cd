"""The grader: run a learner's function where the typical mistakes show, compare it with
tinynet's own code, and say what is wrong.

An exercise (``Exercise``) knows its cases (inputs chosen so that each typical mistake
changes the result), how to run a function on them (``run``: every output the learner
can get wrong, by name), a correct function built from tinynet's layers and optimizers,
and its catalogue of mistakes: wrong functions, each with what to tell the learner. A
learner's function whose results match one of them gets that message.
"""

from __future__ import annotations

import linecache
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..warn import INTERNAL_MODULES

# Different correct formulations (einsum, log-sum-exp, s *= rho; s += ...) differ in the
# last bits; a mistake changes a result by far more. float32 keeps 7 digits, fewer once
# logits near 1000 are subtracted; its check is that a solution works in float32 at all
# (no overflow, no error): the mistakes are told apart in float64.
RTOL = {"float64": 1e-9, "float32": 1e-2}


@dataclass(frozen=True)
class Grade:
    """The verdict on one exercise: ``passed``, and ``message`` (``str(grade)``)."""

    exercise: str
    passed: bool
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Exercise:
    """One exercise: see the module docstring."""

    name: str
    signature: str                      # "rmsprop(W, dW, s, lr, rho, eps) -> None"
    task: str                           # one sentence: what the function computes
    formula: str                        # shown in the stub, as a comment
    run: Callable                       # run(fn, dtype) -> {output name: value}
    reference: Callable                 # a correct fn, from tinynet's own code
    shapes: str                         # "X (5, 3), ... ; dX has ..." (for shape errors)
    mistakes: list = field(default_factory=list)  # [(message, wrong fn), ...]


def grade(ex: Exercise, fn) -> Grade:
    """Grade ``fn`` as the solution of ``ex``; never raises."""
    if not callable(fn):
        return Grade(ex.name, False, f"{ex.name}: expected a function {ex.signature}, got "
                                     f"{type(fn).__name__}")
    expected = ex.run(ex.reference, "float64")
    for dtype in RTOL:  # float64, then float32
        try:
            got = _quietly(ex.run, fn, dtype)
        except (Exception, SystemExit) as err:  # noqa: BLE001 - a learner's code may raise anything
            return Grade(ex.name, False, f"{ex.name}: {explain(err, ex)}")
        problem = difference(got, expected, RTOL[dtype])
        if problem is None:
            continue
        if dtype == "float32":
            return Grade(ex.name, False, f"{ex.name}: right in float64, but in float32 "
                                         f"{problem}")
        named = recognise(ex, got)
        return Grade(ex.name, False, f"{ex.name}: {named or problem}")
    return Grade(ex.name, True, f"{ex.name}: correct (float64 and float32, "
                                f"{len(expected)} results checked)")


def recognise(ex: Exercise, got: dict) -> str | None:
    """The message of the first catalogued mistake whose results are ``got``'s."""
    for message, wrong in ex.mistakes:
        theirs = _quietly(ex.run, wrong, "float64")
        if difference(got, theirs, RTOL["float64"]) is None:
            return message
    return None


def _quietly(run, fn, dtype) -> dict:
    """``run(fn, dtype)`` without numpy's overflow and 0/0 warnings: the grade says it."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run(fn, dtype)


def difference(got: dict, expected: dict, rtol: float) -> str | None:
    """The first result of ``got`` that differs from ``expected``, in words; None if none."""
    for key, want in expected.items():
        have = got.get(key)
        if isinstance(want, str):  # "unchanged", "3 values (dX, dW, db)"
            if have != want:
                return f"{key}: {have}, expected {want}"
            continue
        want, have_arr = np.asarray(want), _as_array(have)
        if have_arr is None:
            return f"{key} is {_short(have)}, expected an array of shape {want.shape}"
        if have_arr.shape != want.shape:
            return f"{key} has shape {have_arr.shape}, expected {want.shape}"
        bad = _mismatch(have_arr, want, rtol)
        if bad is not None:
            where = f" at {list(bad)}" if want.ndim else ""
            return (f"{key} differs{where}: expected {_num(want[bad])}, "
                    f"got {_num(have_arr[bad])}")
    return None


def _mismatch(have: np.ndarray, want: np.ndarray, rtol: float):
    """Index of the first element of ``have`` not within ``rtol`` of ``want``, relative to
    the element or, near 0, to a thousandth of the largest; NaN matches NaN. None if none."""
    with np.errstate(invalid="ignore"):  # inf - inf, when a mistake's result is inf too
        scale = np.abs(want[np.isfinite(want)]).max(initial=0.0)
        close = np.abs(have - want) <= rtol * (np.abs(want) + 1e-3 * scale)
        close |= (have == want) | (np.isnan(have) & np.isnan(want))
    if close.all():
        return None
    return tuple(int(i) for i in np.argwhere(~close)[0])


def _as_array(value) -> np.ndarray | None:
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - a ragged list, an object that refuses
        return None
    return arr if arr.dtype.kind in ("b", "i", "u", "f") else None


def _num(x) -> str:
    return f"{float(x):.6g}"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ----- a solution that raises ------------------------------------------------------------

def explain(err: BaseException, ex: Exercise) -> str:
    """What ``err``, raised by the learner's function, most likely means."""
    if isinstance(err, NotImplementedError):
        return "not implemented yet (the function still raises NotImplementedError)"
    where = _learner_line(err)
    said = f"raised {type(err).__name__}: {err}{where}"
    text = str(err)
    if isinstance(err, TypeError) and ("argument" in text or "unpack" in text):
        return f"{said}; the function is {ex.signature}"
    if (isinstance(err, (IndexError, np.exceptions.AxisError))
            or isinstance(err, ValueError) and ("matmul" in text or "shape" in text)):
        return f"{said}; the shapes here: {ex.shapes}"
    return said


def _learner_line(err: BaseException) -> str:
    """`` (line N: code)`` of the innermost frame that is the learner's: not tinynet's, not
    numpy's (nor a wrapping tool's, ``warn.INTERNAL_MODULES``); empty if there is none."""
    internal = (*INTERNAL_MODULES, "numpy")
    for frame, lineno in reversed(list(traceback.walk_tb(err.__traceback__))):
        if not frame.f_globals.get("__name__", "").startswith(internal):
            line = linecache.getline(frame.f_code.co_filename, lineno).strip()
            return f" (line {lineno}: {line})" if line else ""
    return ""
