"""Trainer: shuffled mini-batches, epochs, validation and a progress bar.

One training step is the whole story of backprop::

    out  = model.forward(Xb)           # every layer caches what it needs
    loss = loss_fn.forward(out, yb)    # batch mean
    model.backward(loss_fn.backward()) # every Dense now holds dW, db  (= g_t)
    optimizer.step(model)              # W, b change in place
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from . import losses as losses_mod
from . import optimizers
from .history import History
from .losses import Loss
from .model import Sequential
from .validation import check_features, check_number, check_same_length

EVAL_CHUNK = 4096  # rows per forward pass in evaluate/predict, to bound memory


class Trainer:
    """Train a model with a loss and an optimizer on mini-batches.

    Parameters
    ----------
    model : Sequential
    loss : Loss or str
        A loss object, or its name ("softmax_cross_entropy", "binary_cross_entropy", "mse").
    optimizer : Optimizer or str
        An optimizer, or a registered name (built with its default hyperparameters).
    batch_size : int
        Samples per mini-batch.
    seed : int
        Seeds the generator that shuffles the batches, so runs repeat exactly.
    progress : bool
        Show a tqdm progress bar per epoch.
    drop_last : bool
        Skip the last, smaller batch of an epoch.

    Attributes
    ----------
    epoch : int
        Epochs completed so far (``fit`` continues from here).
    history : History
        Metrics of every epoch so far.
    """

    def __init__(
        self,
        model: Sequential,
        loss: Loss | str,
        optimizer: optimizers.Optimizer | str,
        batch_size: int = 32,
        seed: int = 0,
        progress: bool = True,
        drop_last: bool = False,
    ):
        if not isinstance(model, Sequential):
            raise TypeError(f"model must be a tinynet Sequential, got {type(model).__name__}")
        if isinstance(loss, str):
            if loss not in losses_mod.LOSSES:
                raise ValueError(f"unknown loss {loss!r}; available: {sorted(losses_mod.LOSSES)}")
            loss = losses_mod.LOSSES[loss]()
        if not isinstance(loss, Loss):
            raise TypeError(f"loss must be a tinynet Loss, got {type(loss).__name__}")
        if isinstance(optimizer, str):
            optimizer = optimizers.get(optimizer)
        if not isinstance(optimizer, optimizers.Optimizer):
            raise TypeError(
                f"optimizer must be a tinynet Optimizer or a name, got {type(optimizer).__name__}"
            )
        self.batch_size = check_number("batch_size", batch_size, low=1, integer=True)
        self.seed = check_number("seed", seed, low=0, integer=True)
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.progress = bool(progress)
        self.drop_last = bool(drop_last)
        self.rng = np.random.default_rng(self.seed)
        self.epoch = 0
        self.history = History()

    # ----- data -------------------------------------------------------------------------

    def check_data(self, X, y, x_name: str = "X", y_name: str = "y") -> tuple:
        """Validate and convert a dataset once: features, targets, lengths, dtype."""
        X = check_features(X, self.model.n_features, self.model.dtype, x_name)
        y = self.loss.check_target(y, self.model.n_outputs, y_name)
        check_same_length(X, y, f"{x_name} and {y_name}")
        if np.issubdtype(y.dtype, np.floating):
            y = y.astype(self.model.dtype, copy=False)
        return X, y

    def batches(self, X, y) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """One epoch of shuffled mini-batches: every sample exactly once, in a fresh order
        drawn from the trainer's seeded generator."""
        n = len(X)
        check_same_length(X, y)
        order = self.rng.permutation(n)
        for start in range(0, n, self.batch_size):
            idx = order[start : start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size and start > 0:
                break
            yield X[idx], y[idx]

    # ----- training ---------------------------------------------------------------------

    def fit(self, X, y, epochs: int = 1, validation_data: tuple | None = None) -> History:
        """Train for ``epochs`` more epochs and return the History (all epochs so far)."""
        epochs = check_number("epochs", epochs, low=1, integer=True)
        X, y = self.check_data(X, y)
        val = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (X_val, y_val)")
            val = self.check_data(*validation_data, x_name="X_val", y_name="y_val")
        last = self.epoch + epochs
        for _ in range(epochs):
            self.history.append(**self._run_epoch(X, y, last))
            if val is not None:
                scores = self._evaluate(*val)
                self.history.append(**{f"val_{k}": v for k, v in scores.items()})
            self.epoch += 1
            self._show_epoch_end()
        return self.history

    def _run_epoch(self, X: np.ndarray, y: np.ndarray, last_epoch: int) -> dict:
        model, loss_fn, opt = self.model, self.loss, self.optimizer
        bar = self._progress_bar(len(X), last_epoch)
        total, seen, outputs, targets = 0.0, 0, [], []
        for step, (Xb, yb) in enumerate(self.batches(X, y), start=1):
            out = model._forward(Xb)
            batch_loss = loss_fn._forward(out, yb)
            model.backward(loss_fn.backward())
            opt.step(model)
            total += batch_loss * len(yb)
            seen += len(yb)
            outputs.append(out)
            targets.append(yb)
            if bar is not None:
                bar.update(1)
                if step % 10 == 0:
                    bar.set_postfix_str(f"loss {total / seen:.4g}", refresh=False)
        metric = losses_mod.score(
            loss_fn.metric_name, np.concatenate(outputs), np.concatenate(targets)
        )
        self._bar = bar
        return {"loss": total / seen, loss_fn.metric_name: metric}

    def _progress_bar(self, n: int, last_epoch: int):
        if not self.progress:
            return None
        from tqdm.auto import tqdm

        n_batches = n // self.batch_size if self.drop_last and n >= self.batch_size else \
            -(-n // self.batch_size)
        width = len(str(last_epoch))
        return tqdm(total=n_batches, desc=f"epoch {self.epoch + 1:>{width}}/{last_epoch}",
                    unit="batch", leave=True, dynamic_ncols=True)

    def _show_epoch_end(self) -> None:
        bar = getattr(self, "_bar", None)
        if bar is None:
            return
        shown = {k: v[-1] for k, v in self.history.metrics.items() if v}
        bar.set_postfix_str("  ".join(f"{k} {v:.4g}" for k, v in shown.items()), refresh=True)
        bar.close()
        self._bar = None

    # ----- evaluation -------------------------------------------------------------------

    def evaluate(self, X, y) -> dict:
        """``{"loss": ..., "accuracy": ...}`` (or ``"r2"`` for regression) on (X, y)."""
        return self._evaluate(*self.check_data(X, y))

    def _evaluate(self, X: np.ndarray, y: np.ndarray) -> dict:
        out = self._outputs(X)
        value = self.loss._forward(out, y)
        return {"loss": value, self.loss.metric_name: losses_mod.score(
            self.loss.metric_name, out, y)}

    def _outputs(self, X: np.ndarray) -> np.ndarray:
        chunks = [self.model._forward(X[i : i + EVAL_CHUNK]) for i in range(0, len(X), EVAL_CHUNK)]
        return np.concatenate(chunks)

    def predict(self, X) -> np.ndarray:
        """Predictions read through the loss's head (labels, or values for regression)."""
        return type(self.loss).predict(self._outputs(self.model.check_input(X)))

    def __repr__(self) -> str:
        return (f"Trainer({type(self.model).__name__}, {self.loss!r}, {self.optimizer!r}, "
                f"batch_size={self.batch_size}, seed={self.seed}, epoch={self.epoch})")
