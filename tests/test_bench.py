"""tinynet bench: the suite, one run, the protocol, resuming, and the same numbers whatever
runs them (one process, two local processes, a Dask cluster on 127.0.0.1)."""

import json
import math
import sys
from pathlib import Path

import pytest

from tinynet.bench import report, runner
from tinynet.bench.problems import SUITE
from tinynet.bench.runs import GRIDS, Run, execute
from tinynet.cli import main

ROOT = Path(__file__).resolve().parents[1]
QUICK = ["--problems", "moons,digits", "--optimizers", "sgd,adam", "--seeds", "2",
         "--no-progress"]


def lines(folder: Path) -> dict:
    """Each run's line without its timing, by key."""
    out = {}
    for line in (folder / "results.jsonl").read_text().splitlines():
        run = json.loads(line)
        run.pop("wall_time")
        out[run["key"]] = run
    return out


def test_the_suite_has_the_issues_problems_each_with_its_data_and_model():
    assert list(SUITE) == ["moons", "circles", "digits", "breast_cancer", "diabetes",
                           "ill_conditioned", "deep_narrow"]
    for problem in SUITE.values():
        X_train, X_test, y_train, y_test = problem.load()
        model = problem.model(seed=0)
        assert model.dense_layers[0].n_in == X_train.shape[1] == problem.sizes[0]
        assert problem.epochs[0] < problem.epochs[1]
    assert SUITE["diabetes"].task == "regression" and SUITE["diabetes"].metric == "r2"
    assert len(SUITE["deep_narrow"].sizes) == 7
    X = SUITE["ill_conditioned"].load()[0]
    spread = X.std(axis=0)
    assert spread.max() / spread.min() > 1e5  # features scaled 1e-3..1e3, not standardised


def test_a_run_is_seeded_by_problem_optimizer_lr_and_seed_alone():
    a = Run("moons", "adam", 0.01, 1, "tune", "quick")
    assert a.training_seed == Run("moons", "adam", 0.01, 1, "final", "standard").training_seed
    assert a.training_seed != Run("moons", "adam", 0.01, 2, "tune", "quick").training_seed
    assert a.key == "moons|adam|0.01|1|tune|quick"
    first, again = execute(a), execute(a)
    first.pop("wall_time"), again.pop("wall_time")
    assert first == again
    assert first["metric"] == "accuracy" and 0.9 < first["test_metric"] <= 1
    assert first["epochs_to_target"] is not None and first["hyperparameters"]["lr"] == 0.01


def test_the_best_rate_is_the_best_validation_metric_and_a_tie_goes_to_the_smaller():
    def tuned(lr, val):
        return {"phase": "tune", "problem": "p", "optimizer": "o", "lr": lr, "val_metric": val}

    results = [tuned(0.1, 0.9), tuned(0.01, 0.95), tuned(1.0, None), tuned(0.001, 0.95)]
    assert runner.best_rate(results, "p", "o") == 0.001
    assert runner.best_rate([tuned(1.0, None), tuned(0.1, 0.5)], "p", "o") == 0.1
    assert runner.best_rate(results, "p", "other") is None
    assert len(runner.tuning_runs(["moons"], ["sgd", "adam"], "standard")) == 2 * len(
        GRIDS["standard"])


def test_ranks_are_shared_within_the_seeds_noise():
    cells = {("p", "a"): {"mean": 0.95, "std": 0.01}, ("p", "b"): {"mean": 0.945, "std": 0.01},
             ("p", "c"): {"mean": 0.80, "std": 0.01},
             ("q", "a"): {"mean": 0.5, "std": 0.0}, ("q", "b"): {"mean": 0.6, "std": 0.0},
             ("q", "c"): {"mean": -math.inf, "std": 0.0}}
    assert report.ranks(cells, ["p", "q"], ["a", "b", "c"]) == {"a": 1.75, "b": 1.25, "c": 3.0}


def test_a_line_cut_short_by_a_crash_is_not_a_finished_run(tmp_path):
    (tmp_path / "results.jsonl").write_text('{"key": "a"}\n{"key": "b", "te')
    assert runner.read_results(tmp_path) == [{"key": "a"}]


def test_a_bench_folder_is_refused_to_other_arguments_and_other_files(tmp_path):
    args = {"problems": ["moons"], "optimizers": ["sgd"], "seeds": 1, "budget": "quick",
            "imports": []}
    runner.prepare(tmp_path / "b", args)
    runner.prepare(tmp_path / "b", args)  # the same bench: goes on
    with pytest.raises(ValueError, match=r"holds a bench run with other arguments \(seeds 1\)"):
        runner.prepare(tmp_path / "b", {**args, "seeds": 2})
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="is not empty and holds no bench"):
        runner.prepare(tmp_path / "c", args)


@pytest.mark.slow
def test_bench_summarises_resumes_and_gives_the_same_lines_with_two_processes(tmp_path,
                                                                            capsys):
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["bench", *QUICK, "--out", str(one)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("0 of 20 runs already done\n# tinynet bench: quick budget, 2 seeds")
    assert (one / "summary.md").read_text() in out and (one / "profile.png").stat().st_size
    before = (one / "results.jsonl").read_text()
    assert main(["bench", *QUICK, "--out", str(one)]) == 0  # again: nothing to run
    assert capsys.readouterr().out.startswith("20 of 20 runs already done")
    assert (one / "results.jsonl").read_text() == before
    assert main(["bench", *QUICK, "--out", str(two), "--jobs", "2"]) == 0
    assert lines(one) == lines(two) and len(lines(one)) == 20


@pytest.mark.slow
def test_a_dask_cluster_gives_the_same_lines(tmp_path, capsys):
    distributed = pytest.importorskip("distributed", reason="pip install -e '.[test]' "
                                      "installs dask.distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, host="127.0.0.1",
                                  threads_per_worker=1, dashboard_address=None) as cluster:
        assert main(["bench", *QUICK, "--out", str(tmp_path / "d"), "--dask",
                     cluster.scheduler_address]) == 0
    assert main(["bench", *QUICK, "--out", str(tmp_path / "one")]) == 0
    assert lines(tmp_path / "d") == lines(tmp_path / "one")


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_line_and_nothing_written(tmp_path, capsys):
    pytest.importorskip("distributed", reason="pip install -e '.[test]' installs it")
    assert main(["bench", *QUICK, "--out", str(tmp_path / "x"), "--dask",
                 "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tinynet bench: error: cannot reach a Dask scheduler at "
                          "tcp://127.0.0.1:9 (") and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_a_users_optimizer_runs_in_the_workers(tmp_path, capsys):
    optimizer = ROOT / "examples" / "custom_optimizer.py"
    assert main(["bench", "--import", str(optimizer), "--problems", "moons", "--optimizers",
                 "adabelief,adam", "--seeds", "1", "--jobs", "2", "--no-progress", "--out",
                 str(tmp_path / "u")]) == 0
    assert "| adabelief |" in (tmp_path / "u" / "summary.md").read_text()
    assert {run["optimizer"] for run in lines(tmp_path / "u").values()} == {"adabelief", "adam"}


def test_a_users_optimizer_runs_here_with_one_job(tmp_path, capsys):
    optimizer = ROOT / "examples" / "custom_optimizer.py"
    assert main(["bench", "--import", str(optimizer), "--problems", "moons", "--optimizers",
                 "adabelief", "--seeds", "1", "--no-progress", "--out",
                 str(tmp_path / "here")]) == 0  # in this process: imported once, by the CLI
    assert "| adabelief |" in (tmp_path / "here" / "summary.md").read_text()


@pytest.mark.slow
def test_the_speed_script_prints_its_table():
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "bench_speed.py"),
                           "--quick-jobs", "1", "--standard-jobs", "", "--compare-jobs", "2"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| `")]
    assert len(rows) == 2 and rows[0].startswith("| `tinynet bench --budget quick` | 1 | 168 | ")
    assert rows[1].startswith("| `tinynet compare` | 2 | 84 | ")


@pytest.mark.slow
def test_ctrl_c_exits_130_and_keeps_the_finished_runs(tmp_path):
    import os
    import signal
    import subprocess
    import time

    out = tmp_path / "b"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "tinynet", "bench", "--budget", "standard", "--jobs", "2",
               "--no-progress", "--out", str(out)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                                      signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (not (out / "results.jsonl").exists() or len(
                (out / "results.jsonl").read_text().splitlines()) < 10):
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130 and err == "tinynet bench: interrupted\n"
    kept = len((out / "results.jsonl").read_text().splitlines())
    assert 10 <= kept < 336 and len(lines(out)) == kept  # every line whole
    again = subprocess.run(command[:-2] + ["--out", str(out)], capture_output=True, text=True,
                           env=env, timeout=300)
    assert again.stdout.startswith(f"{kept} of 336 runs already done")


# ----- quick tests of the parts (the command's own tests above are slow) --------------------

def test_run_all_appends_each_run_once_and_counts_it(tmp_path):
    class Bar:
        n = 0

        def update(self, k):
            self.n += k

    runs = [Run("digits", "sgd", 0.1, s, "final", "quick") for s in (0, 1)]
    bar = Bar()
    first = runner.run_all(runs, tmp_path, progress=bar)
    assert [r["key"] for r in first] == [r.key for r in runs] and bar.n == 2
    again = runner.run_all(runs, tmp_path, progress=bar)
    assert again == first and bar.n == 2  # nothing ran twice
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 2
    assert runner.final_runs(first + [{"phase": "tune", "problem": "digits", "optimizer": "sgd",
                                       "lr": 0.3, "val_metric": 0.9}], ["digits"], ["sgd"], 2,
                             "quick") == [Run("digits", "sgd", 0.3, s, "final", "quick")
                                          for s in (0, 1)]


def test_the_summary_reads_as_a_table_per_problem_and_a_rank():
    def final(p, o, seed, test, epochs):
        return {"phase": "final", "problem": p, "optimizer": o, "lr": 0.01, "seed": seed,
                "test_metric": test, "epochs_to_target": epochs}

    results = [final("moons", "a", 0, 0.94, 3), final("moons", "a", 1, 0.96, 5),
               final("moons", "b", 0, None, None), final("moons", "b", 1, None, None)]
    text = report.summary(results, ["moons"], ["a", "b"], 2, "quick")
    assert text == (
        "# tinynet bench: quick budget, 2 seeds\n\n"
        "## moons: make_moons, 1,000 points, noise 0.2; 2-16-16-2 tanh, target accuracy 0.95 "
        "on validation\n\n"
        "| optimizer | lr | test accuracy (mean ± std) | epochs to target |\n|---|---|---|---|\n"
        "| a | 0.01 | 0.9500 ± 0.0100 | 4 |\n| b | 0.01 | diverged | never |\n\n"
        "## Overall: mean rank across problems (1 is best; within noise, shared)\n\n"
        "| optimizer | mean rank |\n|---|---|\n| a | 1.00 |\n| b | 2.00 |\n")


def test_a_small_bench_from_the_command_line(tmp_path, capsys):
    assert main(["bench", "--problems", "digits", "--optimizers", "sgd", "--seeds", "1",
                 "--no-progress", "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("0 of 4 runs already done\n")  # 3 rates, then 1 seed
    assert "| sgd | " in out and out.rstrip().endswith(f"and {tmp_path / 's' / 'profile.png'}")
    assert json.loads((tmp_path / "s" / "bench.json").read_text()) == {
        "problems": ["digits"], "optimizers": ["sgd"], "seeds": 1, "budget": "quick",
        "imports": []}
    assert (tmp_path / "s" / "profile.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(SystemExit):
        main(["bench", "--problems", "digits,", "--out", str(tmp_path / "t")])
    assert "expected comma-separated names, e.g. sgd,adam" in capsys.readouterr().err
    assert main(["bench", "--problems", "mnist", "--out", str(tmp_path / "t")]) == 2
    assert "unknown problem 'mnist': choose from moons, circles" in capsys.readouterr().err
