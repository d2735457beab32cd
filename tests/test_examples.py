"""Every example runs headless and prints its numbers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from printouts import assert_same_printout, differences

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, *args, cwd=None):
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(EXAMPLES.parent)}  # this tree
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=240, env=env, cwd=cwd)


@pytest.mark.slow
def test_custom_optimizer_example():
    result = run_example("custom_optimizer.py")
    assert result.returncode == 0, result.stderr
    from tinynet.testing import CHECKS

    assert f"AdaBelief passed {len(CHECKS)} checks" in result.stdout
    acc = float(result.stdout.split("test accuracy")[1].split()[0])
    assert acc >= 0.95


TEACHING = ["rmsprop_worked_example", "balanced_updates", "badly_scaled_surface",
            "effective_learning_rate", "learning_rate_sweep", "moons_decision_boundary"]
FIGURES = EXAMPLES / "figures"


def printed(result) -> str:
    return "".join(line + "\n" for line in result.stdout.splitlines()
                   if not line.startswith("wrote "))


@pytest.mark.slow
@pytest.mark.parametrize("name", TEACHING)
def test_teaching_example_reproduces_its_committed_numbers_and_figure(name, tmp_path,
                                                                      assert_figure):
    # The README quotes examples/figures/NAME.txt; a changed example without a regenerated
    # record (python tools/regenerate_figures.py) fails here, and so does a stale PNG. The
    # numbers are compared to the digits the record shows (tests/printouts.py): on another
    # CPU a stable run agrees to ~1e-10, and an erratic one prints a word, not a number.
    import matplotlib

    result = run_example(f"{name}.py", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert_same_printout(printed(result), (FIGURES / f"{name}.txt").read_text(), name)
    assert_figure(tmp_path / f"{name}.png")
    made_with = (FIGURES / "matplotlib-version.txt").read_text().strip()
    if matplotlib.__version__ != made_with:
        pytest.skip(f"the committed PNGs were made with matplotlib {made_with}, this is "
                    f"{matplotlib.__version__}: byte comparison needs the same version")
    assert (tmp_path / f"{name}.png").read_bytes() == (FIGURES / f"{name}.png").read_bytes()


def test_badly_scaled_surface_numbers_back_the_article():
    out = (FIGURES / "badly_scaled_surface.txt").read_text()  # = the script's output (above)
    table = out.split("largest learning rate")[0]
    rows = {line.split()[0]: line.split() for line in table.splitlines()
            if line.split() and line.split()[0] in ("SGD", "Momentum", "RMSProp", "Adam")}
    sgd_x, sgd_y = float(rows["SGD"][5]), float(rows["SGD"][6])
    rms_x, rms_y = float(rows["RMSProp"][5]), float(rows["RMSProp"][6])
    assert sgd_x > 10 * sgd_y                    # SGD: dominated by the steep direction
    assert abs(rms_x - rms_y) < 0.1 * rms_x      # RMSProp: balanced
    assert int(rows["RMSProp"][1]) < int(rows["SGD"][1])  # and reaches f < 1e-3 sooner
    assert float(rows["Momentum"][5]) < sgd_x / 2  # Momentum: oscillations partly cancel
    assert rows["RMSProp"][2] == "never"         # RMSProp does not settle at a fixed lr,
    assert float(rows["RMSProp"][4]) > 10 * float(rows["Adam"][4])  # Adam does


@pytest.mark.slow
def test_benchmark_runs_and_writes_json(tmp_path):
    import json

    result = run_example("benchmark.py", "--quick", "--only", "W2", "--repeats", "2",
                         "--warmup", "0", "--json", str(tmp_path / "b.json"))
    assert result.returncode == 0, result.stderr
    assert "tinynet (bar on) / hand-written numpy:" in result.stdout
    data = json.loads((tmp_path / "b.json").read_text())
    row = data["results"]["W2 moons"]
    assert {"tinynet (bar on)", "tinynet (bar off)", "tinynet (layer by layer)",
            "sklearn MLP adam", "hand-written numpy", "GEMM + RMSProp",
            "GEMM floor"} <= set(row)
    same = row["tinynet (bar off)"]["test_accuracy"]
    assert same == row["hand-written numpy"]["test_accuracy"]  # same weights, same batches
    assert same == row["tinynet (layer by layer)"]["test_accuracy"]
    assert all(len(r["all"]) == 2 and min(r["all"]) > 0 for r in row.values())
    assert data["meta"]["blas_threads"] >= 1 and data["meta"]["repeats"] == 2


def test_benchmark_ratios_are_per_repeat_and_noise_is_named():
    sys.path.insert(0, str(EXAMPLES))
    import benchmark

    res = {"a": {"all": [2.0, 3.0, 10.0], "median_s_per_epoch": 3.0},
           "b": {"all": [1.0, 1.0, 8.0], "median_s_per_epoch": 1.0}}
    assert benchmark.ratio(res, "a", "b") == {"median": 2.0, "min": 1.25, "max": 3.0}
    assert benchmark.ratio(res, "a", "missing") is None  # ratio of medians would say 3.0
    floors = {"GEMM floor": {"median_s_per_epoch": 2.0},
              "GEMM + RMSProp": {"median_s_per_epoch": 1.5},
              "hand-written numpy": {"median_s_per_epoch": 4.0}}
    assert benchmark.noise(floors) == [
        "GEMM floor measured slower than GEMM + RMSProp, which contains it: noise"]



def test_benchmark_says_when_the_commands_were_timed_again(tmp_path, monkeypatch):
    import json

    sys.path.insert(0, str(EXAMPLES))
    import benchmark

    committed = json.loads((EXAMPLES / "benchmark_results.json").read_text())
    committed.pop("process_meta", None)
    assert "timed again" not in benchmark.readme_table(committed)
    path = tmp_path / "b.json"
    path.write_text(json.dumps(committed))
    fresh = {**committed["process"], "tinynet compare": {"seconds": 9.5, "peak_mb": 170.0}}
    monkeypatch.setattr(benchmark, "process_figures", lambda: fresh)
    benchmark.update_process(str(path))
    again = json.loads(path.read_text())
    assert again["results"] == committed["results"] and again["process"] == fresh
    table = benchmark.readme_table(again)
    assert "| `tinynet compare` | 9.50 | 170 |" in table
    meta = again["process_meta"]
    assert (f"The commands were timed again on {meta['date']} (commit {meta['commit']}; "
            f"load average ") in table and len(meta["commit"]) >= 7


@pytest.mark.slow
def test_sklearn_grid_search_example():
    result = run_example("sklearn_grid_search.py")
    assert result.returncode == 0, result.stderr
    assert_same_printout(printed(result), (FIGURES / "sklearn_grid_search.txt").read_text(),
                         "sklearn_grid_search")
    best = float(result.stdout.split("cross-validated accuracy ")[-1].split()[0])
    assert best > 0.95 and "best: lr=" in result.stdout


def test_a_printout_matches_its_record_to_the_digits_shown_and_no_further():
    record = "best lr for SGD: 0.3 (validation loss 0.177)\n  RMSProp 0.1442 2.05e-03 86\n"
    assert differences(record, record) == []
    assert differences(record.replace("0.177", "0.178"), record) == []  # a rounding flip
    assert differences(record.replace("2.05e-03", "2.06e-03"), record) == []
    assert differences(record.replace("0.177", "0.179"), record)         # two units off
    assert differences(record.replace("0.1442", "0.1444"), record)
    assert differences(record.replace("2.05e-03", "2.07e-03"), record)
    assert differences(record.replace("86", "88"), record)
    assert differences(record.replace("0.1442", "erratic"), record)     # a word is text
    assert differences(record.replace("SGD", "Adam"), record)
    assert differences(record + "one more line\n", record)
    assert differences(record.replace("  RMSProp", "RMSProp"), record) == []  # spacing
