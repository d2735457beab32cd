"""The registry: optimizers by name, for ``get``, ``Trainer(optimizer="name")``, the CLI
(``--optimizer name``) and the scikit-learn estimators (``optimizer="name"``)."""

from __future__ import annotations

from .base import Optimizer

_REGISTRY: dict[str, type[Optimizer]] = {}


def register(name: str, cls: type | None = None, *, replace: bool = False):
    """Register an Optimizer subclass under ``name`` (usable as a decorator).

    A name that is taken raises ValueError unless ``replace=True``: a file imported with
    ``--import`` must not silently swap out a built-in such as ``rmsprop``.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"optimizer name must be a simple identifier, got {name!r}")
    key = name.lower()

    def add(cls: type) -> type:
        if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
            raise TypeError(f"only Optimizer subclasses can be registered, got {cls!r}")
        taken = _REGISTRY.get(key)
        if taken is not None and taken is not cls and not replace:
            raise ValueError(
                f"an optimizer named {key!r} is already registered ({taken.__module__}."
                f"{taken.__qualname__}); pick another name, or pass replace=True to replace it"
            )
        cls.name = key
        _REGISTRY[key] = cls
        return cls

    return add(cls) if cls is not None else add


def lookup(name: str) -> type[Optimizer]:
    """The class registered under ``name`` (case-insensitive)."""
    if not isinstance(name, str) or name.lower() not in _REGISTRY:
        raise ValueError(f"unknown optimizer {name!r}; available: {', '.join(available())}")
    return _REGISTRY[name.lower()]


def get(name: str, **hyperparams) -> Optimizer:
    """Build the optimizer registered under ``name`` with ``hyperparams``."""
    cls = lookup(name)
    unknown = set(hyperparams) - set(cls.hyperparam_names())
    if unknown:
        raise TypeError(
            f"{cls.__name__} has no hyperparameter(s) {sorted(unknown)}; "
            f"it takes {cls.hyperparam_names()}"
        )
    return cls(**hyperparams)


def available() -> list[str]:
    """Registered optimizer names, sorted."""
    return sorted(_REGISTRY)


def unregister(name: str) -> None:
    """Remove ``name`` from the registry (a test or a notebook cleaning up after itself)."""
    lookup(name)  # a clear error for an unknown name
    del _REGISTRY[name.lower()]
