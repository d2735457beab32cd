"""The notebooks in examples/notebooks run top to bottom in a fresh kernel, print what their
committed outputs show, and the progress display is tidy in a notebook."""

import sys
from pathlib import Path

import pytest
from printouts import differences

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "examples" / "notebooks").glob("*.ipynb"))
pytest.importorskip("nbclient", reason="pip install -e '.[test]' installs nbclient")
pytest.importorskip("ipykernel", reason="pip install -e '.[test]' installs ipykernel")
sys.path.insert(0, str(ROOT / "tools"))
from run_notebooks import execute  # noqa: E402


def texts(cell) -> list:
    """What a reader sees of a cell's outputs, as text; images as a marker."""
    shown = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            shown.append((out["name"], out["text"]))
        elif out["output_type"] in ("execute_result", "display_data"):
            data = out["data"]
            shown.append(("image" if "image/png" in data else "text", data.get("text/plain")))
        elif out["output_type"] == "error":
            shown.append(("error", out["ename"]))
    return shown


def test_there_are_the_five_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01_backprop_by_hand", "02_rmsprop_layer_wise",
                                          "03_optimizers_side_by_side",
                                          "04_write_your_own_optimizer", "05_batchnorm"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_its_committed_outputs_are_current(path, tmp_path):
    import nbformat

    committed = nbformat.read(path, as_version=4)
    copy = tmp_path / path.name  # executed here: tests never modify tracked files
    nbformat.write(committed, copy)
    fresh = execute(copy)
    for i, (old, new) in enumerate(zip(committed.cells, fresh.cells)):
        got, recorded = texts(new), texts(old)
        assert not [t for kind, t in got if kind in ("stderr", "error")], (i, got)
        # numbers to the digits shown (tests/printouts.py): the same on every CPU
        assert [kind for kind, _ in got] == [kind for kind, _ in recorded], (i, got)
        problems = [p for (_, a), (_, b) in zip(got, recorded)
                    for p in differences(a or "", b or "")]
        assert not problems, (f"cell {i} prints something else now (python "
                              f"tools/run_notebooks.py regenerates the outputs):\n"
                              + "\n".join(problems[:5]))
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert sum(bool(c.get("outputs")) for c in code) >= len(code) - 1, \
        "the committed notebook should carry its outputs (python tools/run_notebooks.py)"


@pytest.mark.slow
def test_progress_in_a_notebook_is_one_line_per_fit_or_per_epoch(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    fit = ("import numpy as np, tinynet as tn\n"
           "X = np.random.default_rng(0).standard_normal((64, 3)); y = (X[:, 0] > 0).astype(int)\n"
           "trainer = tn.Trainer(tn.mlp([3, 4, 2], seed=0), 'softmax_cross_entropy', 'adam',\n"
           "                     batch_size=8)\n"
           "trainer.fit(X, y, epochs=40); None")
    nb = new_notebook(cells=[
        new_code_cell(fit),  # with ipywidgets: one bar, ending as one line
        new_code_cell("import tinynet.progress as progress\n"
                      "progress.where = lambda: 'text'  # as in a kernel without ipywidgets\n"
                      + fit.replace("epochs=40", "epochs=3"))])
    nbformat.write(nb, tmp_path / "progress.ipynb")
    out = execute(tmp_path / "progress.ipynb")
    widget, text = out.cells[0].outputs, out.cells[1].outputs
    assert len(widget) == 1 and widget[0]["output_type"] == "display_data"
    assert widget[0]["data"]["text/plain"].startswith("epoch 40/40: loss ")
    assert "accuracy" in widget[0]["data"]["text/plain"]
    assert [o["name"] for o in text] == ["stdout"] * len(text)  # no warnings on stderr
    lines = "".join(o["text"] for o in text).splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert all("loss" in line and "accuracy" in line for line in lines)
