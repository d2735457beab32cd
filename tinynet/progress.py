"""ProgressBar: the tqdm bar of ``Trainer.fit``, one line per epoch, as a callback.

The Trainer adds it when ``progress=True`` (the default). Its cost is per epoch, not per
step: tqdm's plain bar with ``delay``, so a short epoch renders once, at its end, and the
bar is moved and the running loss formatted every 10th batch only (tqdm would not redraw
more often than every 0.1 s anyway).
"""

from __future__ import annotations

from .callbacks import Callback


class ProgressBar(Callback):
    """``epoch 3/30: 100%|████| 45/45 [loss 0.1234  accuracy 0.9688  val_loss ...]``."""

    def __init__(self):
        self.bar = None

    def on_epoch_begin(self, trainer, epoch: int) -> None:
        from tqdm.autonotebook import tqdm  # the plain terminal bar outside notebooks

        last = trainer.target_epoch
        self.bar = tqdm(total=trainer.steps_per_epoch, desc=f"epoch {epoch + 1:>{len(str(last))}}"
                        f"/{last}", unit="batch", leave=True, delay=0.25)
        self.batches, self.shown, self.loss_sum = 0, 0, 0.0

    def on_batch_end(self, trainer, step: int, logs: dict) -> None:
        self.batches += 1
        self.loss_sum += logs["loss"]
        if self.batches % 10 == 0:
            self._catch_up()
            self.bar.set_postfix_str(f"loss {self.loss_sum / self.batches:.4g}", refresh=False)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        self._catch_up()
        shown = "  ".join(f"{k} {v:.4g}" for k, v in logs.items() if k != "lr")
        self.bar.set_postfix_str(shown, refresh=False)
        self.bar.delay = 0  # a finished epoch always leaves its line, however short it was
        self.close()

    def close(self) -> None:
        """Close the bar (Ctrl-C, an error: the Trainer calls this whatever happened)."""
        if self.bar is not None:
            self._catch_up()
            self.bar, bar = None, self.bar
            bar.close()

    def _catch_up(self) -> None:
        """Move the bar by the batches done since it last moved."""
        self.bar.update(self.batches - self.shown)
        self.shown = self.batches
