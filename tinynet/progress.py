"""ProgressBar: what ``Trainer.fit`` shows while it trains, as a callback.

The Trainer adds it when ``progress=True`` (the default). It picks a display for the place:

- **terminal**: one tqdm line per epoch, which stays, ending with the epoch's metrics. Its
  cost is per epoch, not per step: the tqdm bar appears only once an epoch has run for
  ``delay`` seconds (0.25); a shorter epoch just writes tqdm's final line for it. The bar
  moves and shows the running loss every 10th batch only.
- **notebook with ipywidgets**: ONE tqdm widget bar for the whole fit ("epoch 3/30", the
  last epoch's metrics beside it), replaced when the fit ends by one text line with the
  final metrics. A notebook keeps its outputs in the file: a widget per epoch would pile up
  (40 epochs, 500 widgets), and a widget's saved text is its first state ("0%"); the line
  is what a reader of the saved notebook sees. The History keeps every epoch's numbers.
- **notebook without ipywidgets**: plain text, one line per epoch.
"""

from __future__ import annotations

import sys
import time

from .callbacks import Callback

STYLES = ("auto", "terminal", "widget", "text")


def where() -> str:
    """"terminal", "widget" (a Jupyter kernel with ipywidgets) or "text" (one without)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or "IPKernelApp" not in getattr(shell, "config", {}):
        return "terminal"
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return "text"
    return "widget"


def _metrics(logs: dict) -> str:
    return "  ".join(f"{k} {v:.4g}" for k, v in logs.items() if k != "lr")


class ProgressBar(Callback):
    """``epoch 3/30: 100%|████| 45/45 [loss 0.1234  accuracy 0.9688  val_loss ...]``.

    Parameters
    ----------
    style : {"auto", "terminal", "widget", "text"}
        "auto" (default) picks by where the code runs (see the module docstring).
    """

    delay = 0.25  # seconds an epoch runs before its live bar appears (terminal)

    def __init__(self, style: str = "auto"):
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, got {style!r}")
        self.style = style
        self.bar = None
        self.last = ""

    def on_train_begin(self, trainer) -> None:
        self.mode = where() if self.style == "auto" else self.style
        self.bar, self.last = None, ""
        if self.mode == "widget":
            from IPython.display import display
            from tqdm.notebook import tqdm

            total = (trainer.target_epoch - trainer.epoch) * trainer.steps_per_epoch
            self.bar = tqdm(total=total, unit="batch", leave=True, display=False)
            self.handle = display(self.bar.container, display_id=True)

    def on_epoch_begin(self, trainer, epoch: int) -> None:
        last = trainer.target_epoch
        self.desc = f"epoch {epoch + 1:>{len(str(last))}}/{last}"
        self.total = trainer.steps_per_epoch
        self.batches, self.shown, self.loss_sum = 0, 0, 0.0
        self.start = time.perf_counter()
        if self.mode == "terminal" and self.delay <= 0:
            self._open()
        elif self.mode == "widget":
            self.bar.set_description(self.desc, refresh=False)

    def on_batch_end(self, trainer, step: int, logs: dict) -> None:
        self.batches += 1
        self.loss_sum += logs["loss"]
        if self.batches % 10 == 0:
            if self.bar is None and self.mode == "terminal" and (
                    time.perf_counter() - self.start >= self.delay):
                self._open()  # a long epoch: now it is worth a live bar
            if self.bar is not None:
                self._catch_up()
                if self.mode == "terminal":
                    self.bar.set_postfix_str(f"loss {self.loss_sum / self.batches:.4g}",
                                             refresh=False)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        self.last = f"{self.desc}: {_metrics(logs)}"
        if self.mode == "text":
            print(self.last, flush=True)
            return
        if self.mode == "terminal" and self.bar is None:  # a short epoch: its line only
            from tqdm import tqdm

            line = tqdm.format_meter(self.batches, self.total, time.perf_counter() - self.start,
                                     prefix=self.desc, unit="batch", postfix=_metrics(logs))
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
            return
        self._catch_up()
        self.bar.set_postfix_str(_metrics(logs), refresh=self.mode == "widget")
        if self.mode == "terminal":
            self.close()

    def _open(self) -> None:
        from tqdm import tqdm  # the plain bar: no notebook guessing, no warning

        self.bar = tqdm(total=self.total, desc=self.desc, unit="batch", leave=True)

    def on_train_end(self, trainer) -> None:
        if self.mode == "widget" and self.last:
            from IPython.display import Pretty

            self.handle.update(Pretty(self.last))  # the widget gives way to the final line

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
