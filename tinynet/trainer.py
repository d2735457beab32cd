"""Trainer: shuffled mini-batches, epochs, validation, callbacks, checkpoints.

One training step is the whole story of backprop (``Trainer.train_step``)::

    out = model.forward(Xb)             # every layer caches what backward needs
    loss = loss_fn.forward(out, yb)     # the mean over the batch
    model.backward(loss_fn.backward())  # every Dense layer now holds dW, db (= g_t)
    optimizer.step(model)               # W, b change in place

``fit`` runs it over shuffled mini-batches, epoch after epoch; the progress bar and the
teaching warnings are callbacks, the divergence guard a small object (guard.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np

from . import checkpoint, optimizers
from . import losses as losses_mod
from .callbacks import Callback, Checkpoint
from .guard import DivergenceError, DivergenceGuard, interrupt_flag
from .history import History
from .losses import Loss
from .model import Sequential
from .progress import ProgressBar
from .teaching import TeachingWarnings
from .validation import check_features, check_number, check_same_length
from .warn import warn

EVAL_CHUNK = 4096  # rows per forward pass in evaluate/predict, to bound memory

__all__ = ["DivergenceError", "Trainer"]


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
    callbacks : list of Callback
        Run at every ``fit`` (``fit`` can add more for one call).
    teaching_warnings : bool
        Warn (``tinynet.teaching``) about dead ReLUs, an eps that dominates the
        denominator, and a training loss that keeps rising.

    Attributes
    ----------
    epoch : int
        Epochs completed so far (``fit`` continues from here).
    history : History
        Metrics of every epoch so far, including the ``lr`` each epoch used.
    stop_training : bool
        A callback sets it to end ``fit`` after the current epoch.
    target_epoch, steps_per_epoch : int
        During ``fit``: the epoch it stops after, and the batches per epoch.
    """

    def __init__(self, model: Sequential, loss: Loss | str, optimizer: optimizers.Optimizer | str,
                 batch_size: int = 32, seed: int = 0, progress: bool = True,
                 drop_last: bool = False, callbacks: Sequence[Callback] = (),
                 teaching_warnings: bool = True):
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
        self.callbacks = _check_callbacks(callbacks)
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.progress = bool(progress)
        self.drop_last = bool(drop_last)
        self.teaching_warnings = bool(teaching_warnings)
        self.rng = np.random.default_rng(self.seed)
        self.epoch = 0
        self.history = History()
        self.stop_training = False
        self.checkpoint_extra: dict = {}  # saved with every checkpoint (the CLI keeps its run)
        self._fit_callbacks: list = []

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
        check_same_length(X, y)
        X, y = self._shuffled(X, y)
        for batch in self._batch_slices(len(X)):
            yield X[batch], y[batch]

    def _shuffled(self, X, y) -> tuple:
        """(X, y) in a fresh random order, gathered once so each batch is a slice."""
        order = self.rng.permutation(len(X))
        return X[order], y[order]

    def _batch_slices(self, n: int) -> list[slice]:
        bs = self.batch_size
        stop = n - n % bs if self.drop_last and n >= bs else n
        return [slice(i, min(i + bs, stop)) for i in range(0, stop, bs)]

    # ----- training ---------------------------------------------------------------------

    def train_step(self, Xb: np.ndarray, yb: np.ndarray) -> tuple[float, np.ndarray]:
        """One step of mini-batch gradient descent; returns the batch loss and the outputs.

        A non-finite loss (diverged weights, or a NaN in ``Xb``) changes nothing and is
        returned, not raised: ``fit``'s guard reports it.
        """
        out = self.model.forward(Xb)                # every layer caches what backward needs
        loss = self.loss.forward(out, yb)           # the mean over the batch
        if math.isfinite(loss):
            self.model.backward(self.loss.backward(), input_grad=False)  # dW, db (no dX needed)
            self.optimizer.step(self.model)         # W, b change in place
        return loss, out

    def fit(self, X, y, epochs: int = 1, validation_data: tuple | None = None,
            callbacks: Sequence[Callback] = ()) -> History:
        """Train for ``epochs`` more epochs and return the History (all epochs so far).

        Ctrl-C stops after the current step and returns the History with
        ``interrupted = True``; a non-finite loss or weight raises DivergenceError with the
        weights as they were before the step that broke them.
        """
        epochs = check_number("epochs", epochs, low=1, integer=True)
        X, y = self.check_data(X, y)
        val = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (X_val, y_val)")
            val = self.check_data(*validation_data, x_name="X_val", y_name="y_val")
        bar = ProgressBar() if self.progress else None
        cbs = [bar] * self.progress + [TeachingWarnings()] * self.teaching_warnings
        self._fit_callbacks = _check_callbacks(callbacks)  # saved with checkpoints too
        cbs += self.callbacks + self._fit_callbacks
        self.stop_training, self.history.interrupted = False, False
        self.target_epoch = self.epoch + epochs
        self.steps_per_epoch = len(self._batch_slices(len(X)))
        for cb in cbs:
            cb.on_train_begin(self)
        self.model.train()  # Dropout drops while training, whatever mode the model was in
        try:
            with interrupt_flag() as interrupted:
                while self.epoch < self.target_epoch and not self.stop_training:
                    for cb in cbs:
                        cb.on_epoch_begin(self, self.epoch)
                    with np.errstate(over="ignore", invalid="ignore"):  # the guard reports
                        logs = self._run_epoch(X, y, cbs, interrupted)
                    if logs is None:  # Ctrl-C: keep the weights, do not count the partial epoch
                        self.history.interrupted = True
                        break
                    if val is not None:
                        logs.update({f"val_{k}": v for k, v in self._evaluate(*val).items()})
                    logs["lr"] = self.optimizer.lr
                    self.history.append(**logs)
                    self.epoch += 1
                    for cb in cbs:
                        cb.on_epoch_end(self, self.epoch - 1, logs)
        finally:  # Ctrl-C, divergence, a callback's error: never leave a bar half drawn
            if bar is not None:
                bar.close()
            self.model.eval()  # so that model.predict after fit is inference, deterministic
        for cb in cbs:
            cb.on_train_end(self)
        return self.history

    def _run_epoch(self, X, y, cbs: list, interrupted) -> dict | None:
        """One epoch: the metrics (training loss, accuracy or r2), or None after Ctrl-C."""
        X, y = self._shuffled(X, y)
        batches = self._batch_slices(len(X))
        guard = DivergenceGuard(self, X, y, batches)  # one snapshot per epoch
        losses, outputs = [], []
        # per step, only the callbacks that do something then (most do nothing per batch)
        begin = [cb for cb in cbs if type(cb).on_batch_begin is not Callback.on_batch_begin]
        end = [cb for cb in cbs if type(cb).on_batch_end is not Callback.on_batch_end]
        for i, batch in enumerate(batches):
            for cb in begin:
                cb.on_batch_begin(self, self.optimizer.t)
            loss, out = self.train_step(X[batch], y[batch])
            guard.check_loss(loss, i)
            losses.append(loss * len(out))
            outputs.append(out)
            for cb in end:
                cb.on_batch_end(self, self.optimizer.t, {"loss": loss, "size": len(out)})
            if interrupted():
                return None
        guard.check_weights()
        seen, metric = batches[-1].stop, self.loss.metric_name
        return {"loss": sum(losses) / seen,
                metric: losses_mod.score(metric, np.concatenate(outputs), y[:seen])}

    # ----- evaluation -------------------------------------------------------------------

    def evaluate(self, X, y) -> dict:
        """``{"loss": ..., "accuracy": ...}`` (or ``"r2"`` for regression) on (X, y), in
        evaluation mode."""
        return self._evaluate(*self.check_data(X, y))

    def _evaluate(self, X: np.ndarray, y: np.ndarray) -> dict:
        out = self._outputs(X)
        metric = self.loss.metric_name
        return {"loss": self.loss._forward(out, y), metric: losses_mod.score(metric, out, y)}

    def _outputs(self, X: np.ndarray) -> np.ndarray:
        """The model's outputs in evaluation mode (its own mode is restored after)."""
        mode = self.model.training
        self.model.eval()
        try:
            chunks = [self.model.forward(X[i : i + EVAL_CHUNK])
                      for i in range(0, len(X), EVAL_CHUNK)]
        finally:
            self.model.train(mode)
        return np.concatenate(chunks)

    def predict(self, X) -> np.ndarray:
        """Predictions read through the loss's head (labels, or values for regression)."""
        return type(self.loss).predict(self._outputs(self.model.check_input(X)))

    # ----- checkpoints ------------------------------------------------------------------

    def save_checkpoint(self, path, extra: dict | None = None) -> None:
        """Save model, optimizer state, loss, settings, epoch, History and the shuffling
        generator's state to one .npz, atomically. ``extra`` is any JSON-able metadata."""
        settings = {"batch_size": self.batch_size, "seed": self.seed,
                    "progress": self.progress, "drop_last": self.drop_last,
                    "teaching_warnings": self.teaching_warnings}
        checkpoint.save(path, self.model, self.optimizer, self.loss, settings, self.epoch,
                        self.history, self.rng,
                        self.checkpoint_extra if extra is None else extra,
                        [cb for cb in self.callbacks + self._fit_callbacks
                         if not isinstance(cb, Checkpoint)])

    @classmethod
    def load_checkpoint(cls, path, progress: bool | None = None) -> Trainer:
        """Rebuild a Trainer from ``save_checkpoint``; ``fit`` then continues exactly as if
        training had never stopped. ``trainer.checkpoint_extra`` holds the saved ``extra``."""
        parts = checkpoint.load(path)
        settings = parts["settings"]
        if progress is not None:
            settings["progress"] = progress
        try:
            trainer = cls(parts["model"], parts["loss"], parts["optimizer"], **settings)
        except (TypeError, ValueError) as err:  # a setting the file got wrong
            raise ValueError(f"{path}: not a usable tinynet checkpoint: its trainer settings "
                             f"are invalid ({err})") from err
        trainer.epoch, trainer.history, trainer.rng = parts["epoch"], parts["history"], parts["rng"]
        trainer.checkpoint_extra = parts["extra"]
        trainer.callbacks = parts["callbacks"]
        if parts["missing_callbacks"]:
            warn(f"{path}: the run also had callbacks {parts['missing_callbacks']}, which a "
                 f"checkpoint cannot rebuild; add them again to trainer.callbacks", UserWarning)
        return trainer

    def __repr__(self) -> str:
        return (f"Trainer({type(self.model).__name__}, {self.loss!r}, {self.optimizer!r}, "
                f"batch_size={self.batch_size}, seed={self.seed}, epoch={self.epoch})")


def _check_callbacks(callbacks) -> list:
    callbacks = list(callbacks or [])
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks[{i}] is a {type(cb).__name__}, not a tinynet Callback")
    return callbacks
