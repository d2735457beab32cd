"""ProgressBar: the tqdm bar of ``Trainer.fit``, one line per epoch, as a callback.

The Trainer adds it when ``progress=True`` (the default). Its cost is per epoch, not per
step: tqdm's plain bar with ``delay``, so a short epoch renders once, at its end, and the
running loss is formatted every 10th batch only.
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
        self.batches, self.loss_sum = 0, 0.0

    def on_batch_end(self, trainer, step: int, logs: dict) -> None:
        self.bar.update(1)
        self.batches += 1
        self.loss_sum += logs["loss"]
        if self.batches % 10 == 0:  # formatting the postfix costs more than the update
            self.bar.set_postfix_str(f"loss {self.loss_sum / self.batches:.4g}", refresh=False)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        shown = "  ".join(f"{k} {v:.4g}" for k, v in logs.items() if k != "lr")
        self.bar.set_postfix_str(shown, refresh=False)
        self.bar.delay = 0  # a finished epoch always leaves its line, however short it was
        self.close()

    def close(self) -> None:
        """Close the bar (Ctrl-C, an error: the Trainer calls this whatever happened)."""
        bar, self.bar = self.bar, None
        if bar is not None:
            bar.close()
