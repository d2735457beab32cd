"""History: what happened in each epoch, metric by metric."""

from __future__ import annotations

import numpy as np


class History:
    """Per-epoch lists of metrics, e.g. ``history["loss"]``, ``history["val_accuracy"]``.

    Attributes
    ----------
    metrics : dict of str to list of float
        One list per metric, one entry per epoch.
    interrupted : bool
        True when training was stopped by Ctrl-C.
    """

    def __init__(self, metrics: dict | None = None):
        self.metrics: dict[str, list[float]] = {k: list(v) for k, v in (metrics or {}).items()}
        self.interrupted = False

    def append(self, **values: float) -> None:
        for key, value in values.items():
            self.metrics.setdefault(key, []).append(float(value))

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.metrics:
            raise KeyError(f"no metric {key!r} in the history; it has {sorted(self.metrics)}")
        return self.metrics[key]

    def __contains__(self, key: str) -> bool:
        return key in self.metrics

    def keys(self) -> list[str]:
        return list(self.metrics)

    def __len__(self) -> int:
        """Number of epochs recorded."""
        return max((len(v) for v in self.metrics.values()), default=0)

    def best(self, key: str, mode: str = "min") -> tuple[int, float]:
        """(epoch index, value) of the best entry of ``key``."""
        values = np.asarray(self[key])
        i = int(np.argmin(values) if mode == "min" else np.argmax(values))
        return i, float(values[i])

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.metrics.items() if v)
        return f"History({len(self)} epochs{': ' + last if last else ''})"
