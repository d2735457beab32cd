"""The Optimizer base class and the registry of optimizers by name.

An optimizer changes every trainable layer's ``W`` and ``b`` in place, using the
gradients ``dW`` and ``db`` that backward left on the layer, and its own state. State is
named after the formulas: a subclass declares its symbols (RMSProp: ``("s",)``) and the
base class keeps one dict per symbol and parameter, keyed by layer number l = 1..L::

    opt.s_dW[l], opt.s_db[l]      # shaped like layer l's W and b; zeros at the first step

A subclass writes only ``update``: how one parameter changes given its gradient and its
state arrays. The base class iterates over the layers, applies weight decay, creates the
state lazily, checks it against the layers, and saves and restores it.
"""

from __future__ import annotations

import inspect

import numpy as np

from ..validation import check_number
from . import plan

_REGISTRY: dict[str, type] = {}


class Optimizer:
    """Base class for optimizers.

    Parameters
    ----------
    lr : float
        Learning rate eta (> 0). ``opt.lr`` is always the rate the next step uses.
    weight_decay : float
        Coupled L2 penalty: ``dW += weight_decay * W`` before the update (W only, not b).

    Attributes
    ----------
    t : int
        Number of steps taken.
    """

    name: str | None = None  # set by ``register``
    state_symbols: tuple[str, ...] = ()
    # True when update() treats every number on its own (no norms or matrix products):
    # then all parameters kept in one buffer can be updated in one call (see plan.py).
    elementwise: bool = False

    def __init__(self, lr: float, weight_decay: float = 0.0):
        self.lr = check_number("lr", lr, low=0.0, low_open=True)
        self.initial_lr = self.lr
        self.weight_decay = check_number("weight_decay", weight_decay, low=0.0)
        self.t = 0
        for key in self.state_keys():
            setattr(self, key, {})
        self._scratch_arrays: dict = {}
        self._layers: list = []  # the layers the state belongs to (for effective_lr)
        self._checked: list | None = None  # None: check the layers at the next step
        self._planned: list = []  # the arrays the step plan was built for (plan.py)

    # ----- what a subclass provides ---------------------------------------------------

    def update(self, param: np.ndarray, grad: np.ndarray, **state: np.ndarray) -> None:
        """Change ``param`` in place from ``grad`` and this parameter's state arrays.

        ``state`` holds one array per symbol (``s=...`` for RMSProp), shaped like
        ``param``; update them in place too.
        """
        raise NotImplementedError

    def effective_lr(self, l: int) -> dict:
        """Per-parameter rate that multiplies layer ``l``'s gradient: ``{"W": ..., "b": ...}``.

        Plain gradient descent uses one rate, ``lr``, for every parameter.
        """
        layer = self._layer(l)
        return {"W": np.full_like(layer.W, self.lr), "b": np.full_like(layer.b, self.lr)}

    # ----- the step -------------------------------------------------------------------

    def step(self, model_or_layers) -> None:
        """Update every trainable layer in place (a Sequential or a list of Dense layers)."""
        layers = trainable_layers(model_or_layers)
        if self._checked is None or not plan.still_valid(self._planned, layers):
            self._prepare(layers)  # new layers, arrays or state: check before changing
        self.t += 1
        if self.weight_decay:  # coupled L2, W only: dW += weight_decay * W
            for layer in layers:
                layer.dW += np.multiply(layer.W, self.weight_decay, out=self._scratch(layer.W))
        if self._fused is not None:  # all parameters in one buffer: one update (plan.py)
            self.update(self._fused["param"], self._fused["grad"], **self._fused["state"])
            return
        for layer, state_W, state_b in self._plan:
            self.update(layer.W, layer.dW, **state_W)
            self.update(layer.b, layer.db, **state_b)

    def state_keys(self) -> list[str]:
        """Names of the state dicts, e.g. ``["s_dW", "s_db"]``."""
        return [f"{sym}_d{p}" for sym in self.state_symbols for p in ("W", "b")]

    def _prepare(self, layers: list) -> None:
        """Check gradients and existing state against ``layers``, then create missing state."""
        for l, layer in enumerate(layers, start=1):
            if layer.dW is None or layer.db is None:
                raise ValueError(
                    f"layer {l} has no gradients yet: call model.backward(...) before step()"
                )
        states = {key: getattr(self, key) for key in self.state_keys()}
        check_state_matches(states, layers)
        for key, state in states.items():
            if not state:  # lazy creation: zeros at the first step
                for l, layer in enumerate(layers, start=1):
                    state[l] = np.zeros_like(getattr(layer, key[-1]))
        self._plan, self._fused = plan.build(self, layers)
        self._planned = plan.arrays_of(layers)
        self._layers = self._checked = layers

    def _layer(self, l):
        layers = self._layers
        if isinstance(l, bool) or not isinstance(l, (int, np.integer)) or not 1 <= l <= len(layers):
            raise ValueError(
                f"no layer {l!r}: layers are numbered 1..L, and an optimizer knows them "
                f"after its first step (it has seen {len(layers)})"
            )
        return layers[l - 1]

    def _scratch(self, like: np.ndarray) -> np.ndarray:
        """A reusable work array shaped like ``like``, so a step allocates nothing new."""
        key = (like.shape, like.dtype)
        buf = self._scratch_arrays.get(key)
        if buf is None:
            buf = self._scratch_arrays[key] = np.empty_like(like)
        return buf

    # ----- validation helpers for constructors ------------------------------------------

    @staticmethod
    def decay_rate(name: str, value) -> float:
        """Check a decay rate such as rho or beta: a number in [0, 1)."""
        return check_number(name, value, low=0.0, high=1.0, high_open=True)

    @staticmethod
    def non_negative(name: str, value) -> float:
        """Check a number >= 0, such as eps."""
        return check_number(name, value, low=0.0)

    # ----- hyperparameters and state --------------------------------------------------

    @classmethod
    def hyperparam_names(cls) -> list[str]:
        """The constructor's argument names (its hyperparameters)."""
        params = inspect.signature(cls.__init__).parameters
        return [n for n, p in params.items() if n != "self" and p.kind == p.POSITIONAL_OR_KEYWORD]

    def hyperparams(self) -> dict:
        values = {n: getattr(self, n) for n in self.hyperparam_names()}
        if "lr" in values:
            values["lr"] = self.initial_lr
        return values

    def state_dict(self) -> dict:
        """Plain data: name, hyperparameters, step count, current lr and copies of the state
        arrays keyed by symbol and layer number (``"s_dW/1"``)."""
        state = {"name": self.name, "hyperparams": self.hyperparams(), "t": self.t,
                 "lr": self.lr}
        for key in self.state_keys():
            for l, arr in getattr(self, key).items():
                state[f"{key}/{l}"] = arr.copy()
        return state

    def load_state_dict(self, state: dict, model_or_layers=None) -> None:
        """Restore ``state_dict()`` output. With ``model_or_layers`` the shapes are checked
        now; otherwise at the next step. Nothing changes unless everything checks out."""
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict from state_dict(), got {type(state).__name__}")
        if state.get("name") not in (None, self.name):
            raise ValueError(f"state is for optimizer {state['name']!r}, not {self.name!r}")
        fresh = type(self)(**state.get("hyperparams", self.hyperparams()))  # validates
        t = check_number("t", state.get("t", 0), low=0, integer=True)
        arrays = {key: {} for key in self.state_keys()}
        for name, value in state.items():
            if name in ("name", "hyperparams", "t", "lr"):
                continue
            key, _, l = name.partition("/")
            if key not in arrays or not l.isdigit():
                raise ValueError(
                    f"unknown optimizer state {name!r}; {type(self).__name__} keeps "
                    f"{', '.join(k + '/<l>' for k in self.state_keys()) or 'no arrays'}"
                )
            arrays[key][int(l)] = np.array(value, copy=True)
        layers = self._layers
        if model_or_layers is not None:
            layers = trainable_layers(model_or_layers)
            check_state_matches(arrays, layers)
        lr = check_number("lr", state.get("lr", fresh.lr), low=0.0, low_open=True)
        for n, v in fresh.hyperparams().items():
            setattr(self, n, v)
        self.initial_lr, self.lr, self.t = fresh.initial_lr, lr, t
        for key, d in arrays.items():
            setattr(self, key, d)
        self._layers, self._checked = layers, None  # the next step checks the new state

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparams().items())
        return f"{type(self).__name__}({args})"


def divide_into(num: np.ndarray, den: np.ndarray, eps: float) -> np.ndarray:
    """``den <- num / den`` in place. A 0 denominator is only possible with eps = 0 before
    any gradient arrived (0 / 0); it then moves nothing."""
    if eps == 0:
        np.divide(num, den, out=den, where=den != 0)
    else:
        np.divide(num, den, out=den)
    return den


def check_state_matches(states: dict, layers: list) -> None:
    """Raise a ValueError naming the key if state arrays don't fit ``layers``.

    ``states`` maps a state name (``"s_dW"``) to ``{l: array}``; empty dicts are fine.
    """
    numbers = set(range(1, len(layers) + 1))
    for key, state in states.items():
        if not state:
            continue
        if set(state) != numbers:
            raise ValueError(
                f"optimizer state {key} is for layers {sorted(state)}, but the model has "
                f"layers {sorted(numbers)}: it comes from another architecture"
            )
        p = key[-1]
        for l, layer in enumerate(layers, start=1):
            param, arr = getattr(layer, p), state[l]
            if arr.shape != param.shape or arr.dtype != param.dtype:
                raise ValueError(
                    f"optimizer state {key}/{l}: expected shape {param.shape} {param.dtype} "
                    f"(layer {l}'s {p}), found {arr.shape} {arr.dtype}"
                )


def trainable_layers(model_or_layers) -> list:
    """The layers an optimizer updates: ``model.dense_layers``, or those of a list that
    carry parameters ``W`` and ``b``, numbered 1..L in order."""
    if hasattr(model_or_layers, "dense_layers"):
        return model_or_layers.dense_layers
    if isinstance(model_or_layers, (list, tuple)):
        layers = [x for x in model_or_layers if hasattr(x, "W") and hasattr(x, "b")]
        if layers:
            return layers
        raise ValueError("step() needs at least one layer with parameters W and b")
    raise TypeError(
        f"step() takes a Sequential or a list of Dense layers, got {type(model_or_layers).__name__}"
    )


# ----- the registry ---------------------------------------------------------------------


def register(name: str, cls: type | None = None):
    """Register an Optimizer subclass under ``name`` (usable as a decorator).

    Registered names work in ``get``, in ``Trainer(..., optimizer="name")`` and in
    ``tinynet train --optimizer name``.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"optimizer name must be a simple identifier, got {name!r}")

    def add(cls: type) -> type:
        if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
            raise TypeError(f"only Optimizer subclasses can be registered, got {cls!r}")
        cls.name = name.lower()
        _REGISTRY[name.lower()] = cls
        return cls

    return add(cls) if cls is not None else add


def get(name: str, **hyperparams) -> Optimizer:
    """Build the optimizer registered under ``name`` (case-insensitive)."""
    if not isinstance(name, str) or name.lower() not in _REGISTRY:
        raise ValueError(f"unknown optimizer {name!r}; available: {', '.join(available())}")
    cls = _REGISTRY[name.lower()]
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
