"""An optimizer's state as plain data (``state_dict``, ``load_state_dict``), and checking
it against the layers it belongs to (at the first step, after ``load_state_dict``, and
whenever the layers change)."""

from __future__ import annotations

import inspect

import numpy as np

from ..model import trainable_layers
from ..validation import check_number


class SavesState:
    """What ``Optimizer`` inherits to save and restore its hyperparameters and state."""

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
        names = list(self._param_names)
        for name, value in state.items():
            if name in ("name", "hyperparams", "t", "lr"):
                continue
            key, _, l = name.partition("/")
            sym, _, p = key.partition("_d")
            if sym not in self.state_symbols or not p.isidentifier() or not l.isdigit():
                raise ValueError(
                    f"unknown optimizer state {name!r}; {type(self).__name__} keeps "
                    f"{', '.join(k + '/<l>' for k in self.state_keys()) or 'no arrays'}"
                )
            if p not in names:  # a BatchNorm's gamma: s_dgamma
                names.append(p)
                arrays.update({f"{s}_d{p}": {} for s in self.state_symbols})
            arrays[key][int(l)] = np.array(value, copy=True)
        layers = self._layers
        if model_or_layers is not None:
            layers = trainable_layers(model_or_layers)
            check_state_matches(arrays, layers)
        lr = check_number("lr", state.get("lr", fresh.lr), low=0.0, low_open=True)
        for n, v in fresh.hyperparams().items():
            setattr(self, n, v)
        self.initial_lr, self.lr, self.t = fresh.initial_lr, lr, t
        self._param_names = names
        for key, d in arrays.items():
            setattr(self, key, d)
        self._layers, self._seen = layers, None  # the next step checks the new state




def check_state_matches(states: dict, layers: list) -> None:
    """Raise a ValueError naming the key if state arrays don't fit ``layers``.

    ``states`` maps a state name (``"s_dW"``: symbol s, parameter W) to ``{l: array}``,
    one array for each layer l that declares that parameter; empty dicts are fine.
    """
    for key, state in states.items():
        if not state:
            continue
        p = key.partition("_d")[2]
        numbers = {l for l, layer in enumerate(layers, start=1) if p in layer.params}
        if set(state) != numbers:
            raise ValueError(
                f"optimizer state {key} is for layers {sorted(state)}, but the model's layers "
                f"with a parameter {p} are {sorted(numbers)}: it comes from another "
                f"architecture"
            )
        for l in sorted(numbers):
            param, arr = getattr(layers[l - 1], p), state[l]
            if arr.shape != param.shape or arr.dtype != param.dtype:
                raise ValueError(
                    f"optimizer state {key}/{l}: expected shape {param.shape} {param.dtype} "
                    f"(layer {l}'s {p}), found {arr.shape} {arr.dtype}"
                )
