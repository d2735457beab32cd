"""Checks shared by every public boundary.

Each check raises a ValueError or TypeError whose message names the argument, what was
expected and what was given, so a user's mistake never surfaces as a numpy traceback.
Callers run these *before* they change any state.
"""

from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_number(
    name: str,
    value,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> float | int:
    """Return ``value`` as a float (or int) after checking its type and range.

    ``low``/``high`` bound the value; ``*_open`` makes that bound exclusive.
    Booleans are rejected: ``lr=True`` is a mistake, not 1.0.
    """
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        expected = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")
    value = int(value) if integer else float(value)
    if not integer and not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        op = ">" if low_open else ">="
        raise ValueError(f"{name} must be {op} {low}, got {value}")
    if high is not None and (value >= high if high_open else value > high):
        op = "<" if high_open else "<="
        raise ValueError(f"{name} must be {op} {high}, got {value}")
    return value


def check_dtype(dtype) -> np.dtype:
    """Return ``dtype`` as a numpy dtype, accepting only float32 and float64."""
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from err
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    return dt


def check_choice(name: str, value, choices) -> str:
    """Check that ``value`` is one of ``choices`` (strings)."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def check_features(X, n_features: int, dtype: np.dtype, name: str = "X") -> np.ndarray:
    """Return ``X`` as a 2-D array of ``dtype`` with ``n_features`` finite columns.

    A float64 X for a float32 model is converted down (a copy), never the model up.
    """
    if (type(X) is np.ndarray and X.dtype == dtype and X.ndim == 2 and len(X)
            and X.shape[1] == n_features):  # already right (every training batch): be quick
        check_finite(X, name)
        return X
    X = as_numeric_array(X, name)
    if X.ndim == 1 and n_features == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got an array of shape {X.shape}"
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty: got 0 samples")
    if X.shape[1] != n_features:
        raise ValueError(f"{name}: expected {n_features} features, got {X.shape[1]}")
    check_finite(X, name)  # before the conversion, so that NaN is told apart from overflow
    if np.dtype(dtype).kind == "f" and X.dtype.kind in "fiu" and X.size:
        big, limit = float(np.abs(X).max()), float(np.finfo(dtype).max)
        if big > limit:
            raise ValueError(f"{name} holds values up to {big:.3g}, beyond {np.dtype(dtype)}'s "
                             f"range ({limit:.3g}): rescale it, or use a float64 model")
    return np.asarray(X, dtype=dtype)


def as_numeric_array(a, name: str) -> np.ndarray:
    """``np.asarray(a)``, rejecting strings, objects and ragged input with a clear message."""
    if a is None:
        raise TypeError(f"{name} must be an array, got None")
    try:
        arr = np.asarray(a)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular numeric array: {err}") from err
    if arr.dtype == np.bool_:
        return arr.astype(np.float64)
    if not (np.issubdtype(arr.dtype, np.number)):
        raise TypeError(f"{name} must be numeric, got an array of dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got an array of dtype {arr.dtype}")
    return arr


def check_finite(a: np.ndarray, name: str) -> None:
    """Raise if ``a`` holds NaN or inf, saying how many and where the first one is."""
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))
        first = tuple(int(i) for i in bad[0])
        raise ValueError(
            f"{name} contains {len(bad)} NaN or infinite value(s), the first at index {first}"
        )


def check_same_length(X: np.ndarray, y: np.ndarray, names: str = "X and y") -> None:
    """Raise if X and y disagree on the number of samples."""
    if len(X) != len(y):
        raise ValueError(f"{names} have different lengths: {len(X)} samples and {len(y)} targets")
