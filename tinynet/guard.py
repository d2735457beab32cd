"""What keeps a training run safe: the divergence guard and the Ctrl-C flag.

Divergence (``DivergenceGuard``). Checking every weight after every step, and keeping a
copy to undo it, would cost more than a small step itself. Instead the Trainer takes one
snapshot per epoch and watches the loss, which turns non-finite as soon as any weight
does. When it does, the epoch is replayed from the snapshot, step by step, until the step
that broke a weight is found; the weights are left as they were just before it. Replaying
is exact: the batch order is already drawn and every computation is deterministic.

Ctrl-C. During ``fit`` the first Ctrl-C only raises a flag, so the current step finishes
and training stops cleanly; a second Ctrl-C interrupts at once.
"""

from __future__ import annotations

import math
import signal
import threading
from contextlib import contextmanager

import numpy as np

from .dropout import mask_states, set_mask_states


class DivergenceError(FloatingPointError):
    """Training produced a non-finite loss or weight. Attributes: epoch (1-based), step
    (1-based within the epoch), global_step (the optimizer's t), layer (or None)."""

    def __init__(self, message: str, epoch: int, step: int, global_step: int, layer: int | None):
        super().__init__(message)
        self.epoch, self.step, self.global_step, self.layer = epoch, step, global_step, layer


class Snapshot:
    """Copies of a model's weights and an optimizer's state, to put back later."""

    def __init__(self, model, optimizer):
        self.model, self.optimizer = model, optimizer
        self.weights = {k: a.copy() for k, a in model.arrays().items()}
        self.state = optimizer.state_dict()
        self.masks = mask_states(model.layers)  # Dropout's generators: replays are exact

    def restore(self) -> None:
        for key, param in self.model.arrays().items():
            param[...] = self.weights[key]
        self.optimizer.load_state_dict(self.state)
        set_mask_states(self.model.layers, self.masks)


class DivergenceGuard:
    """Watches one epoch: a snapshot at its start, then ``check_loss`` after every step and
    ``check_weights`` at its end raise DivergenceError, with the weights put back as they
    were before the step that broke them."""

    def __init__(self, trainer, X, y, batches: list):
        self.trainer, self.X, self.y, self.batches = trainer, X, y, batches
        self.snapshot = Snapshot(trainer.model, trainer.optimizer)

    def check_loss(self, loss: float, i: int) -> None:
        """After step ``i`` (0-based): a non-finite loss means a weight or output broke."""
        if not math.isfinite(loss):
            raise find_divergence(self.trainer, self.snapshot, self.X, self.y, self.batches, i)

    def check_weights(self) -> None:
        """At the epoch's end: the last step may have broken a weight after its loss."""
        if not all(np.isfinite(a).all() for a in self.trainer.model.arrays().values()):
            raise find_divergence(self.trainer, self.snapshot, self.X, self.y, self.batches,
                                  len(self.batches))


def _first_bad_layer(model) -> tuple[int, str] | None:
    for l, layer in enumerate(model.param_layers, start=1):
        for p in layer.params:
            if not np.isfinite(getattr(layer, p)).all():
                return l, p
    return None


def _first_overflowing_layer(model, Xb) -> int | None:
    out, l = Xb, 0
    with np.errstate(all="ignore"):
        for layer in model.layers:
            out = layer.forward(out)
            l += layer in model.param_layers
            if not np.isfinite(out).all():
                return l
    return None


def find_divergence(trainer, snapshot: Snapshot, X, y, batches: list, failed: int):
    """Replay this epoch's first ``failed`` steps from ``snapshot``; return a
    DivergenceError for the first step that made a weight non-finite (or for step
    ``failed``, whose loss was non-finite), with the weights as they were before it."""
    model, opt = trainer.model, trainer.optimizer
    epoch = trainer.epoch + 1
    hint = f"the learning rate (lr={opt.lr:g}) is probably too large"
    snapshot.restore()
    with np.errstate(all="ignore"):
        for i, batch in enumerate(batches[:failed]):
            before = Snapshot(model, opt)
            trainer.train_step(X[batch], y[batch])
            bad = _first_bad_layer(model)
            if bad:
                before.restore()
                return DivergenceError(
                    f"training diverged in epoch {epoch}, step {i + 1} (optimizer step "
                    f"{opt.t + 1}): layer {bad[0]}'s {bad[1]} became non-finite; {hint}. "
                    f"The weights are as they were before that step.",
                    epoch, i + 1, opt.t + 1, bad[0])
    Xb = X[batches[failed]]
    layer = _first_overflowing_layer(model, Xb)
    where = f"layer {layer}'s output overflowed" if layer else "the loss is not finite"
    if opt.t == 0:  # nothing has been updated yet: the learning rate cannot be the cause
        yb = np.asarray(y[batches[failed]], dtype=float)
        hint = (f"no update has happened yet, so not the learning rate: look at the data "
                f"(largest |X| {np.abs(Xb).max():.3g}, largest |y| {np.abs(yb).max():.3g})")
    return DivergenceError(
        f"training diverged in epoch {epoch}, step {failed + 1} (optimizer step {opt.t + 1}): "
        f"{where}; {hint}. The weights are as they were before that step.",
        epoch, failed + 1, opt.t + 1, layer)


@contextmanager
def interrupt_flag():
    """Yield a function telling whether Ctrl-C was pressed (first press: a flag only)."""
    pressed = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False  # signals can only be caught in the main thread
        return

    def handler(signum, frame):
        if pressed:  # the second Ctrl-C: stop now
            raise KeyboardInterrupt
        pressed.append(True)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(pressed)
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
