"""Loading a saved model: its layers' classes found by name, its arrays checked, no pickle.

A model file (``Sequential.save``) holds the architecture as JSON (each layer's class name
and ``config()``) and the arrays (``W/1``, ``b/1``, ``gamma/2``, ...). Loading finds each
class among the Layer subclasses defined in the running program, the built-ins and any a
user has imported, and checks every saved array before it is used.
"""

from __future__ import annotations

import inspect

import numpy as np

from .files import MALFORMED, unusable
from .layers import Dense, Layer
from .validation import check_dtype, check_number


def layer_class(name: str) -> type:
    """The subclass of Layer named ``name``, among those defined in this program: the
    built-ins and any a user's module has defined (it must be imported first). Loading a
    saved model builds its layers with it, never by unpickling."""
    if len(_subclasses_named(name)) > 1:  # classes no longer in use linger until collected
        import gc

        gc.collect()
    classes = _subclasses_named(name)  # a user's class named like a built-in: refused below
    if not classes:
        raise ValueError(f"unknown layer class {name!r}: import the module that defines it "
                         f"before loading (--import FILE on the command line)")
    if len(classes) > 1:
        where = ", ".join(f"{c.__module__}.{c.__qualname__}" for c in classes)
        raise ValueError(f"several layer classes are named {name!r} ({where}): rename one")
    return classes[0]


def _subclasses_named(name: str) -> list:
    found, todo = [], [Layer]
    while todo:
        for cls in todo.pop().__subclasses__():
            if cls.__name__ == name and cls not in found:
                found.append(cls)
            todo.append(cls)
    return found


def from_arrays(cls, config: dict, data: dict, path, prefix: str):
    """Build a model from ``config`` and copy in the arrays found in ``data``.

    Each layer's class is found by its name among the Layer subclasses defined in this
    program (the built-ins, and any the user has imported), and built from its saved
    ``config()``. The saved arrays are checked against the architecture (names,
    shapes, dtypes, finite values), a Dense layer's before it is built, so a file
    cannot make the loader allocate more than the arrays it holds.
    """
    try:
        dtype = check_dtype(config["dtype"])
        specs = [dict(spec) for spec in config["layers"]]
        kinds = [spec.pop("type") for spec in specs]
    except MALFORMED as err:
        raise unusable(path, "the saved architecture is invalid", err) from err
    try:
        kinds = [layer_class(kind) for kind in kinds]
    except ValueError as err:  # a class nobody imported: one line, naming it
        raise ValueError(f"{path}: {err}") from None
    try:
        _check_saved_arrays(specs, kinds, dtype, data, path, prefix)
        model = cls([_build(kind, spec, dtype) for kind, spec in zip(kinds, specs)],
                    head=config.get("head"))
    except MALFORMED as err:
        if str(path) in str(err):  # it names the file already
            raise
        raise unusable(path, "the saved architecture is invalid", err) from err
    arrays = model.arrays()
    for key, array in arrays.items():
        _check_saved(data, prefix + key, array.shape, dtype, path)
    for key, array in arrays.items():
        array[...] = data[prefix + key]
    return model


def _build(kind, spec: dict, dtype) -> Layer:
    """``kind(**spec)``, with the model's dtype and a throwaway generator for a layer that
    takes them (the weights are overwritten by the saved ones)."""
    takes = inspect.signature(kind).parameters
    extra = {"dtype": dtype} if "dtype" in takes else {}
    if "rng" in takes:
        extra["rng"] = np.random.default_rng(0)
    try:
        return kind(**spec, **extra)
    except TypeError as err:
        raise TypeError(f"{kind.__name__}(**{spec}) failed ({err}); a layer's config() must "
                        f"return its constructor's arguments") from None


def _check_saved_arrays(specs: list, kinds: list, dtype, data: dict, path, prefix: str) -> None:
    """Before any layer is built: every layer l that declares parameters has its arrays in
    ``data``; a Dense layer's W and b have the shapes its n_in, n_out say, and no other
    layer's whole-number argument exceeds the size of the arrays it holds (the file
    cannot make a constructor allocate more than it carries)."""
    numbered = [(spec, kind) for spec, kind in zip(specs, kinds) if kind.params]
    for l, (spec, kind) in enumerate(numbered, start=1):
        if kind is Dense:
            n_in = check_number(f"layer {l}'s n_in", spec.get("n_in"), low=1, integer=True)
            n_out = check_number(f"layer {l}'s n_out", spec.get("n_out"), low=1, integer=True)
            _check_saved(data, f"{prefix}W/{l}", (n_in, n_out), dtype, path)
            _check_saved(data, f"{prefix}b/{l}", (n_out,), dtype, path)
            continue
        sizes = [_present(data, f"{prefix}{name}/{l}", path).size
                 for name in (*kind.params, *kind.buffers)]
        for arg, value in spec.items():
            if isinstance(value, int) and not isinstance(value, bool) and value > max(sizes):
                raise ValueError(f"{path}: layer {l} ({kind.__name__}) has {arg}={value}, more "
                                 f"than the {max(sizes)} numbers saved for it")


def _present(data: dict, key: str, path) -> np.ndarray:
    if key not in data:
        raise ValueError(f"{path}: missing weights {key!r}")
    return data[key]


def _check_saved(data: dict, key: str, shape: tuple, dtype, path) -> None:
    saved = _present(data, key, path)
    if saved.shape != shape or saved.dtype != dtype:
        raise ValueError(f"{path}: weights {key!r} have shape {saved.shape} and dtype "
                         f"{saved.dtype}, but the architecture needs {shape} {dtype}")
    if not np.isfinite(saved).all():
        raise ValueError(f"{path}: weights {key!r} hold NaN or infinite values")
