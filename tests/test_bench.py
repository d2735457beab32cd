"""tinynet bench: the suite, one run, the protocol, resuming, and the same numbers whatever
runs them (one process, two local processes, a Dask cluster on 127.0.0.1)."""

import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from printouts import assert_interrupted

from tinynet.bench import report, runner, runs
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
    assert runner.best_rate([tuned(0.001, 0.5), *results[:3]], "p", "o") == 0.01
    assert runner.best_rate([tuned(1.0, None), tuned(0.1, 0.5)], "p", "o") == 0.1
    assert runner.best_rate(results, "p", "other") is None
    assert len(runner.tuning_runs(["moons"], ["sgd", "adam"], "standard")) == 2 * len(
        GRIDS["standard"])
    assert runner.tuning_runs(["moons"], ["sgd"], "quick") == [
        Run("moons", "sgd", lr, 0, "tune", "quick") for lr in GRIDS["quick"]]  # seed 0


def test_ranks_are_shared_within_the_seeds_noise():
    cells = {("p", "a"): {"mean": 0.95, "std": 0.01}, ("p", "b"): {"mean": 0.945, "std": 0.01},
             ("p", "c"): {"mean": 0.80, "std": 0.01},
             ("q", "a"): {"mean": 0.5, "std": 0.0}, ("q", "b"): {"mean": 0.6, "std": 0.0},
             ("q", "c"): {"mean": -math.inf, "std": 0.0}}
    assert report.ranks(cells, ["p", "q"], ["a", "b", "c"]) == {"a": 1.75, "b": 1.25, "c": 3.0}
    edge = {("p", "a"): {"mean": 0.75, "std": 0.0}, ("p", "b"): {"mean": 0.5, "std": 0.25}}
    assert report.ranks(edge, ["p"], ["a", "b"]) == {"a": 1.5, "b": 1.5}  # exactly one spread


def test_a_line_cut_short_by_a_crash_is_not_a_finished_run_and_is_left_alone(tmp_path):
    (tmp_path / "results.jsonl").write_text('{"key": "a"}\n{"key": "b", "te')
    assert runner.read_results(tmp_path) == [{"key": "a"}]
    run = Run("digits", "sgd", 0.1, 0, "final", "quick")
    runner.run_all([run], tmp_path)  # goes on after the crash: the next line is whole
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert lines[1] == '{"key": "b", "te' and json.loads(lines[2])["key"] == run.key
    assert [r["key"] for r in runner.read_results(tmp_path)] == ["a", run.key]


def test_a_bench_folder_is_refused_to_other_arguments_and_other_files(tmp_path):
    args = {"problems": ["moons"], "optimizers": ["sgd"], "seeds": 1, "budget": "quick",
            "imports": []}
    runner.prepare(tmp_path / "b", args)
    runner.prepare(tmp_path / "b", args)  # the same bench: goes on
    with pytest.raises(ValueError, match=r"holds a bench run with other arguments \(seeds 1\)"):
        runner.prepare(tmp_path / "b", {**args, "seeds": 2})
    runner.prepare(tmp_path / "new" / "deeper", args)  # folders made as needed
    (tmp_path / "empty").mkdir()
    runner.prepare(tmp_path / "empty", args)  # an empty folder is free
    assert json.loads((tmp_path / "empty" / "bench.json").read_text()) == args
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
def test_the_kernels_script_prints_its_tables():
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "bench_kernels.py"),
                           "--problems", "digits", "--kernels", "Haswell,Haswell"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "5 (problem, optimizer) pairs; each kernel against Haswell" in done.stdout
    assert "| Haswell | 0 (-) | 0 | 0.00 | 0.00 |" in done.stdout  # the same kernel twice
    assert "| adabelief | " in done.stdout


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
    assert proc.returncode == 130
    assert_interrupted(err, "bench")
    kept = len((out / "results.jsonl").read_text().splitlines())
    assert 10 <= kept < 336 and len(lines(out)) == kept  # every line whole
    again = subprocess.run(command[:-2] + ["--out", str(out)], capture_output=True, text=True,
                           env=env, timeout=300)
    assert again.stdout.startswith(f"{kept} of 336 runs already done")


# ----- quick tests of the parts (the command's own tests above are slow) --------------------

def test_run_all_appends_each_run_once_and_counts_it(tmp_path, monkeypatch):
    class Bar:
        n = 0

        def update(self, k):
            self.n += k

    runs = [Run("digits", "sgd", 0.1, s, "final", "quick") for s in (0, 1)]
    bar = Bar()
    (tmp_path / "results.jsonl").write_text("")  # an empty file: nothing done yet
    jobs = []
    real = runner.each
    monkeypatch.setattr(runner, "each", lambda fn, todo, n, client, imports: (
        jobs.append((n, client, imports)) or real(fn, todo, n, client, imports)))
    first = runner.run_all(runs, tmp_path, progress=bar)
    assert jobs == [(1, None, ())]  # by default here, in this process
    assert [r["key"] for r in first] == [r.key for r in runs] and bar.n == 2
    again = runner.run_all(runs, tmp_path, progress=bar)
    assert again == first and bar.n == 2  # nothing ran twice
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 2
    assert runner.final_runs(first + [{"phase": "tune", "problem": "digits", "optimizer": "sgd",
                                       "lr": 0.3, "val_metric": 0.9}], ["digits"], ["sgd"], 2,
                             "quick") == [Run("digits", "sgd", 0.3, s, "final", "quick")
                                          for s in (0, 1)]


def test_the_summary_reads_as_a_table_per_problem_and_a_rank():
    def final(p, o, seed, test, epochs, lr=0.01):
        return {"phase": "final", "problem": p, "optimizer": o, "lr": lr, "seed": seed,
                "test_metric": test, "epochs_to_target": epochs}

    results = [final("moons", "a", 0, 0.94, 3), final("moons", "a", 1, 0.96, 5),
               final("moons", "b", 0, None, None, 0.1), final("moons", "b", 1, None, None, 0.1)]
    text = report.summary(results, ["moons"], ["a", "b"], 2, "quick")
    swapped = [{**r, "optimizer": {"a": "b", "b": "a"}[r["optimizer"]]} for r in results]
    assert report.summary(swapped, ["moons"], ["a", "b"], 2, "quick").endswith(
        "| b | 1.00 |\n| a | 2.00 |\n")  # by rank, not by name
    assert text == (
        "# tinynet bench: quick budget, 2 seeds\n\n"
        "## moons: make_moons, 1,000 points, noise 0.2; 2-16-16-2 tanh, target accuracy 0.95 "
        "on validation\n\n"
        "| optimizer | lr | test accuracy (mean ± std) | epochs to target (median) |\n"
        "|---|---|---|---|\n"
        "| a | 0.01 | 0.9500 ± 0.0100 | 4 |\n| b | 0.1 (grid edge) | diverged | never |\n\n"
        "(grid edge): the best rate of the grid was its smallest or largest (0.001 or 0.1), so "
        "a rate beyond it may be better: `--budget standard` tries 0.0001 to 1.\n\n"
        "## Overall: mean rank across problems (1 is best; within noise, shared)\n\n"
        "| optimizer | mean rank |\n|---|---|\n| a | 1.00 |\n| b | 2.00 |\n")
    standard = [{**r, "lr": 1e-4 if r["optimizer"] == "a" else 0.3} for r in results]
    text = report.summary(standard, ["moons"], ["a", "b"], 2, "standard")
    assert "| a | 0.0001 (grid edge) |" in text and "| b | 0.3 | diverged |" in text
    assert ("was its smallest or largest (0.0001 or 1), so a rate beyond it may be better: "
            "rates beyond it were not tried.") in text
    middle = [{**r, "lr": 0.01} for r in results]
    assert "edge" not in report.summary(middle, ["moons"], ["a", "b"], 2, "quick")


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
    assert main(["bench", "--jobs", "2", "--dask", "tcp://h:1", "--out",
                 str(tmp_path / "t")]) == 2
    assert ("--jobs is for local processes; with --dask the cluster's workers run the runs"
            in capsys.readouterr().err) and not (tmp_path / "t").exists()


def test_the_command_lines_defaults_and_choices():
    from tinynet.cli import build_parser

    args = build_parser().parse_args(["bench"])
    assert (args.problems, args.optimizers, args.seeds, args.budget, args.jobs, args.dask,
            args.out, args.no_progress, args.imports) == (
        list(SUITE), ["sgd", "momentum", "rmsprop", "adam"], 3, "quick", 1, None,
        "bench-results", False, [])
    args = build_parser().parse_args(["bench", "--budget", "standard", "--jobs", "2",
                                      "--seeds", "5", "--dask", "tcp://h:1"])
    assert (args.budget, args.jobs, args.seeds, args.dask) == ("standard", 2, 5, "tcp://h:1")
    assert build_parser().parse_args(["bench", "--budget", "quick"]).budget == "quick"
    for bad in (["--budget", "slow"], ["--budget", "QUICK"], ["--jobs", "0"], ["--seeds", "x"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["bench", *bad])


def test_the_command_sends_jobs_cluster_and_imports_to_the_runner(tmp_path, capsys,
                                                                  monkeypatch):
    from tinynet import optimizers as tn_optimizers
    from tinynet import parallel
    from tinynet.bench import command

    seen, closed = [], []

    class Client:
        def close(self):
            closed.append(True)

    cluster = Client()

    def each(fn, items, jobs=1, client=None, imports=()):
        seen.append((jobs, client, imports))
        yield from parallel.each(fn, items)  # here, to keep the test quick

    monkeypatch.setattr(runner, "each", each)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)  # the bar shows on a terminal
    def connect(address):
        assert address == "tcp://h:1", f"connected to {address!r} without --dask"
        return cluster

    monkeypatch.setattr(command, "connect", connect)
    optimizer = ROOT / "examples" / "custom_optimizer.py"
    common = ["--import", str(optimizer), "--problems", "digits", "--seeds", "1"]
    assert main(["bench", *common, "--optimizers", "SGD", "--jobs", "2", "--out",
                 str(tmp_path / "s")]) == 0
    assert seen == [(2, None, (str(optimizer),))] * 2  # tuning, then the seeds
    out, err = capsys.readouterr()
    assert "| sgd | " in out  # the registered name, as typed in any case
    assert "bench: 100%" in err and "4/4" in err and "run/s" in err  # one bar over all
    tn_optimizers.unregister("adabelief")  # as in a new process
    seen.clear()
    assert main(["bench", *common, "--optimizers", "sgd", "--dask", "tcp://h:1", "--out",
                 str(tmp_path / "d")]) == 0
    assert seen == [(1, cluster, (str(optimizer),))] * 2 and closed == [True]
    capsys.readouterr()
    tn_optimizers.unregister("adabelief")
    assert main(["bench", *common, "--optimizers", "sgd", "--dask", "tcp://h:1", "--out",
                 str(tmp_path / "d")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("4 of 4 runs already done")  # the bar starts from them
    assert "4/4" in err.split("\r")[-1] and closed == [True, True]


def test_the_closing_line_says_what_was_written(tmp_path, capsys, monkeypatch):
    from tinynet.bench import command

    args = ["bench", "--problems", "digits", "--optimizers", "sgd", "--seeds", "1",
            "--no-progress", "--out", str(tmp_path / "s")]
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)  # no bar even on a terminal
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out.startswith("0 of 4 runs already done\n# tinynet bench: quick budget, 1 seeds\n")
    last = out.rstrip().splitlines()[-1]
    seconds = float(re.fullmatch(r"4 runs in ([\d.]+) s; wrote .*", last)[1])
    assert 0 < seconds < 600 and err == ""
    assert last.endswith(f"wrote {tmp_path / 's' / 'summary.md'} and "
                         f"{tmp_path / 's' / 'profile.png'}")
    monkeypatch.setattr(command, "profile", lambda *a: None)  # no matplotlib
    assert main(args) == 0
    assert capsys.readouterr().out.rstrip().endswith(
        f"wrote {tmp_path / 's' / 'summary.md'} (pip install matplotlib for the performance "
        "profile)")


def test_first_epoch_reaching_counts_from_one_and_takes_equal_as_reached():
    assert runs.first_epoch_reaching([0.5, 0.95, 0.97], 0.95) == 2
    assert runs.first_epoch_reaching([0.96], 0.95) == 1
    assert runs.first_epoch_reaching([0.5, 0.9], 0.95) is None
    assert runs.first_epoch_reaching([], 0.95) is None


def test_a_runs_line_is_what_its_training_says(capsys, monkeypatch):
    """The protocol, rebuilt by hand: a fifth of the training data for validation (seeded,
    stratified for classes), the problem's model from the run's seed, its loss, batch size
    and epochs; the line holds that training's numbers."""
    import time
    import warnings

    from sklearn.model_selection import train_test_split

    import tinynet as tn

    for run in (Run("breast_cancer", "adam", 0.01, 1, "final", "quick"),
                Run("diabetes", "rmsprop", 0.01, 0, "tune", "quick")):
        problem = SUITE[run.problem]
        X_train, X_test, y_train, y_test = problem.load()
        classes = problem.task == "classification"
        X_tr, X_val, y_tr, y_val = train_test_split(X_train, y_train, test_size=0.2,
                                                    random_state=0,
                                                    stratify=y_train if classes else None)
        assert all(np.array_equal(a, b) for a, b in zip(
            runs.split(problem), (X_tr, X_val, X_test, y_tr, y_val, y_test)))
        loss = tn.SoftmaxCrossEntropy() if classes else tn.MSE()
        trainer = tn.Trainer(problem.model(run.training_seed), loss,
                             tn.optimizers.get(run.optimizer, lr=run.lr), batch_size=32,
                             seed=run.training_seed, progress=False)
        trainer.fit(X_tr, y_tr, epochs=problem.epochs[0], validation_data=(X_val, y_val))
        curve = trainer.history[f"val_{problem.metric}"]
        made = []

        def trainer_made(*args, made=made, **kwargs):
            made.append(kwargs)
            return tn.Trainer(*args, **kwargs)

        monkeypatch.setattr(runs, "Trainer", trainer_made)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no teaching warning from a bench run
            line = execute(run)
        elapsed = time.perf_counter() - start
        assert capsys.readouterr().err == ""  # and no progress bar
        assert made == [{"batch_size": problem.batch_size, "seed": run.training_seed,
                         "progress": False, "teaching_warnings": False}]
        assert 0 < line["wall_time"] <= elapsed + 1e-4
        assert line["val_metric"] == curve[-1] and line["metric"] == problem.metric
        assert line["test_metric"] == trainer.evaluate(X_test, y_test)[problem.metric]
        assert line["epochs_to_target"] == runs.first_epoch_reaching(curve, problem.target)
        assert line["diverged"] is None and line["tinynet"] == tn.__version__
        assert 0 < line["wall_time"] < 60 and line["wall_time"] == round(line["wall_time"], 4)
        assert set(line) == {"problem", "optimizer", "lr", "seed", "phase", "budget", "key",
                             "hyperparameters", "metric", "val_metric", "test_metric",
                             "epochs_to_target", "diverged", "wall_time", "tinynet"}


def test_a_diverged_run_has_no_metrics():
    line = execute(Run("diabetes", "sgd", 1e6, 0, "tune", "quick"))
    assert line["diverged"] == 1 and line["val_metric"] is None
    assert line["test_metric"] is None and line["epochs_to_target"] is None



def test_a_run_that_diverges_later_keeps_its_epochs_but_has_no_final_metric(monkeypatch):
    import tinynet as tn
    from tinynet.guard import DivergenceError

    class DivergesInEpoch3(tn.Trainer):
        def fit(self, X, y, epochs, **kwargs):
            super().fit(X, y, epochs=2, **kwargs)  # two good epochs, then a blow-up
            raise DivergenceError("loss is nan", epoch=3, step=1, global_step=1, layer=None)

    monkeypatch.setattr(runs, "Trainer", DivergesInEpoch3)
    line = execute(Run("breast_cancer", "adam", 0.01, 0, "tune", "quick"))
    assert line["diverged"] == 3 and line["val_metric"] is None and line["test_metric"] is None


def test_each_problem_is_the_data_and_model_its_row_says():
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    import tinynet as tn

    sources = {"moons": "moons", "circles": "circles", "digits": "digits",
               "breast_cancer": "breast_cancer", "diabetes": "diabetes",
               "deep_narrow": "moons"}
    X, y = make_classification(n_samples=1500, n_features=20, n_informative=10,
                               random_state=0)
    for name, problem in SUITE.items():
        if name == "ill_conditioned":
            expected = train_test_split(X * np.logspace(-3, 3, 20), y, test_size=0.25,
                                        stratify=y, random_state=0)
        else:
            expected = tn.datasets.load(sources[name], test_size=0.25, seed=0)
        assert all(np.array_equal(a, b) for a, b in zip(problem.load(), expected)), name
        head = "identity" if problem.task == "regression" else None
        built = tn.mlp(list(problem.sizes), activation=problem.activation, seed=7, head=head)
        model = problem.model(7)
        assert [type(x).__name__ for x in model.layers] == [
            type(x).__name__ for x in built.layers], name
        assert all(np.array_equal(a, built.arrays()[k]) for k, a in model.arrays().items())
        assert model.head == built.head, name  # a regression predicts values
    assert type(SUITE["diabetes"].model(0).layers[-1]).__name__ == "Dense"  # no activation


def test_the_table_and_the_performance_profile(assert_figure, tmp_path):
    def final(p, o, seed, test, epochs):
        return {"phase": "final", "problem": p, "optimizer": o, "lr": 0.01, "seed": seed,
                "test_metric": test, "epochs_to_target": epochs}

    results = [final("p", "a", 0, 0.25, 2), final("p", "a", 1, 0.75, 4), final("p", "a", 2, None,
                                                                               None),
               final("p", "b", 0, None, None), final("q", "a", 0, 0.9, None),
               final("q", "b", 0, 0.8, 3), final("p", "c", 0, 0.1, 8), final("q", "c", 0, 0.1, 3)]
    cells = report.table(results, ["p", "q"], ["a", "b", "c"])
    assert cells["p", "a"] == {"lr": 0.01, "mean": -math.inf, "std": 0.25, "epochs": 4.0}
    assert cells["p", "b"] == {"lr": 0.01, "mean": -math.inf, "std": 0.0, "epochs": math.inf}
    assert cells["q", "a"]["std"] == 0.0 and cells["q", "a"]["mean"] == 0.9
    shares = report.shares(results, ["p", "q"], ["a", "b", "c"], taus=[1, 1.5, 2, 4])
    # p: a 4 epochs (fastest), c 8, b never; q: b and c 3, a never
    assert shares["a"].tolist() == [0.5, 0.5, 0.5, 0.5]
    assert shares["b"].tolist() == [0.5, 0.5, 0.5, 0.5]
    assert shares["c"].tolist() == [0.5, 0.5, 1.0, 1.0]
    fig = report.profile(results, ["p", "q"], ["a", "b", "c"], tmp_path / "profile.png")
    assert_figure(tmp_path / "profile.png")
    ax, = fig.axes
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b", "c"]
    assert all(line.get_drawstyle() == "steps-post" for line in ax.get_lines())
    x, y = ax.get_lines()[2].get_data()
    assert np.array_equal(x, report.TAUS) and np.array_equal(
        y, report.shares(results, ["p", "q"], ["a", "b", "c"])["c"])
    assert ax.get_xscale() == "log" and ax.get_ylim() == (0, 1.02)
    assert ax.xaxis.get_transform().base == 2
    assert ax.get_xlabel() == "tau: epochs to target, as a multiple of the fastest optimizer's"
    assert ax.get_ylabel() == "share of problems"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]
    assert tuple(fig.get_size_inches()) == (6, 4)
