"""The parameter protocol, as the optimizers read it (``model.trainable_layers`` finds the
layers).

A layer declares its parameters by name, ``params = ("W", "b")`` (Dense) or
``("gamma", "beta")`` (BatchNorm), and its ``backward`` sets the gradient of each as
``d<name>`` (``dW``, ``dgamma``). The layers that declare any are numbered ``l = 1..L`` in
model order, and the optimizer keeps state ``<symbol>_d<name>[l]`` for each of their
parameters: for a Dense-only model exactly the article's ``s_dW[l]``, ``s_db[l]``.
"""

from __future__ import annotations

import numpy as np

from ..warn import warn

_PACKAGE = __name__.split(".")[0] + "."  # "tinynet."


class UndeclaredParameterWarning(UserWarning):
    """A layer keeps a gradient for an array it does not declare in ``params``."""


def warn_undeclared(layers: list) -> None:
    """Warn about a gradient ``d<name>`` kept next to an array ``<name>`` of its shape that
    the layer does not declare: the optimizer would never train ``<name>``, silently.

    tinynet's own layers are skipped: they declare everything (tests/test_layer_params.py
    checks each), and reading ``vars(layer)`` makes CPython (3.11, 3.12) keep the layer's
    attributes in a dict from then on, which slows every later ``self.W`` of that layer.
    """
    for i, layer in enumerate(layers, start=1):
        if type(layer).__module__.startswith(_PACKAGE):
            continue
        for name in undeclared(layer):
            declared = ", ".join(repr(p) for p in (*layer.params, name))
            warn(f"{type(layer).__name__} (layer {i} of the model) keeps a gradient d{name} "
                 f"for its array {name}, which it does not declare, so no optimizer trains "
                 f"it: declare it in the class, params = ({declared},)",
                 UndeclaredParameterWarning)


def undeclared(layer) -> list[str]:
    """The arrays ``<name>`` of ``layer`` that have a gradient ``d<name>`` of their shape
    but are not in ``layer.params``."""
    names = []
    for name, grad in vars(layer).items():
        target = getattr(layer, name[1:], None) if name.startswith("d") else None
        if (isinstance(grad, np.ndarray) and isinstance(target, np.ndarray)
                and target.shape == grad.shape and name[1:] not in layer.params):
            names.append(name[1:])
    return names
