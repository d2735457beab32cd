"""The progress display in each place it runs: which place is detected, and what a notebook
(with and without ipywidgets) shows, run in this process so every line is checked."""

import sys
import types

import numpy as np
import pytest

import tinynet as tn
from tinynet import progress
from tinynet.progress import ProgressBar


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    return X, (X[:, 0] > 0).astype(int)


def make(style="auto"):
    return tn.Trainer(tn.mlp([3, 6, 2], seed=0), tn.SoftmaxCrossEntropy(),
                      tn.optimizers.RMSProp(lr=0.01), batch_size=8, seed=0, progress=False,
                      callbacks=[ProgressBar(style)])


class WidgetBar:
    """Stands in for tqdm.notebook.tqdm and records what the display asks of it."""

    made: list = []

    def __init__(self, **kwargs):
        self.kwargs, self.descs, self.postfixes, self.n = kwargs, [], [], 0
        self.container = f"container {len(WidgetBar.made)}"
        WidgetBar.made.append(self)

    def set_description(self, desc, refresh=True):
        assert refresh is False
        self.descs.append(desc)

    def update(self, n):
        self.n += n

    def set_postfix_str(self, text, refresh=True):
        self.postfixes.append((text, refresh))

    def close(self):
        raise AssertionError("the widget stays; it is replaced by a line at the end")


@pytest.fixture
def notebook(monkeypatch):
    """A Jupyter kernel, as ``where()`` sees it, with display() and the widget recorded."""
    import IPython.display
    import tqdm.notebook

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(("update", obj))

    def display(obj, display_id=None):
        assert display_id is True
        shown.append(("display", obj))
        return Handle()

    WidgetBar.made = []
    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(tqdm.notebook, "tqdm", WidgetBar)
    shell = types.SimpleNamespace(config={"IPKernelApp": {}})
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    return shown


def test_where_tells_terminal_widget_and_text_apart(notebook, monkeypatch):
    assert progress.where() == "widget"  # a kernel with ipywidgets
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # as if not installed
    assert progress.where() == "text"
    shell = types.SimpleNamespace(config={"TerminalIPythonApp": {}})  # IPython, not a kernel
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert progress.where() == "terminal"
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert progress.where() == "terminal"
    monkeypatch.delitem(sys.modules, "IPython")
    assert progress.where() == "terminal"  # plain Python


def test_a_notebook_gets_one_widget_for_the_whole_fit_then_one_line(notebook):
    t = make()
    history = t.fit(*data(40), epochs=3, validation_data=data(16, seed=1))
    assert len(WidgetBar.made) == 1
    bar = WidgetBar.made[0]
    assert bar.kwargs == {"total": 15, "unit": "batch", "leave": True, "display": False}
    assert bar.descs == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert bar.n == 15  # every batch of every epoch
    last = (f"loss {history['loss'][2]:.4g}  accuracy {history['accuracy'][2]:.4g}  "
            f"val_loss {history['val_loss'][2]:.4g}  "
            f"val_accuracy {history['val_accuracy'][2]:.4g}")
    assert bar.postfixes[-1] == (last, True)  # the widget redraws with each epoch's metrics
    assert [kind for kind, _ in notebook] == ["display", "update"]
    assert notebook[0][1] == "container 0"
    assert notebook[1][1].data == f"epoch 3/3: {last}"  # the widget gives way to this line


def test_a_resumed_notebook_fit_counts_only_the_epochs_left(notebook):
    t = make()
    t.fit(*data(40), epochs=2)
    t.fit(*data(40), epochs=3)  # epochs 3 to 5
    assert WidgetBar.made[1].kwargs["total"] == 15
    assert WidgetBar.made[1].descs == ["epoch 3/5", "epoch 4/5", "epoch 5/5"]


def test_a_notebook_without_widgets_prints_one_line_per_epoch(notebook, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    history = make().fit(*data(40), epochs=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"epoch {e + 1}/2: loss {history['loss'][e]:.4g}  "
                     f"accuracy {history['accuracy'][e]:.4g}" for e in range(2)]
    assert WidgetBar.made == [] and notebook == []


def test_a_style_chosen_by_name_wins_and_a_wrong_one_is_refused(notebook, capsys):
    make("text").fit(*data(16), epochs=1)
    assert capsys.readouterr().out.startswith("epoch 1/1: loss ")
    assert WidgetBar.made == []
    with pytest.raises(ValueError, match=r"style must be one of \('auto', 'terminal', "
                                         r"'widget', 'text'\), got 'fancy'"):
        ProgressBar("fancy")


def test_the_lr_is_kept_in_the_history_but_not_shown(capsys):
    history = make("text").fit(*data(16), epochs=1)
    assert "lr" in history and history["lr"] == [0.01]
    line = capsys.readouterr().out
    assert "lr" not in line and "0.01" not in line


def test_a_shell_without_config_is_no_kernel(monkeypatch):
    shell = types.SimpleNamespace()  # an IPython-like object without a config
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert progress.where() == "terminal"


def test_closing_before_any_fit_does_nothing():
    ProgressBar().close()


def test_a_notebook_fit_stopped_in_its_first_epoch_leaves_the_widget(notebook):
    import os
    import signal

    class CtrlC(tn.Callback):
        def on_batch_end(self, trainer, step, logs):
            os.kill(os.getpid(), signal.SIGINT)

    t = make()
    t.callbacks.append(CtrlC())
    assert t.fit(*data(40), epochs=2).interrupted
    assert [kind for kind, _ in notebook] == ["display"]  # no final line: no epoch ended


def test_text_lines_are_flushed_and_never_a_tqdm_bar(monkeypatch, capsys):
    import io

    class Out(io.StringIO):
        flushes = 0

        def flush(self):
            Out.flushes += 1

    out = Out()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(ProgressBar, "delay", 0)  # a terminal would get a live bar at once
    history = make("text").fit(*data(80), epochs=2)  # 10 batches: the bar's moment comes
    assert out.getvalue().splitlines()[1].startswith("epoch 2/2: loss ")
    assert Out.flushes >= 2 and len(history) == 2  # each line out as it is printed
    assert capsys.readouterr().err == ""  # no tqdm bar on stderr


def test_a_fast_terminal_epoch_writes_only_its_final_line(monkeypatch, capsys):
    monkeypatch.setattr(ProgressBar, "delay", 1000.0)  # no epoch lasts that long
    import tqdm

    monkeypatch.setattr(tqdm, "tqdm", type("NoBar", (tqdm.tqdm,), {"__init__": None}))
    make("terminal").fit(*data(80), epochs=1)  # 10 batches: the bar would open at the 10th
    line = capsys.readouterr().err
    assert line.startswith("epoch 1/1: 100%") and "10/10 [00:00<00:00" in line
    assert "batch/s" in line and line.count("\n") == 1


def test_a_slow_terminal_epoch_opens_its_live_bar_at_the_tenth_batch(monkeypatch):
    import tqdm

    made = []

    class Bar:
        def __init__(self, **kwargs):
            made.append(kwargs)
            self.n = 0

        def update(self, n):
            self.n += n

        def set_postfix_str(self, text, refresh=True):
            pass

        def close(self):
            pass

    monkeypatch.setattr(tqdm, "tqdm", Bar)
    monkeypatch.setattr(ProgressBar, "delay", 1e-9)  # not at the epoch's start, but soon
    make("terminal").fit(*data(80), epochs=1)  # 10 batches
    assert made == [{"total": 10, "desc": "epoch 1/1", "unit": "batch", "leave": True}]


def test_a_trainer_without_progress_writes_nothing_while_it_trains(capsys):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    trainer = tn.Trainer(tn.mlp([3, 4, 2], seed=0), tn.SoftmaxCrossEntropy(), "sgd",
                         batch_size=4, progress=False)
    trainer.fit(X, y, epochs=2, validation_data=(X, y))
    assert capsys.readouterr() == ("", "")
    assert not any(isinstance(cb, tn.progress.ProgressBar) for cb in trainer.callbacks)
