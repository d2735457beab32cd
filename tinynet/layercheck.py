"""check_layer: conformance checks for a layer you wrote (or re-derived as an exercise).

    from tinynet.testing import check_layer
    check_layer(MyLayer())          # raises LayerCheckError in plain words

The counterpart of ``check_optimizer``. Every built-in layer passes the same checks.
"""

from __future__ import annotations

import copy

import numpy as np

from .gradcheck import gradcheck_layer
from .layers import Layer


class LayerCheckError(AssertionError):
    """A layer broke one of the rules every tinynet layer follows."""


def _inputs(layer, seed: int = 0, batch: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Two different batches, away from 0 (where ReLU-like layers have a kink)."""
    rng = np.random.default_rng(seed)
    width = getattr(layer, "n_in", 4)
    X1, X2 = (rng.uniform(0.2, 1.5, (batch, width)) * rng.choice([-1.0, 1.0], (batch, width))
              for _ in range(2))
    return X1, X2


def _fresh(layer):
    """A copy to check; Dropout on it keeps its first mask, so two passes are comparable."""
    lay = copy.deepcopy(layer)
    if hasattr(lay, "resample"):
        lay.resample = False
    return lay


def check_backward_before_forward(layer):
    try:
        _fresh(layer).backward(np.ones((5, getattr(layer, "n_out", 4))))
    except (RuntimeError, ValueError) as err:
        if "forward" in str(err):
            return None
        return f"backward() before forward() raised {type(err).__name__}: {err} (say 'forward')"
    except Exception as err:  # an AttributeError on a missing cache is not a clear error
        return (f"backward() before forward() raised {type(err).__name__}: {err}; raise a "
                f"RuntimeError saying forward() must come first")
    return "backward() before forward() did not raise; it must say forward() comes first"


def check_output_shape(layer):
    X, _ = _inputs(layer)
    Y = _fresh(layer).forward(X)
    if not isinstance(Y, np.ndarray) or Y.ndim != 2 or len(Y) != len(X):
        return (f"forward() of a batch of shape {X.shape} returned "
                f"{getattr(Y, 'shape', type(Y).__name__)}: one row per sample expected")
    n_out = getattr(layer, "n_out", X.shape[1])
    if Y.shape[1] != n_out:
        return f"forward() returned {Y.shape[1]} columns, expected {n_out}"
    return None


def check_input_not_mutated(layer):
    X, _ = _inputs(layer)
    before = X.copy()
    lay = _fresh(layer)
    Y = lay.forward(X)
    lay.backward(np.ones_like(Y))
    if not np.array_equal(X, before):
        return "forward() or backward() changed its input X in place; compute into new arrays"
    return None


def check_declared_parameters(layer):
    for p in layer.params:
        if not isinstance(getattr(layer, p, None), np.ndarray):
            return f"it declares a parameter {p!r} (params = {layer.params}) but has no array {p}"
    return None


def check_declared_gradients_set(layer):
    if not layer.params:
        return None
    X, _ = _inputs(layer)
    lay = _fresh(layer)
    for p in lay.params:
        setattr(lay, f"d{p}", None)
    lay.backward(np.ones_like(lay.forward(X)))
    unset = [f"d{p}" for p in lay.params if not isinstance(getattr(lay, f"d{p}", None),
                                                              np.ndarray)]
    if unset:
        return (f"backward() left {unset[0]} unset, but the layer declares {unset[0][1:]!r} "
                f"in params: set the gradient of every declared parameter")
    return None


def check_gradients(layer):
    X, _ = _inputs(layer)
    pairs = gradcheck_layer(layer, X, arrays=True)
    for key, (grad, numeric) in pairs.items():
        name = f"d{key}"  # dX, dW, db, dgamma, ...
        if np.shape(grad) != numeric.shape:
            return (f"{name} has shape {np.shape(grad)}, but {key} has {numeric.shape} "
                    f"(a transposed product?)")
        scale = np.linalg.norm(grad) + np.linalg.norm(numeric)
        err = np.linalg.norm(grad - numeric) / scale if scale else 0.0
        if not err < 1e-6:
            where = np.unravel_index(np.argmax(np.abs(grad - numeric)), numeric.shape)
            ratio = np.linalg.norm(grad) / np.linalg.norm(numeric)  # inf where fd is all 0
            return (f"{name} differs from central finite differences (relative error "
                    f"{err:.2g}; at {tuple(int(i) for i in where)}: backprop "
                    f"{grad[where]:.6g}, finite differences {numeric[where]:.6g}; "
                    f"||backprop|| / ||fd|| = {ratio:.4g})")
    return None


def check_dtype_kept(layer):
    X, _ = _inputs(layer)
    lay = _fresh(layer)
    expected = np.dtype(getattr(lay, "dtype", np.float32))
    Y = lay.forward(X.astype(np.float32))
    dX = lay.backward(np.ones_like(Y))
    wrong = {k: str(a.dtype) for k, a in (("output", Y), ("dX", dX)) if a.dtype != expected}
    if wrong:
        return f"a float32 input should give {expected} arrays, but these are not: {wrong}"
    return None


def check_second_pass_independent(layer):
    X1, X2 = _inputs(layer)
    lay = _fresh(layer)
    Y1 = lay.forward(X1)
    dX1 = lay.backward(np.ones_like(Y1))
    kept = Y1.copy(), dX1.copy()
    Y2 = lay.forward(X2)
    dX2 = lay.backward(np.full_like(Y2, 0.5))
    if not (np.array_equal(Y1, kept[0]) and np.array_equal(dX1, kept[1])):
        return ("a second forward/backward changed the arrays the first one returned: they "
                "share memory with the layer's cache (return new arrays)")
    fresh = _fresh(layer)
    Y2_alone = fresh.forward(X2)
    dX2_alone = fresh.backward(np.full_like(Y2_alone, 0.5))
    if not (np.allclose(Y2, Y2_alone) and np.allclose(dX2, dX2_alone)):
        return ("forward/backward on a second batch gave other numbers than on a fresh layer: "
                "something of the first pass was kept")
    return None


def _pass(lay, X: np.ndarray) -> dict:
    """One forward and backward through ``lay``: dX and the parameter gradients."""
    grads = {"dX": lay.backward(np.ones_like(lay.forward(X)))}
    grads.update({f"d{p}": getattr(lay, f"d{p}") for p in lay.params})
    return grads


def check_earlier_input_kept(layer):
    X1, X2 = _inputs(layer)
    kept = X1.copy()
    lay = _fresh(layer)
    _pass(lay, X1)
    lay.forward(X2)  # a second forward, as a validation pass or a finite difference makes
    if not np.array_equal(X1, kept):
        return ("a second forward() changed the input of the first: the layer keeps the "
                "caller's X by reference and writes the next input into it; keep the "
                "reference without writing into it, or copy X into a buffer of its own")
    again, fresh = _pass(lay, X1), _pass(_fresh(layer), kept)
    for name, grad in fresh.items():
        if not np.allclose(again[name], grad):
            return (f"a pass, another forward(), then the first pass again gives another "
                    f"{name} than a fresh layer does: something of an earlier pass is kept "
                    f"(a gradient added to with += instead of set?)")
    return None


LAYER_CHECKS = {
    "declared parameters are arrays": check_declared_parameters,
    "backward before forward is an error": check_backward_before_forward,
    "output shape": check_output_shape,
    "input not mutated": check_input_not_mutated,
    "every declared gradient set": check_declared_gradients_set,
    "gradients match finite differences": check_gradients,
    "float32 stays float32": check_dtype_kept,
    "second pass independent of the first": check_second_pass_independent,
    "earlier input and gradients kept": check_earlier_input_kept,
}


def check_layer(layer: Layer) -> list[str]:
    """Run every check on ``layer`` (an instance; it is copied, never changed).

    Returns the names of the checks (all passed); raises LayerCheckError naming the first
    check that failed and what went wrong. Dropout is checked with one fixed mask.
    """
    if not isinstance(layer, Layer):
        raise TypeError(f"check_layer takes a tinynet Layer instance, got {layer!r}")
    for name, check in LAYER_CHECKS.items():
        try:
            with np.errstate(all="ignore"):
                problem = check(layer)
        except Exception as err:  # report the crash as the check's failure
            problem = f"raised {type(err).__name__}: {err}"
        if problem:
            raise LayerCheckError(f"{type(layer).__name__} failed '{name}': {problem}")
    return list(LAYER_CHECKS)
