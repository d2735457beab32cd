"""Callbacks: code that runs at fixed points of ``Trainer.fit``.

Each hook receives the trainer, so a callback can read ``trainer.model`` (every layer's
``W``, ``dW``, ...), ``trainer.optimizer`` (its state, ``lr``) and ``trainer.history``,
and can set ``trainer.stop_training = True`` to end training after the current epoch.

    on_train_begin(trainer)                  on_train_end(trainer)
    on_epoch_begin(trainer, epoch)           on_epoch_end(trainer, epoch, logs)
    on_batch_begin(trainer, step)            on_batch_end(trainer, step, logs)

``epoch`` counts from 0 over the trainer's whole life; ``step`` is the optimizer's step
count ``t``; ``logs`` holds this epoch's metrics (``loss``, ``val_loss``, ...) or the
batch's ``loss``.
"""

from __future__ import annotations

import numpy as np

from .files import check_writable
from .validation import check_number


class Callback:
    """Base class: override the hooks you need; the others do nothing.

    A callback a checkpoint should bring back also returns its constructor arguments from
    ``config()`` (plain data; None, the default, means "not saved") and, if it carries
    state between epochs, ``state_dict()`` -> ``{"data": plain data, "arrays": {name:
    ndarray}}`` and ``load_state_dict(state)``.
    """

    def config(self) -> dict | None:
        return None

    def state_dict(self) -> dict:
        return {"data": {}, "arrays": {}}

    def load_state_dict(self, state: dict) -> None: ...

    def on_train_begin(self, trainer) -> None: ...

    def on_train_end(self, trainer) -> None: ...

    def on_epoch_begin(self, trainer, epoch: int) -> None: ...

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None: ...

    def on_batch_begin(self, trainer, step: int) -> None: ...

    def on_batch_end(self, trainer, step: int, logs: dict) -> None: ...


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    With ``restore_best=True`` the model's weights **and** the optimizer's state (its
    ``s_dW``, ``v_dW``, step count, lr, ...) are put back as they were at the best epoch,
    so training can continue from the best point exactly.

    Parameters
    ----------
    monitor : str
        A History key: "val_loss" (default), "loss", "val_accuracy", ...
    patience : int
        Epochs without improvement before stopping (>= 0).
    min_delta : float
        The smallest change that counts as an improvement (>= 0).
    restore_best : bool
        Restore the best epoch's weights and optimizer state at the end.
    mode : {"auto", "min", "max"}
        Whether smaller is better; "auto" picks "max" for accuracy and r2.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 10, min_delta: float = 0.0,
                 restore_best: bool = True, mode: str = "auto"):
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"monitor must be a metric name like 'val_loss', got {monitor!r}")
        self.monitor = monitor
        self.patience = check_number("patience", patience, low=0, integer=True)
        self.min_delta = check_number("min_delta", min_delta, low=0.0)
        self.restore_best = bool(restore_best)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if monitor.endswith(("accuracy", "r2")) else "min"
        self.mode = mode
        self.best = self.best_epoch = self.stopped_epoch = None
        self.wait = 0
        self._best_weights = self._best_optimizer = None
        self._resumed = False  # set by load_state_dict: the next fit goes on from that state

    def on_train_begin(self, trainer) -> None:
        if self._resumed:  # a checkpoint's state: go on counting from it
            self._resumed = False
            return
        self.best, self.best_epoch, self.wait = None, None, 0
        self.stopped_epoch = None
        self._best_weights = self._best_optimizer = None

    def config(self) -> dict:
        return {"monitor": self.monitor, "patience": self.patience,
                "min_delta": self.min_delta, "restore_best": self.restore_best,
                "mode": self.mode}

    def state_dict(self) -> dict:
        """The best value and epoch, the wait, and the best weights and optimizer state."""
        data = {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch}
        arrays = {}
        if self._best_weights is not None:
            arrays = {f"weights/{k}": a for k, a in self._best_weights.items()}
            opt = self._best_optimizer
            data["optimizer"] = {k: v for k, v in opt.items() if not isinstance(v, np.ndarray)}
            arrays.update({f"optimizer/{k}": v for k, v in opt.items()
                           if isinstance(v, np.ndarray)})
        return {"data": data, "arrays": arrays}

    def load_state_dict(self, state: dict) -> None:
        data, arrays = state["data"], state["arrays"]
        self.best, self.best_epoch = data["best"], data["best_epoch"]
        self.wait, self.stopped_epoch = int(data["wait"]), data["stopped_epoch"]
        self._best_weights = {k[len("weights/"):]: a for k, a in arrays.items()
                              if k.startswith("weights/")} or None
        self._best_optimizer = None
        if self._best_weights is not None:
            self._best_optimizer = {**data["optimizer"], **{
                k[len("optimizer/"):]: a for k, a in arrays.items() if k.startswith("optimizer/")}}
        self._resumed = True

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r}, but the epoch only logged "
                f"{sorted(logs)} (val_* metrics need validation_data)"
            )
        value = logs[self.monitor]
        sign = 1.0 if self.mode == "min" else -1.0
        if self.best is None or sign * (self.best - value) > self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self._best_weights = {k: a.copy() for k, a in trainer.model.arrays().items()}
                self._best_optimizer = trainer.optimizer.state_dict()
        else:
            self.wait += 1
            if self.wait > self.patience:
                self.stopped_epoch = epoch
                trainer.stop_training = True

    def on_train_end(self, trainer) -> None:
        if self._best_weights is not None:  # kept only with restore_best
            for key, param in trainer.model.arrays().items():
                param[...] = self._best_weights[key]
            trainer.optimizer.load_state_dict(self._best_optimizer, trainer.model)


class LearningRateScheduler(Callback):
    """Set ``optimizer.lr`` from a schedule at the start of every epoch.

    ``schedule`` is a ``tinynet.optimizers.schedules.Schedule`` (or any callable
    ``(lr0, epoch) -> lr``); ``lr0`` is the optimizer's initial rate. The Trainer records
    the rate each epoch used in the History as ``lr``.
    """

    def __init__(self, schedule):
        if not callable(schedule):
            raise TypeError(f"schedule must be callable (lr0, epoch) -> lr, got {schedule!r}")
        self.schedule = schedule

    def config(self) -> dict | None:
        """A tinynet schedule by name and arguments; any other callable is not saved."""
        from .optimizers.schedules import Schedule

        if not isinstance(self.schedule, Schedule):
            return None
        return {"schedule": {"name": self.schedule.name, **self.schedule.config()}}

    def on_epoch_begin(self, trainer, epoch: int) -> None:
        lr = float(self.schedule(trainer.optimizer.initial_lr, epoch))
        check_number("scheduled lr", lr, low=0.0, low_open=True)
        trainer.optimizer.lr = lr


class OptimizerStats(Callback):
    """Every ``every`` steps, record per layer l into ``trainer.history.steps``:

    - ``eff_lr_mean/l``, ``eff_lr_median/l``, ``eff_lr_min/l``, ``eff_lr_max/l``: the
      effective learning rate of layer l's W (``optimizer.effective_lr(l)["W"]``; a layer
      without W: its first declared parameter, a BatchNorm's gamma), over the weights that
      have had a gradient (an adaptive optimizer gives a weight that never had one the
      ceiling rate lr/eps, which would swamp the mean);
    - ``update_ratio/l``: ``||ΔW|| / ||W||``, how large the step was relative to the weights
      (around 1e-3 is healthy; much larger means too high a rate).
    """

    def __init__(self, every: int = 10):
        self.every = check_number("every", every, low=1, integer=True)

    def config(self) -> dict:
        return {"every": self.every}

    def on_batch_begin(self, trainer, step: int) -> None:
        if step % self.every == 0:  # step is t before this batch; t + 1 after it
            self._before = {l: getattr(layer, layer.params[0]).copy()
                            for l, layer in enumerate(trainer.model.param_layers, start=1)}
        else:
            self._before = None

    def on_batch_end(self, trainer, step: int, logs: dict) -> None:
        if self._before is None:
            return
        row = {"step": step, "epoch": trainer.epoch}
        for l, before in self._before.items():
            layer = trainer.model.param_layers[l - 1]
            p = layer.params[0]  # Dense: W
            now = getattr(layer, p)
            eff = trainer.optimizer.effective_lr(l)[p]
            eps = getattr(trainer.optimizer, "eps", 0.0)
            seen = eff[eff < trainer.optimizer.lr / eps] if eps else eff.ravel()
            seen = seen if seen.size else eff.ravel()
            row[f"eff_lr_mean/{l}"] = float(np.mean(seen))
            row[f"eff_lr_median/{l}"] = float(np.median(seen))
            row[f"eff_lr_min/{l}"] = float(np.min(seen))
            row[f"eff_lr_max/{l}"] = float(np.max(seen))
            norm = float(np.linalg.norm(now))
            row[f"update_ratio/{l}"] = float(np.linalg.norm(now - before)) / norm if norm else 0.0
        trainer.history.log_step(**row)


class Checkpoint(Callback):
    """Save the whole trainer to ``path`` after every ``every`` epochs (atomically)."""

    def __init__(self, path, every: int = 1):
        self.path = check_writable(path)
        self.every = check_number("every", every, low=1, integer=True)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        if (epoch + 1) % self.every == 0:
            trainer.save_checkpoint(self.path)


def rebuild(saved: list) -> tuple[list, list[str]]:
    """Callbacks from a checkpoint's records; also the names of those it could not hold."""
    from .optimizers.schedules import get as get_schedule

    kinds = {"EarlyStopping": EarlyStopping, "LearningRateScheduler": LearningRateScheduler,
             "OptimizerStats": OptimizerStats}
    callbacks, missing = [], []
    for record in saved:
        if record["config"] is None or record["type"] not in kinds:
            missing.append(record["type"])
            continue
        config = dict(record["config"])
        if record["type"] == "LearningRateScheduler":
            config["schedule"] = get_schedule(**config["schedule"])
        cb = kinds[record["type"]](**config)
        cb.load_state_dict(record["state"])
        callbacks.append(cb)
    return callbacks, missing
