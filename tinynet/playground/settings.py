"""The page's settings, read and checked. Each message names the field as the page labels it
(``hidden: comma-separated widths from 1 to 64, e.g. 8,8``, ``optimizer 2 (rmsprop): lr is
empty``), and every value is bounded so that a request cannot exhaust the machine.

The page sends its fields as typed (strings); the API also takes numbers and lists.
"""

from __future__ import annotations

import numpy as np

from .. import optimizers
from ..layers import ACTIVATIONS
from ..validation import check_choice, check_number

DATASETS = ("moons", "circles", "blobs", "xor", "spiral")
MAX_POINTS, MAX_WIDTH, MAX_LAYERS, MAX_OPTIMIZERS = 2000, 64, 4, 4

# What the first layer sees, as in TensorFlow Playground: name -> (label, function of X).
FEATURES = {
    "x1": ("x1", lambda X: X[:, 0]),
    "x2": ("x2", lambda X: X[:, 1]),
    "x1^2": ("x1²", lambda X: X[:, 0] ** 2),
    "x2^2": ("x2²", lambda X: X[:, 1] ** 2),
    "x1*x2": ("x1·x2", lambda X: X[:, 0] * X[:, 1]),
    "sin(x1)": ("sin x1", lambda X: np.sin(X[:, 0])),
    "sin(x2)": ("sin x2", lambda X: np.sin(X[:, 1])),
}
HIDDEN_HELP = f"hidden: comma-separated widths from 1 to {MAX_WIDTH}, e.g. 8,8"


def number(field: str, value, *, integer: bool = False, **bounds) -> float | int:
    """``value`` (a number, or a number as text) checked; the message names ``field``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{field} is empty")
    if isinstance(value, str):
        try:
            value = float(value) if not integer else int(value)
        except ValueError:
            kind = "an integer" if integer else "a number"
            raise ValueError(f"{field} must be {kind}, got {value.strip()!r}") from None
    return check_number(field, value, integer=integer, **bounds)


def choice(field: str, value, choices) -> str:
    """One of ``choices``; the message names ``field``."""
    if value is None or value == "":
        raise ValueError(f"{field} is empty")
    return check_choice(field, value, choices)


def hidden_widths(value) -> list[int]:
    """``"8,8"`` or ``[8, 8]``: 1 to MAX_LAYERS widths from 1 to MAX_WIDTH."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError(HIDDEN_HELP)
    if len(items) > MAX_LAYERS:
        raise ValueError(f"{HIDDEN_HELP} (at most {MAX_LAYERS} layers)")
    try:
        widths = [number("hidden", w, integer=True, low=1, high=MAX_WIDTH) for w in items]
    except (ValueError, TypeError):
        raise ValueError(HIDDEN_HELP) from None
    return widths


def features(value) -> list[str]:
    """A non-empty list of names from FEATURES, each once."""
    if not isinstance(value, list) or not value:
        raise ValueError("features: choose at least one input, e.g. x1 and x2")
    for name in value:
        choice("features", name, FEATURES)
    if len(set(value)) != len(value):
        raise ValueError("features: each input once")
    return [name for name in FEATURES if name in value]  # the page's order


def extra_hyperparameters(text) -> dict:
    """``"rho=0.9, centered=true"`` -> ``{"rho": "0.9", "centered": True}`` (values checked
    when the optimizer is built)."""
    if isinstance(text, dict):
        return dict(text)
    out = {}
    for pair in filter(str.strip, (text or "").split(",")):
        key, sep, value = (part.strip() for part in pair.partition("="))
        if not sep or not key:
            raise ValueError(f"{pair.strip()!r} is not NAME=VALUE (e.g. rho=0.9)")
        out[key] = {"true": True, "false": False}.get(value.lower(), value)
    return out


def optimizer(k: int, spec) -> optimizers.Optimizer:
    """Optimizer number ``k`` (from 1) of the page; messages start ``optimizer k (name):``."""
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise ValueError(f"optimizer {k}: choose one by name, e.g. rmsprop")
    name = spec["name"]
    where = f"optimizer {k} ({name})"
    try:
        cls = optimizers.lookup(name)
        known = cls().hyperparams()  # the defaults: their types say which are switches
        given = {key: v for key, v in spec.items() if key not in ("name", "extra")}
        given.update(extra_hyperparameters(spec.get("extra")))
        unknown = [key for key in given if key not in known]
        if unknown:
            raise ValueError(f"{unknown[0]} is not one of its settings ({', '.join(known)})")
        return cls(**{key: v if isinstance(known[key], bool) else number(key, v)
                      for key, v in given.items()})
    except (ValueError, TypeError) as err:
        raise ValueError(f"{where}: {err}") from None


def read(settings: dict) -> dict:
    """Every setting, checked and with its default; ValueError naming the field if bad."""
    if not isinstance(settings, dict):
        raise TypeError("the settings must be a JSON object")
    s = settings
    specs = s.get("optimizers", [{"name": "sgd", "lr": 0.1}, {"name": "rmsprop", "lr": 0.01}])
    if not isinstance(specs, list) or not 0 < len(specs) <= MAX_OPTIMIZERS:
        raise ValueError(f"optimizers: 1 to {MAX_OPTIMIZERS} optimizers")
    return {
        "dataset": choice("dataset", s.get("dataset", "moons"), DATASETS),
        "points": number("points", s.get("points", 400), integer=True, low=20,
                         high=MAX_POINTS),
        "noise": number("noise", s.get("noise", 0.2), low=0.0, high=1.0),
        "train_fraction": number("train fraction", s.get("train_fraction", 0.7), low=0.1,
                                 high=0.9),
        "hidden": hidden_widths(s.get("hidden", [8, 8])),
        "activation": choice("activation", s.get("activation", "tanh"), ACTIVATIONS),
        "features": features(s.get("features", ["x1", "x2"])),
        "batch_size": number("batch", s.get("batch_size", 16), integer=True, low=1, high=512),
        "seed": number("seed", s.get("seed", 0), integer=True, low=0, high=2**31),
        "optimizers": [optimizer(k, spec) for k, spec in enumerate(specs, start=1)],
    }
