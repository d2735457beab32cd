"""One benchmark run: a problem, an optimizer at one learning rate, one seed. It is seeded by
(problem, optimizer, lr, seed) alone, and ``parallel.each`` gives it one BLAS thread, so it
gives the same numbers in any process, on any worker, in any order.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import asdict, dataclass

from .. import __version__, datasets, optimizers
from ..compare import first_epoch_reaching
from ..guard import DivergenceError
from ..losses import MSE, SoftmaxCrossEntropy
from ..trainer import Trainer
from .problems import EPOCHS, SUITE

# The learning rates each optimizer is tuned over, on the validation split (log-spaced).
GRIDS = {"quick": (1e-3, 1e-2, 1e-1),
         "standard": (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)}
TIMING = ("wall_time",)  # the fields that differ from run to run of the same spec


@dataclass(frozen=True)
class Run:
    """What to run: phase "tune" (seed 0, every rate of the grid) or "final" (the chosen
    rate, every seed)."""

    problem: str
    optimizer: str
    lr: float
    seed: int
    phase: str
    budget: str

    @property
    def key(self) -> str:
        return f"{self.problem}|{self.optimizer}|{self.lr!r}|{self.seed}|{self.phase}|{self.budget}"

    @property
    def training_seed(self) -> int:
        """The seed of the weights and the batches: from (problem, optimizer, lr, seed)."""
        return zlib.crc32(f"{self.problem}|{self.optimizer}|{self.lr!r}|{self.seed}".encode())


def split(problem) -> tuple:
    """The problem's train, validation and test data: the same for every run (the
    validation split is a fifth of the training data, stratified for classes)."""
    X_train, X_test, y_train, y_test = problem.load()
    X_tr, X_val, y_tr, y_val = datasets.validation_split(X_train, y_train, 0.2, seed=0,
                                                         task=problem.task)
    return X_tr, X_val, X_test, y_tr, y_val, y_test


def execute(run: Run) -> dict:
    """Train one run; its line for results.jsonl."""
    problem = SUITE[run.problem]
    X_tr, X_val, X_test, y_tr, y_val, y_test = split(problem)
    seed = run.training_seed
    opt = optimizers.get(run.optimizer, lr=run.lr)
    loss = MSE() if problem.task == "regression" else SoftmaxCrossEntropy()
    trainer = Trainer(problem.model(seed), loss, opt, batch_size=problem.batch_size,
                      seed=seed, progress=False, teaching_warnings=False)
    start, diverged = time.perf_counter(), None
    try:
        trainer.fit(X_tr, y_tr, epochs=problem.epochs[EPOCHS[run.budget]],
                    validation_data=(X_val, y_val))
    except DivergenceError as err:
        diverged = err.epoch
    seconds = time.perf_counter() - start
    curve = trainer.history.metrics.get(f"val_{problem.metric}", [])  # none: diverged at once
    reached = first_epoch_reaching(curve, problem.target)
    test = None if diverged else trainer.evaluate(X_test, y_test)[problem.metric]
    return {**asdict(run), "key": run.key, "hyperparameters": opt.hyperparams(),
            "metric": problem.metric, "val_metric": curve[-1] if curve and not diverged
            else None, "test_metric": test, "epochs_to_target": reached,
            "diverged": diverged, "wall_time": round(seconds, 4), "tinynet": __version__}
