"""Teaching warnings: things in a training run that a learner should stop and look at.

They are ordinary Python warnings, subclasses of ``TeachingWarning``. Switch them off
for one trainer with ``Trainer(..., teaching_warnings=False)``, or everywhere with
``warnings.simplefilter("ignore", tn.TeachingWarning)``. Each fires at most once per layer
per ``fit`` call, and the checks run once per epoch, never per step. The Trainer runs
them as a callback, ``TeachingWarnings``.
"""

from __future__ import annotations

import numpy as np

from .callbacks import Callback
from .layers import ReLU
from .warn import warn


class TeachingWarning(UserWarning):
    """Base class of tinynet's teaching warnings."""


class EpsDominatesWarning(TeachingWarning):
    """sqrt(s) < eps for most of a layer's weights: the optimizer is no longer adaptive."""


class DeadReLUWarning(TeachingWarning):
    """More than half of a ReLU layer's units output 0 for a whole batch."""


class LossRisingWarning(TeachingWarning):
    """The training loss rose for 3 epochs in a row."""


class TeachingWarnings(Callback):
    """Runs the checks below during ``fit``: dead ReLUs after each epoch's first batch,
    eps after the first epoch, a rising loss after every epoch."""

    def on_train_begin(self, trainer) -> None:
        trainer._warned = set()  # warnings already given in this fit
        self.first_epoch = trainer.epoch

    def on_epoch_begin(self, trainer, epoch: int) -> None:
        self.first_batch = True

    def on_batch_end(self, trainer, step: int, logs: dict) -> None:
        if self.first_batch:
            self.first_batch = False
            check_dead_relus(trainer, logs["size"])

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        if epoch == self.first_epoch:
            check_eps(trainer)
        check_loss_rising(trainer)


def _warn(trainer, key, category, message: str) -> None:
    """Warn once per fit and key, at the learner's ``fit`` line."""
    if key not in trainer._warned:
        trainer._warned.add(key)
        warn(message, category)


def check_dead_relus(trainer, batch_size: int) -> None:
    """After a batch: a ReLU unit is dead on it when it is 0 for every sample."""
    for l, message in dead_relus(trainer.model, batch_size):
        _warn(trainer, ("relu", l), DeadReLUWarning, message)


def dead_relus(model, batch_size: int) -> list[tuple[int, str]]:
    """(Dense layer number, message) for each ReLU layer that is more than half dead on the
    last batch (the playground shows these too)."""
    if batch_size < 8:  # too few samples to call a unit dead
        return []
    found, dense_number = [], 0
    for layer in model.layers:
        if layer in model.dense_layers:
            dense_number += 1
        elif isinstance(layer, ReLU) and layer._mask is not None:
            dead = float(np.mean(~layer._mask.any(axis=0)))
            if dead > 0.5:
                found.append((dense_number,
                              f"{dead:.0%} of the ReLU units after Dense layer {dense_number} "
                              f"are dead (output 0 for all {batch_size} samples of a batch), "
                              f"so they pass no gradient: try a smaller learning rate, He "
                              f"init, or LeakyReLU"))
    return found


def check_eps(trainer) -> None:
    """After a fit's first epoch (later, a fitted model's vanishing gradients would trip it)."""
    for l, message in eps_dominates(trainer.optimizer, trainer.model):
        _warn(trainer, ("eps", l), EpsDominatesWarning, message)


def eps_dominates(opt, model) -> list[tuple[int, str]]:
    """(layer l, message) where eps dominates: sqrt(s) < eps, i.e. the effective learning
    rate lr / (sqrt(s) + eps) exceeds lr / (2 eps), for most of layer l's weights. Weights
    that never had a gradient (s = 0, e.g. for a constant feature) are left out: there is
    nothing to scale."""
    eps = getattr(opt, "eps", 0.0)
    if not eps or opt.t == 0 or getattr(opt, "eps_inside", False):  # or another eps
        return []
    ceiling, found = opt.lr / eps, []  # the rate where s = 0
    for l, layer in enumerate(model.param_layers, start=1):
        if "W" not in layer.params:  # the weights: a BatchNorm's gamma is not judged
            continue
        eff = opt.effective_lr(l)["W"]
        seen = eff < ceiling
        share = float(np.mean(eff[seen] > ceiling / 2)) if seen.any() else 0.0
        if share > 0.5:
            found.append((l, f"eps={eps:g} dominates the denominator for {share:.0%} of "
                             f"layer {l}'s weights (sqrt(s) < eps): there "
                             f"{type(opt).__name__} is plain SGD with lr/eps = "
                             f"{ceiling:.3g}; lower eps (1e-8 is usual)"))
    return found


def check_loss_rising(trainer) -> None:
    """After an epoch: warn when the training loss has risen 3 epochs in a row."""
    message = loss_rising(trainer.history.metrics.get("loss", []), trainer.optimizer.lr)
    if message:
        _warn(trainer, ("loss",), LossRisingWarning, message)


def loss_rising(loss: list, lr: float) -> str | None:
    """The message when the last 3 epochs' training losses each rose, else None."""
    if len(loss) >= 4 and all(a < b for a, b in zip(loss[-4:], loss[-3:])):
        return (f"the training loss rose for 3 epochs in a row ({loss[-4]:.4g} -> "
                f"{loss[-1]:.4g}): the learning rate (lr={lr:g}) may be too large")
    return None
