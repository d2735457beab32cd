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


def test_there_are_the_six_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01_backprop_by_hand", "02_rmsprop_layer_wise",
                                          "03_optimizers_side_by_side",
                                          "04_write_your_own_optimizer", "05_batchnorm",
                                          "06_exercises"]


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
    code = [c for c in committed.cells  # an exercise's stub cell only defines: no output
            if c.cell_type == "code" and "exercise" not in c.metadata]
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


# ----- the exercises: committed unsolved, run here with the answers put in -------------------

def solved(path, answers: dict, tmp_path):
    """The notebook at ``path`` with each cell tagged ``exercise`` replaced by its answer,
    executed in a temporary folder."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "exercise" in c.metadata]
    assert sorted(c.metadata["exercise"] for c in tagged) == sorted(answers)
    for cell in tagged:
        cell.source = answers[cell.metadata["exercise"]]
    nbformat.write(nb, tmp_path / path.name)
    return execute(tmp_path / path.name)


def printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o["output_type"] == "stream")


def test_the_exercise_cells_are_stubs_without_the_answer():
    import nbformat

    from tinynet import exercises
    from tinynet.exercises.command import stub

    nb = nbformat.read(ROOT / "examples/notebooks/06_exercises.ipynb", as_version=4)
    cells = {c.metadata["exercise"]: c.source for c in nb.cells if "exercise" in c.metadata}
    assert cells == {name: stub(ex).rstrip("\n") for name, ex in exercises.EXERCISES.items()}
    first = nbformat.read(ROOT / "examples/notebooks/01_backprop_by_hand.ipynb", as_version=4)
    (cell,) = [c for c in first.cells if "exercise" in c.metadata]
    assert "dW1 = None" in cell.source and "db1 = None" in cell.source and "@" not in cell.source


@pytest.mark.slow
def test_notebook_06_with_the_solutions_put_in_says_correct_for_each(tmp_path):
    import inspect

    import exercise_solutions

    from tinynet import exercises

    answers = {n: inspect.getsource(getattr(exercise_solutions, n)) for n in exercises.available()}
    nb = solved(ROOT / "examples/notebooks/06_exercises.ipynb", answers, tmp_path)
    said = [printed(c) for c in nb.cells if c.cell_type == "code" and "check(" in c.source]
    assert [line.split(":")[0] for line in said] == exercises.available()
    assert all(": correct (float64 and float32, " in line for line in said), said


@pytest.mark.slow
def test_notebook_01_with_the_answer_put_in_says_right(tmp_path):
    nb = solved(ROOT / "examples/notebooks/01_backprop_by_hand.ipynb",
                {"dW1, db1": "dW1 = X.T @ dZ1\ndb1 = dZ1.sum(axis=0)"}, tmp_path)
    (check,) = [c for c in nb.cells if c.cell_type == "code" and "not written yet" in c.source]
    assert printed(check) == "dW[1]: right\ndb[1]: right\n"
    nb = solved(ROOT / "examples/notebooks/01_backprop_by_hand.ipynb",
                {"dW1, db1": "dW1 = X.T @ dZ1 / B\ndb1 = dZ1.sum(axis=1)"}, tmp_path)
    (check,) = [c for c in nb.cells if c.cell_type == "code" and "not written yet" in c.source]
    assert printed(check) == "dW[1]: wrong\ndb[1]: shape (4,), expected (3,)\n"


def test_notebook_04s_hint_holds_v_plus_equals_passes_the_contract_but_v_grows():
    import numpy as np

    import tinynet as tn
    from tinynet.testing import check_optimizer

    class Signum(tn.optimizers.Optimizer):  # notebook 04's, with the tempting edit v += ...
        state_symbols, elementwise = ("v",), True

        def __init__(self, lr=0.001, beta=0.9, weight_decay=0.0):
            super().__init__(lr=lr, weight_decay=weight_decay)
            self.beta = self.decay_rate("beta", beta)

        def update(self, W, dW, v):
            v += self.beta * v + (1 - self.beta) * dW
            W -= self.lr * np.sign(v)

    check_optimizer(Signum)  # the contract holds: in place, both paths equal
    opt, W, v = Signum(), np.zeros(3), np.zeros(3)
    for _ in range(60):
        opt.update(W, np.ones(3), v)
    assert v[0] > 1.9**55  # v = (1 + beta) v + (1 - beta) dW: grows without bound
