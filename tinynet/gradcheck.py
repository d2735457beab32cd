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


def gradcheck(
    model: Sequential, loss: Loss, X, y, eps: float = 1e-6, per_parameter: bool = False,
    atol: float = 0.0,
) -> float | dict:
    """Max relative error between backprop's gradients and central finite differences.

    The relative error of one parameter array is
    ``||g_bp - g_fd|| / max(||g_bp|| + ||g_fd||, atol)``. Finite differences are accurate
    to about 1e-10 absolutely, so a gradient whose norm is itself tiny (a deep chain of
    width-1 layers) has a noisy relative error: ``atol`` (say 1e-4) compares such gradients
    absolutely instead. The check runs on a float64 copy of the model; the model itself is
    not changed.

    Parameters
    ----------
    model, loss : the network and the loss to differentiate.
    X, y : a (small) batch.
    eps : float
        Finite-difference step.
    per_parameter : bool
        Return ``{"W/1": err, "b/1": err, ...}`` instead of the maximum.
    atol : float
        Floor of the denominator (see above); 0 gives the pure relative error.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a tinynet Sequential, got {type(model).__name__}")
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a tinynet Loss, got {type(loss).__name__}")
    eps = check_number("eps", eps, low=0.0, low_open=True)
    atol = check_number("atol", atol, low=0.0)
    m = copy.deepcopy(model)  # the user's model, its caches and gradients stay untouched
    for d in m.dense_layers:
        d.W, d.b, d.dtype = d.W.astype(np.float64), d.b.astype(np.float64), np.dtype(np.float64)
        d.dW = d.db = None
    X = m.check_input(X)
    y = loss.check_target(y, m.n_outputs)
    check_same_length(X, y)

    def value() -> float:
        return loss._forward(m.forward(X), y)

    value()
    m.backward(loss.backward())
    errors = {}
    for l, layer in enumerate(m.dense_layers, start=1):
        for p, grad in (("W", layer.dW.copy()), ("b", layer.db.copy())):
            param = getattr(layer, p)
            numeric = np.empty_like(param)
            for i in np.ndindex(param.shape):
                saved = param[i]
                param[i] = saved + eps
                up = value()
                param[i] = saved - eps
                down = value()
                param[i] = saved
                numeric[i] = (up - down) / (2 * eps)
            scale = max(np.linalg.norm(grad) + np.linalg.norm(numeric), atol)
            errors[f"{p}/{l}"] = float(np.linalg.norm(grad - numeric) / scale) if scale else 0.0
    return errors if per_parameter else max(errors.values())
