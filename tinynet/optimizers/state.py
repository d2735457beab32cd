"""Checking optimizer state against the layers it belongs to (at the first step, after
``load_state_dict``, and whenever the layers change)."""

from __future__ import annotations


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
