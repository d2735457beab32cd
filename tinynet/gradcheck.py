"""Check backprop against finite differences.

For every weight w, the central difference

    (L(w + eps) - L(w - eps)) / (2 eps)

approximates dL/dw with error O(eps²). If backward is right, it agrees with the
``dW``/``db`` that backprop computed, to about 1e-7 relative error in float64.
"""

from __future__ import annotations

import copy

import numpy as np

from .losses import Loss
from .model import Sequential
from .validation import check_number, check_same_length


def _relative_error(grad: np.ndarray, numeric: np.ndarray, atol: float = 0.0) -> float:
    scale = max(np.linalg.norm(grad) + np.linalg.norm(numeric), atol)
    return float(np.linalg.norm(grad - numeric) / scale) if scale else 0.0


def _central_differences(f, param: np.ndarray, eps: float) -> np.ndarray:
    """``(f(w + eps) - f(w - eps)) / (2 eps)`` for every entry w of ``param``, in place."""
    numeric = np.empty_like(param)
    for i in np.ndindex(param.shape):
        saved = param[i]
        param[i] = saved + eps
        up = f()
        param[i] = saved - eps
        down = f()
        param[i] = saved
        numeric[i] = (up - down) / (2 * eps)
    return numeric


def _as_float64(layer) -> None:
    """Turn a layer's declared parameters and buffers into float64 copies, its gradients
    unset (the next backward sets them afresh), its dtype float64."""
    for name in (*layer.params, *layer.buffers):
        setattr(layer, name, np.array(getattr(layer, name), dtype=np.float64))
    for p in layer.params:
        setattr(layer, f"d{p}", None)
    if hasattr(layer, "dtype"):
        layer.dtype = np.dtype(np.float64)


def _fixed_masks(model_or_layers) -> None:
    """Dropout keeps the mask of its last forward pass: the function being
    differentiated must not change between evaluations."""
    for layer in getattr(model_or_layers, "layers", model_or_layers):
        if hasattr(layer, "resample"):
            layer.resample = False


def gradcheck(
    model: Sequential, loss: Loss, X, y, eps: float = 1e-6, per_parameter: bool = False,
    atol: float = 0.0, arrays: bool = False,
) -> float | dict:
    """Max relative error between backprop's gradients and central finite differences.

    The relative error of one parameter array is
    ``||g_bp - g_fd|| / max(||g_bp|| + ||g_fd||, atol)``. Finite differences are accurate
    to about 1e-10 absolutely, so a gradient whose norm is itself tiny (a deep chain of
    width-1 layers) has a noisy relative error: ``atol`` (say 1e-4) compares such gradients
    absolutely instead. The check runs on a float64 copy of the model; the model itself is
    not changed. Every declared parameter (W, b; gamma, beta) is checked, and the gradient
    of the input, ``dX`` ("X").
    In training mode Dropout keeps one mask for the whole check.

    Parameters
    ----------
    model, loss : the network and the loss to differentiate.
    X, y : a (small) batch.
    eps : float
        Finite-difference step.
    per_parameter : bool
        Return ``{"W/1": err, "b/1": err, ..., "X": err}`` instead of the maximum.
    atol : float
        Floor of the denominator (see above); 0 gives the pure relative error.
    arrays : bool
        Return ``{"W/1": (backprop, finite_differences), ..., "X": (...)}``: the two
        gradients themselves, to compare entry by entry.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a tinynet Sequential, got {type(model).__name__}")
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a tinynet Loss, got {type(loss).__name__}")
    eps = check_number("eps", eps, low=0.0, low_open=True)
    atol = check_number("atol", atol, low=0.0)
    m = copy.deepcopy(model)  # the user's model, its caches and gradients stay untouched
    for layer in m.param_layers:
        _as_float64(layer)
    X = m.check_input(X).astype(np.float64)  # a copy: the check perturbs it
    y = loss.check_target(y, m.n_outputs)
    check_same_length(X, y)

    def value() -> float:
        return loss._forward(m.forward(X), y)

    value()
    _fixed_masks(m)
    dX = m.backward(loss.backward())
    pairs = {}
    for l, layer in enumerate(m.param_layers, start=1):
        for p in layer.params:
            grad = getattr(layer, f"d{p}").copy()
            pairs[f"{p}/{l}"] = (grad, _central_differences(value, getattr(layer, p), eps))
    pairs["X"] = (dX, _central_differences(value, X, eps))
    if arrays:
        return pairs
    errors = {key: _relative_error(g, fd, atol) for key, (g, fd) in pairs.items()}
    return errors if per_parameter else max(errors.values())


def gradcheck_layer(layer, X, eps: float = 1e-6, arrays: bool = False,
                    seed: int = 0) -> dict:
    """Backprop of ONE layer against central differences, on a float64 copy of it.

    The layer is differentiated through ``f = sum(R ⊙ layer.forward(X))`` with a fixed
    random R, whose gradient with respect to the output is R itself: so ``backward(R)``
    must give df/dX, and set the gradient of each parameter the layer declares. Returns
    ``{"X": err, "W": err, "b": err}`` (one entry per declared parameter; relative
    errors), or the array pairs with ``arrays=True``.
    """
    eps = check_number("eps", eps, low=0.0, low_open=True)
    lay = copy.deepcopy(layer)
    _as_float64(lay)
    X = np.array(X, dtype=np.float64)  # a copy: the check perturbs it
    R = np.random.default_rng(seed).standard_normal(lay.forward(X).shape)
    _fixed_masks([lay])

    def value() -> float:
        return float(np.sum(R * lay.forward(X)))

    dX = lay.backward(R)
    pairs = {"X": (dX, _central_differences(value, X, eps))}
    for p in lay.params:  # the gradient as backward left it (None: not set, see _as_float64)
        pairs[p] = (getattr(lay, f"d{p}"), _central_differences(value, getattr(lay, p), eps))
    if arrays:
        return pairs
    return {key: _relative_error(g, fd) for key, (g, fd) in pairs.items()}
