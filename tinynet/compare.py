"""``tinynet compare``: optimizers side by side, under identical conditions.

On a dataset every optimizer starts from the SAME initial weights and sees the SAME
batches in the same order (the trainers share a seed); the run checks both and says so.
On a surface every optimizer starts from the same point.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import datasets, optimizers, surfaces
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
    reached = [i + 1 for i, a in enumerate(history.metrics.get("val_accuracy", []))
               if a >= target]  # none recorded when it diverged in the first epoch
    test = trainer.evaluate(data.X_test, data.y_test) if diverged is None else None
    return Result(type(opt).__name__, opt, history, model, seconds,
                  reached[0] if reached else None, initial, fp.checksums, seed=seed,
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


def tune_lr(name: str, make_model, data: Split, grid=LR_GRID, seed: int = 0,
            on_run=None, **kwargs) -> tuple[float, dict, set]:
    """Train ``name`` once per learning rate of ``grid`` (same initial weights, same
    batches), and once more from ``nudged`` weights. Return the rate with the lowest final
    validation loss among those that are not erratic (``erratic_rates``; among all of them
    when every rate is, which ``grid_report`` then says), every score, and the erratic rates.
    ``on_run(n)``, if given, is called as every ``n`` runs finish."""
    scores, twins = {}, {}
    for lr in grid:
        scores[lr], twins[lr] = (train_run(optimizers.get(name, lr=lr), model, data,
                                           seed=seed, **kwargs).val_loss
                                 for model in (make_model(seed), nudged(make_model(seed))))
        if on_run:
            on_run(2)
    erratic = erratic_rates(grid, [scores[lr] for lr in grid], [twins[lr] for lr in grid])
    stable = [lr for lr in grid if lr not in erratic] or list(grid)
    return min(stable, key=scores.get), scores, erratic


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
                    seeds=(0,), lr: float | None = None, grid=LR_GRID,
                    target: float = 0.95, on_run=None) -> list[Entry]:
    """Each optimizer at its best stable learning rate on ``grid`` (tuned on the validation
    split, with the first seed; see ``tune_lr``), or at the one fixed ``lr``; then trained
    once per seed, every optimizer from the same initial weights and batch order for a given
    seed. ``on_run(n)``, if given, is called as every ``n`` training runs finish."""
    kw = {"epochs": epochs, "batch_size": batch_size, "target": target}
    entries = []
    for name in names:
        label = optimizers.lookup(name).__name__
        if lr is None:
            best, scores, erratic = tune_lr(name, make_model, data, grid, seed=seeds[0],
                                            on_run=on_run, **kw)
            entry = Entry(label, best, True, scores, erratic=erratic)
        else:
            entry = Entry(label, lr, False)
        for s in seeds:
            entry.runs.append(train_run(optimizers.get(name, lr=entry.lr), make_model(s),
                                        data, seed=s, **kw))
            if on_run:
                on_run(1)
        entries.append(entry)
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


def _hp(opt) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in opt.hyperparams().items()
                     if isinstance(v, float) and (k != "weight_decay" or v))


def _format(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths))) for r in [header, *rows]]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


def _mean_spread(values: list[float], digits: int = 4) -> str:
    """``0.9722`` for one value, ``0.9722 ± 0.0041`` (mean ± standard deviation) for more."""
    values = [v for v in values if v is not None and np.isfinite(v)]
    if not values:
        return "diverged"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"


def data_table(entries: list[Entry], target: float, times: bool = True) -> str:
    """One row per optimizer: its rate, final figures (mean ± spread over the seeds),
    epochs to the target validation accuracy, and (``times``) seconds per run."""
    header = ["optimizer", "lr", "train loss", "val loss", "val acc", "test acc",
              f"epochs to val acc>={target:g}"] + ["seconds"] * times
    rows = []
    for e in entries:
        ok = [r for r in e.runs if r.diverged is None]
        reached = [r.target_epoch for r in e.runs if r.target_epoch is not None]
        if not reached:
            epochs = "never"
        elif len(e.runs) == 1:
            epochs = str(reached[0])
        else:
            never = len(e.runs) - len(reached)
            epochs = _mean_spread(reached, 1) + (f" ({never} never)" if never else "")
        how = ""
        if e.tuned:
            edge = e.lr in (min(e.grid), max(e.grid))
            how = " (tuned, grid edge)" if edge else " (tuned)"
        rows.append([e.name, f"{e.lr:g}{how}",
                     _mean_spread([r.history["loss"][-1] for r in ok]),
                     _mean_spread([r.history["val_loss"][-1] for r in ok]),
                     _mean_spread([r.history["val_accuracy"][-1] for r in ok]),
                     _mean_spread([r.test["accuracy"] for r in ok]), epochs]
                    + [f"{np.mean([r.seconds for r in e.runs]):.2f}"] * times)
    return _format(header, rows)


def grid_cell(loss: float, erratic: bool) -> str:
    """A final validation loss as the grid table shows it: a robust word where the number
    would depend on the last bit of the arithmetic."""
    if erratic:
        return "erratic"
    return "diverged" if not np.isfinite(loss) else f"{loss:.4f}"


def grid_table(entries: list[Entry]) -> str:
    """Final validation loss for every learning rate tried, one column per optimizer."""
    grid = sorted({lr for e in entries for lr in e.grid})
    header = ["lr", *(e.name for e in entries)]
    rows = [[f"{lr:g}", *(grid_cell(e.grid[lr], lr in e.erratic) + (" *" if lr == e.lr else "")
                          for e in entries)] for lr in grid]
    return _format(header, rows)


def grid_report(entries: list[Entry]) -> str:
    """The grid table with its title, and what "erratic" means when a cell says it."""
    text = ["final validation loss per learning rate (* the one chosen)", grid_table(entries)]
    if any(e.erratic for e in entries):
        text.append("erratic: from the first rate where the run and its twin from weights "
                    "nudged in the\nlast bit end apart, the loss differs from machine to "
                    "machine (never chosen)")
    for e in entries:  # no stable rate on the grid: the choice itself is not reproducible
        if e.lr in e.erratic:
            text.append(f"{e.name}: every rate on the grid is erratic; the lowest loss among "
                        f"them ({e.lr:g}) is shown, but another CPU may choose another: "
                        f"add smaller rates with --lrs")
    return "\n".join(text)


def surface_table(results: list[Result], threshold: float, surface) -> str:
    """Steps to f < threshold (and from when it stays there), or, on a surface without a
    minimum, steps to escape and distance travelled; a diverged run says so."""
    if surface.has_minimum:
        header = ["optimizer", "hyperparameters", f"steps to f<{threshold:g}",
                  "stays below from", "final f", "final (x, y)"]
    else:
        header = ["optimizer", "hyperparameters", "steps to escape (|y|>=1)",
                  "distance travelled", "final f", "final (x, y)"]
    rows = []
    for r in results:
        traj = r.trajectory
        broke = traj.diverged_at()
        if surface.has_minimum:
            first, settled = traj.steps_to(threshold), traj.steps_to(threshold, stay=True)
            if broke is not None:
                first = first if first is not None and first < broke else None
                settled = None
            cells = [str(first) if first is not None else "never",
                     str(settled) if settled is not None else "never"]
        else:
            escape = surface.escape_step(traj.path)
            cells = [str(escape) if escape is not None and (broke is None or escape < broke)
                     else "never", f"{traj.distance_travelled():.3g}"]
        if broke is not None:
            end = [f"diverged at step {broke}", "-"]
        else:
            x, y = traj.path[-1]
            end = [f"{traj.losses[-1]:.3g}", f"({x:.3g}, {y:.3g})"]
        rows.append([r.name, _hp(r.optimizer), *cells, *end])
    return _format(header, rows)
