"""Every example runs headless and prints its numbers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import tinynet as tn

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, *args, cwd=None):
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(EXAMPLES.parent)}  # this tree
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=240, env=env, cwd=cwd)


@pytest.mark.slow
def test_custom_optimizer_example():
    result = run_example("custom_optimizer.py")
    assert result.returncode == 0, result.stderr
    assert f"AdaMax passed {len(tn.testing.CHECKS)} checks" in result.stdout
    acc = float(result.stdout.split("test accuracy")[1].split()[0])
    assert acc >= 0.95


TEACHING = [
    ("rmsprop_worked_example.py", "rmsprop_worked_example.png",
     ["(1000, 0.1)", "(31.62, 0.3162)", "(3.162, 3.162)", "(-0.03162, -0.03162)", "(-1, -0.01)"]),
    ("badly_scaled_surface.py", "badly_scaled_surface.png",
     ["lr = 0.019 for all", "largest learning rate"]),
    ("balanced_updates.py", "balanced_updates.png", ["RMSProp |update|", "largest/smallest"]),
    ("effective_learning_rate.py", "effective_learning_rate.png",
     ["median eta_eff", "test accuracy"]),
    ("learning_rate_sweep.py", "learning_rate_sweep.png",
     ["best lr for SGD", "best lr for RMSProp"]),
    ("moons_decision_boundary.py", "moons_decision_boundary.png",
     ["identical initial weights and batch order: True"]),
]


@pytest.mark.slow
@pytest.mark.parametrize("script, png, fragments", TEACHING, ids=[t[0] for t in TEACHING])
def test_teaching_example_prints_numbers_and_writes_png(script, png, fragments, tmp_path,
                                                        assert_figure):
    result = run_example(script, "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for fragment in fragments:
        assert fragment in result.stdout, fragment
    assert_figure(tmp_path / png)


def test_badly_scaled_surface_numbers_back_the_article(tmp_path):
    out = run_example("badly_scaled_surface.py", "--out", str(tmp_path)).stdout
    table = out.split("largest learning rate")[0]
    rows = {line.split()[0]: line.split() for line in table.splitlines()
            if line.split() and line.split()[0] in ("SGD", "Momentum", "RMSProp", "Adam")}
    sgd_x, sgd_y = float(rows["SGD"][4]), float(rows["SGD"][5])
    rms_x, rms_y = float(rows["RMSProp"][4]), float(rows["RMSProp"][5])
    assert sgd_x > 10 * sgd_y                    # SGD: dominated by the steep direction
    assert abs(rms_x - rms_y) < 0.1 * rms_x      # RMSProp: balanced
    assert int(rows["RMSProp"][1]) < int(rows["SGD"][1])  # and reaches f < 1e-3 sooner
    assert float(rows["Momentum"][4]) < sgd_x    # Momentum: oscillations cancel


@pytest.mark.slow
def test_benchmark_runs_and_writes_json(tmp_path):
    import json

    result = run_example("benchmark.py", "--quick", "--only", "W2", "--repeats", "1",
                         "--json", str(tmp_path / "b.json"))
    assert result.returncode == 0, result.stderr
    assert "x hand" in result.stdout and "GEMM floor" in result.stdout
    data = json.loads((tmp_path / "b.json").read_text())
    row = data["results"]["W2 moons"]
    assert set(row) == {"tinynet (bar on)", "tinynet (bar off)", "sklearn MLP adam",
                        "hand-written numpy", "GEMM + RMSProp", "GEMM floor"}
    assert row["tinynet (bar off)"]["test_accuracy"] == row["hand-written numpy"]["test_accuracy"]
    assert all(r["median_s_per_epoch"] > 0 for r in row.values())


@pytest.mark.slow
def test_sklearn_grid_search_example():
    result = run_example("sklearn_grid_search.py")
    assert result.returncode == 0, result.stderr
    best = float(result.stdout.split("cross-validated accuracy ")[-1].split()[0])
    assert best > 0.95 and "best: lr=" in result.stdout
