"""``tinynet compare``: optimizers side by side, under identical conditions.

On a dataset every optimizer starts from the SAME initial weights and sees the SAME
batches in the same order (the trainers share a seed); the run checks both and says so.
On a surface every optimizer starts from the same point.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

import numpy as np

from . import datasets, optimizers, parallel, surfaces
from .callbacks import Callback
from .guard import DivergenceError
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


LR_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)  # half-decades


@dataclass
class Result:
    """One training run (or one surface run)."""

    name: str
    optimizer: optimizers.Optimizer
    history: object = None
    model: Sequential | None = None
    seconds: float = 0.0
    target_epoch: int | None = None
    initial_weights: dict = field(default_factory=dict)
    batch_checksums: list = field(default_factory=list)
    trajectory: surfaces.Trajectory | None = None
    seed: int = 0
    diverged: int | None = None  # the epoch in which training diverged
    test: dict | None = None     # test-set loss and accuracy, once, after training

    @property
    def val_loss(self) -> float:
        """The final validation loss; inf for a run that diverged."""
        if self.diverged is not None or not self.history["val_loss"]:
            return float("inf")
        value = self.history["val_loss"][-1]
        return value if np.isfinite(value) else float("inf")


class Split(NamedTuple):
    """Train / validation / test: the validation part is carved out of the training data,
    so choosing a learning rate never looks at the test set."""

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray


def three_way(data, val_fraction: float = 0.2, seed: int = 0) -> Split:
    """Split ``datasets.load`` output's training part into train and validation
    (stratified); the test part stays as it is."""
    X_train, X_test, y_train, y_test = data
    X_tr, X_val, y_tr, y_val = datasets.validation_split(X_train, y_train, val_fraction, seed)
    return Split(X_tr, X_val, X_test, y_tr, y_val, y_test)


def build_optimizers(names, lr: float | None) -> list[optimizers.Optimizer]:
    return [optimizers.get(n) if lr is None else optimizers.get(n, lr=lr) for n in names]


def first_epoch_reaching(curve: list, target: float) -> int | None:
    """The first epoch (from 1) whose validation metric in ``curve`` is at least ``target``."""
    return next((epoch for epoch, value in enumerate(curve, start=1) if value >= target), None)


def train_run(opt: optimizers.Optimizer, model: Sequential, data: Split, epochs: int = 20,
              batch_size: int = 32, seed: int = 0, target: float = 0.95) -> Result:
    """Train ``model`` with ``opt`` on ``data.X_train``, validating every epoch; then test."""
    fp = BatchFingerprint()
    trainer = Trainer(model, SoftmaxCrossEntropy(), opt, batch_size=batch_size, seed=seed,
                      progress=False, callbacks=[fp], teaching_warnings=False)
    initial = {k: a.copy() for k, a in model.arrays().items()}
    diverged = None
    start = time.perf_counter()
    try:
        trainer.fit(data.X_train, data.y_train, epochs=epochs,
                    validation_data=(data.X_val, data.y_val))
    except DivergenceError as err:
        diverged = err.epoch
    if trainer.history.interrupted:  # Ctrl-C: stop the whole comparison, not this run only
        raise KeyboardInterrupt
    seconds = time.perf_counter() - start
    history = trainer.history
    # no validation figure is recorded when it diverged in the first epoch
    reached = first_epoch_reaching(history.metrics.get("val_accuracy", []), target)
    test = trainer.evaluate(data.X_test, data.y_test) if diverged is None else None
    return Result(type(opt).__name__, opt, history, model, seconds,
                  reached, initial, fp.checksums, seed=seed,
                  diverged=diverged, test=test)


ERRATIC = 1e-6  # relative: stable runs agree to ~1e-10 with their twin, erratic ones to ~1e-2


def nudged(model: Sequential) -> Sequential:
    """``model`` with every weight moved by one unit in the last place (``np.nextafter``):
    the size of difference another CPU's BLAS kernel makes in a matrix product."""
    for a in model.arrays().values():
        a[...] = np.nextafter(a, np.inf)
    return model


def is_erratic(loss: float, twin: float) -> bool:
    """True when a run and its nudged twin end more than ``ERRATIC`` apart (relative), or
    one diverged and the other did not: past the edge of stability, where the last bit of a
    matrix product decides the outcome, so the number differs from machine to machine."""
    if not (np.isfinite(loss) and np.isfinite(twin)):
        return np.isfinite(loss) != np.isfinite(twin)
    return abs(loss - twin) > ERRATIC * max(abs(loss), abs(twin))


def erratic_rates(rates, losses, twins) -> set:
    """The rates whose final loss depends on the last bit of the arithmetic: the first rate
    where a run and its nudged twin end apart (``is_erratic``), and every larger one, except
    where both runs diverged. Past that edge a run may still end the same way twice (in a
    dead network, say) on one CPU and not on another, so no number there is trusted."""
    edge = min((lr for lr, a, b in zip(rates, losses, twins) if is_erratic(a, b)), default=None)
    if edge is None:
        return set()
    return {lr for lr, a, b in zip(rates, losses, twins)
            if lr >= edge and not (np.isinf(a) and np.isinf(b))}


def choose_lr(grid, scores: dict, twins: dict) -> tuple[float, set]:
    """The rate of ``grid`` with the lowest final validation loss (``scores``) among those
    that are not erratic (``erratic_rates``, from each rate's run from nudged weights,
    ``twins``; among all of them when every rate is, which ``grid_report`` then says), and
    the erratic rates."""
    erratic = erratic_rates(grid, [scores[lr] for lr in grid], [twins[lr] for lr in grid])
    stable = [lr for lr in grid if lr not in erratic] or list(grid)
    return min(stable, key=scores.get), erratic


@dataclass(frozen=True)
class Job:
    """One training run of a comparison: optimizer ``name`` at ``lr`` from
    ``make_model(seed)``'s weights, or from them ``nudged`` (``twin``, in tuning)."""

    name: str
    lr: float
    seed: int
    twin: bool = False


def run_job(job: Job, make_model, data: Split, **kwargs) -> Result:
    """``train_run`` of one job (``kwargs``: epochs, batch_size, target)."""
    model = make_model(job.seed)
    return train_run(optimizers.get(job.name, lr=job.lr), nudged(model) if job.twin else model,
                     data, seed=job.seed, **kwargs)


def val_loss_of(job: Job, make_model, data: Split, **kwargs) -> float:
    """A tuning job's one number, its final validation loss (all a worker sends back)."""
    return run_job(job, make_model, data, **kwargs).val_loss


@dataclass
class Entry:
    """One optimizer in a comparison: its rate, how it was chosen, and one run per seed."""

    name: str
    lr: float
    tuned: bool
    grid: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)
    erratic: set = field(default_factory=set)  # rates whose outcome depends on the last bit


def compare_on_data(make_model, data: Split, names, epochs: int = 20, batch_size: int = 32,
                    seeds=(0,), lr: float | None = None, grid=LR_GRID, target: float = 0.95,
                    on_run=None, jobs: int = 1, imports: tuple = ()) -> list[Entry]:
    """Each optimizer at its best stable learning rate on ``grid``, or at the one fixed
    ``lr``; then trained once per seed, every optimizer from the same initial weights and
    batch order for a given seed.

    Tuning trains each rate of the grid with the first seed, and again from nudged weights,
    and keeps the lowest final validation loss (``choose_lr``). The runs go through
    ``parallel.each``: ``jobs`` local processes give the same results as one (``make_model``
    reaches them by cloudpickle; they import ``imports``, the ``--import`` targets).
    ``on_run(n)``, if given, is called as every ``n`` training runs finish."""
    kw = {"make_model": make_model, "data": data, "epochs": epochs, "batch_size": batch_size,
          "target": target}

    def run(fn, todo: list[Job]) -> dict:
        done = {}
        for job, result in parallel.each(partial(fn, **kw), todo, jobs, imports=imports):
            done[job] = result
            if on_run:
                on_run(1)
        return done

    entries = [Entry(optimizers.lookup(name).__name__, lr, False) for name in names]
    if lr is None:
        first = seeds[0]
        losses = run(val_loss_of, [Job(name, rate, first, twin) for name in names
                                   for rate in grid for twin in (False, True)])
        for name, entry in zip(names, entries):
            entry.grid = {rate: losses[Job(name, rate, first)] for rate in grid}
            twins = {rate: losses[Job(name, rate, first, True)] for rate in grid}
            entry.lr, entry.erratic = choose_lr(grid, entry.grid, twins)
            entry.tuned = True
    finals = run(run_job, [Job(name, entry.lr, s) for name, entry in zip(names, entries)
                           for s in seeds])
    for name, entry in zip(names, entries):
        entry.runs = [finals[Job(name, entry.lr, s)] for s in seeds]
    return entries


def count_runs(names, seeds, lr: float | None = None, grid=LR_GRID) -> int:
    """How many training runs ``compare_on_data`` makes: two per rate of the grid (a run
    and its nudged twin) per optimizer unless ``lr`` is fixed, then one per seed."""
    return len(names) * ((0 if lr is not None else 2 * len(grid)) + len(seeds))


def identical_conditions(results: list[Result]) -> bool:
    """True when every run started from the same weights and saw the same batches."""
    first = results[0]
    return all(r.batch_checksums[:len(first.batch_checksums)] ==
               first.batch_checksums[:len(r.batch_checksums)] and
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
