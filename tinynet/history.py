"""History: what happened in each epoch (and, optionally, every few steps)."""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from .files import atomic_open


class History:
    """Per-epoch lists of metrics, e.g. ``history["loss"]``, ``history["val_accuracy"]``.

    Attributes
    ----------
    metrics : dict of str to list of float
        One list per metric, one entry per epoch.
    steps : dict of str to list of float
        Per-step records written by callbacks such as OptimizerStats (``step`` is the key).
    interrupted : bool
        True when the last ``fit`` was stopped by Ctrl-C.
    """

    def __init__(self, metrics: dict | None = None, steps: dict | None = None):
        self.metrics: dict[str, list[float]] = {k: list(v) for k, v in (metrics or {}).items()}
        self.steps: dict[str, list[float]] = {k: list(v) for k, v in (steps or {}).items()}
        self.interrupted = False

    def append(self, **values: float) -> None:
        """Add one epoch's values."""
        for key, value in values.items():
            self.metrics.setdefault(key, []).append(float(value))

    def log_step(self, **values: float) -> None:
        """Add one per-step record (used by callbacks)."""
        for key, value in values.items():
            self.steps.setdefault(key, []).append(float(value))

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

    def to_dict(self) -> dict:
        """Plain data (for checkpoints): ``{"metrics": ..., "steps": ...}``."""
        clean = {k: [None if not math.isfinite(x) else x for x in v]
                 for k, v in self.metrics.items()}
        return {"metrics": clean, "steps": self.steps}

    @classmethod
    def from_dict(cls, data: dict) -> History:
        metrics = {k: [math.nan if x is None else x for x in v]
                   for k, v in data.get("metrics", {}).items()}
        return cls(metrics, data.get("steps"))

    def to_csv(self, path, table: str = "epochs") -> None:
        """Write one row per epoch (``table="epochs"``) or per logged step (``"steps"``).

        The first column is ``epoch`` (counting from 1) for the epoch table. The file is
        written to a temporary name and then moved into place.
        """
        if table not in ("epochs", "steps"):
            raise ValueError(f"table must be 'epochs' or 'steps', got {table!r}")
        data = self.metrics if table == "epochs" else self.steps
        buf = io.StringIO()
        writer = csv.writer(buf)
        if table == "epochs":
            writer.writerow(["epoch", *data])
            for i in range(len(self)):
                writer.writerow([i + 1, *(_cell(v, i) for v in data.values())])
        else:
            writer.writerow(list(data))
            n = max((len(v) for v in data.values()), default=0)
            for i in range(n):
                writer.writerow([_cell(v, i) for v in data.values()])
        with atomic_open(path, "w") as f:
            f.write(buf.getvalue())

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.metrics.items() if v)
        return f"History({len(self)} epochs{': ' + last if last else ''})"


def _cell(values: list, i: int):
    if i >= len(values):
        return ""
    value = values[i]
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else repr(value)
