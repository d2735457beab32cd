"""``tinynet compare``: optimizers side by side, under identical conditions.

On a dataset every optimizer starts from the SAME initial weights and sees the SAME
batches in the same order (the trainers share a seed); the run checks both and says so.
On a surface every optimizer starts from the same point.
"""

from __future__ import annotations

import copy
import time
import zlib
from dataclasses import dataclass, field

import numpy as np

from . import optimizers, surfaces
from .callbacks import Callback
from .losses import SoftmaxCrossEntropy
from .model import Sequential
from .trainer import Trainer

DEFAULT = ("sgd", "momentum", "rmsprop", "adam")


class BatchFingerprint(Callback):
    """Records a checksum of every batch the first layer saw, to prove equal batch order."""

    def __init__(self):
        self.checksums: list[int] = []

    def on_batch_end(self, trainer, step, logs):
        X = trainer.model.dense_layers[0]._X
        self.checksums.append(zlib.crc32(np.ascontiguousarray(X).tobytes()))


@dataclass
class Result:
    name: str
    optimizer: optimizers.Optimizer
    history: object = None
    model: Sequential | None = None
    seconds: float = 0.0
    target_epoch: int | None = None
    initial_weights: dict = field(default_factory=dict)
    batch_checksums: list = field(default_factory=list)
    trajectory: surfaces.Trajectory | None = None


def build_optimizers(names, lr: float | None) -> list[optimizers.Optimizer]:
    return [optimizers.get(n) if lr is None else optimizers.get(n, lr=lr) for n in names]


def compare_on_data(model: Sequential, data, opts: list, epochs: int = 20,
                    batch_size: int = 32, seed: int = 0, target: float = 0.95) -> list[Result]:
    """Train a copy of ``model`` with each optimizer; return one Result per optimizer."""
    X_train, X_val, y_train, y_val = data
    results = []
    for opt in opts:
        m = copy.deepcopy(model)  # the same initial weights for everyone
        fp = BatchFingerprint()
        trainer = Trainer(m, SoftmaxCrossEntropy(), opt, batch_size=batch_size, seed=seed,
                          progress=False, callbacks=[fp])
        initial = {k: a.copy() for k, a in m.arrays().items()}
        start = time.perf_counter()
        history = trainer.fit(X_train, y_train, epochs=epochs, validation_data=(X_val, y_val))
        seconds = time.perf_counter() - start
        reached = [i + 1 for i, a in enumerate(history["val_accuracy"]) if a >= target]
        results.append(Result(type(opt).__name__, opt, history, m, seconds,
                              reached[0] if reached else None, initial, fp.checksums))
    return results


def identical_conditions(results: list[Result]) -> bool:
    """True when every run started from the same weights and saw the same batches."""
    first = results[0]
    return all(r.batch_checksums == first.batch_checksums and
               all(np.array_equal(a, r.initial_weights[k])
                   for k, a in first.initial_weights.items()) for r in results[1:])


def compare_on_surface(surface: surfaces.Surface, opts: list, steps: int = 200,
                       start=None, threshold: float = 1e-3) -> list[Result]:
    results = []
    for opt in opts:
        t0 = time.perf_counter()
        traj = surfaces.run(opt, surface, start=start, steps=steps)
        r = Result(type(opt).__name__, opt, seconds=time.perf_counter() - t0, trajectory=traj)
        r.target_epoch = traj.steps_to(threshold)
        results.append(r)
    return results


def _hp(opt) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in opt.hyperparams().items()
                     if isinstance(v, float) and (k != "weight_decay" or v))


def _format(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths))) for r in [header, *rows]]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


def data_table(results: list[Result], target: float) -> str:
    header = ["optimizer", "hyperparameters", "train loss", "train acc", "val loss", "val acc",
              f"epoch val acc>={target:g}", "seconds"]
    rows = []
    for r in results:
        h = r.history
        rows.append([r.name, _hp(r.optimizer), f"{h['loss'][-1]:.4f}", f"{h['accuracy'][-1]:.4f}",
                     f"{h['val_loss'][-1]:.4f}", f"{h['val_accuracy'][-1]:.4f}",
                     str(r.target_epoch) if r.target_epoch else "never", f"{r.seconds:.2f}"])
    return _format(header, rows)


def surface_table(results: list[Result], threshold: float) -> str:
    header = ["optimizer", "hyperparameters", f"steps to f<{threshold:g}", "stays below from",
              "final f", "final (x, y)"]
    rows = []
    for r in results:
        traj = r.trajectory
        x, y = traj.path[-1]
        settled = traj.steps_to(threshold, stay=True)
        rows.append([r.name, _hp(r.optimizer),
                     str(r.target_epoch) if r.target_epoch is not None else "never",
                     str(settled) if settled is not None else "never",
                     f"{traj.losses[-1]:.3g}", f"({x:.3g}, {y:.3g})"])
    return _format(header, rows)
