"""The command line: the README's main job, and one-line errors with exit status 2."""

import inspect
import re
import subprocess
import sys

import numpy as np
import pytest

import tinynet as tn
from tinynet.cli import main


def run(*args):
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}  # this tree's tinynet
    return subprocess.run([sys.executable, "-m", "tinynet", *args], capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.mark.slow
def test_default_train_is_digits_rmsprop_and_reaches_95_percent(capsys):
    assert main(["train", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "digits" in out and "64-128-64-10" in out
    assert "RMSProp(lr=0.001, rho=0.9, eps=1e-08" in out
    test_acc = float(re.search(r"test accuracy:\s+([\d.]+)", out).group(1))
    train_acc = float(re.search(r"train accuracy:\s+([\d.]+)", out).group(1))
    assert test_acc >= 0.95 and train_acc >= test_acc


def test_options_and_save(tmp_path, capsys):
    path = tmp_path / "moons.npz"
    code = main(["train", "--dataset", "moons", "--hidden", "16,16", "--activation", "tanh",
                 "--optimizer", "sgd", "--lr", "0.1", "--epochs", "5", "--batch-size", "16",
                 "--seed", "3", "--save", str(path), "--no-progress"])
    assert code == 0
    out = capsys.readouterr().out
    assert "MLP 2-16-16-2 tanh, SoftmaxCrossEntropy(), SGD(lr=0.1" in out and "saved model" in out
    model = tn.Sequential.load(path)
    X_train, X_test, y_train, y_test = tn.datasets.load("moons", seed=3)
    acc = float(re.search(r"test accuracy:\s+([\d.]+)", out).group(1))
    assert np.mean(model.predict(X_test) == y_test) == pytest.approx(acc, abs=1e-4)


@pytest.mark.parametrize("args, fragment", [
    (["train", "--epochs", "0"], "--epochs: must be > 0"),
    (["train", "--hidden", "12,x"], "comma-separated layer widths"),
    (["train", "--optimizer", "adamm"], "invalid choice: 'adamm' (choose from 'adadelta', "),
    (["train", "--dataset", "mnist"], "unknown dataset 'mnist'"),
    (["train", "--optimizer", "sgd", "--rho", "0.9"], "no hyperparameter(s) ['rho']"),
    (["train", "--rho", "1.5"], "rho must be < 1"),
    (["train", "--lr", "abc"], "expected a number"),
    (["train", "--save", "/no/such/dir/m.npz", "--epochs", "1"], "does not exist"),
    (["fly"], "invalid choice"),
])
def test_bad_arguments_exit_2_with_one_line(args, fragment):
    result = run(*args, "--no-progress") if args[0] == "train" else run(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize("args, fragment", [
    (["train", "--epochs", "0", "--no-progress"], "--epochs: must be > 0"),
    (["train", "--optimizer", "adamm"], "'rmsprop', 'sgd'); did you mean 'adam'?"),
    (["train", "--rho", "1.5"], "rho must be < 1"),
    (["train", "--save", "/no/such/dir/m.npz", "--epochs", "1"], "does not exist"),
    (["fly"], "invalid choice"),
])
def test_bad_arguments_in_process_exit_2_with_one_line(args, fragment, capsys):
    try:
        code = main(args)
    except SystemExit as stop:  # argparse's own checks end the process
        code = stop.code
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]


def test_an_argument_error_says_where_to_read_more(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train", "--epochs", "0"])
    assert stop.value.code == 2
    assert capsys.readouterr().err == ("tinynet train: error: argument --epochs: must be > 0, "
                                       "got '0' (see tinynet train --help)\n")


def test_a_reader_that_goes_away_ends_the_command_quietly_with_141(monkeypatch, capsys):
    """``tinynet explain ... | head -1``: stdout's pipe closes; exit 128 + SIGPIPE, and
    stdout is pointed at /dev/null so that Python's last flush cannot fail again."""
    import io
    import os

    read_end, write_end = os.pipe()

    class ClosedPipe(io.TextIOBase):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            return write_end

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    try:
        assert main(["explain", "rmsprop"]) == 141
        assert os.path.samestat(os.fstat(write_end), os.stat(os.devnull))
    finally:
        os.close(read_end)
        os.close(write_end)
    assert capsys.readouterr().err == ""


def test_the_playground_command_opens_the_page_and_stops_on_ctrl_c(monkeypatch, capsys):
    from tinynet.playground.server import Playground

    opened, closed = [], []

    def serve_until_ctrl_c(self):
        raise KeyboardInterrupt

    real_close = Playground.server_close
    monkeypatch.setattr(Playground, "serve_forever", serve_until_ctrl_c)
    monkeypatch.setattr(Playground, "server_close",
                        lambda self: (closed.append(self.url), real_close(self)))
    monkeypatch.setattr("webbrowser.open", opened.append)
    assert main(["playground", "--port", "0"]) == 0
    out = capsys.readouterr().out.splitlines()
    url = re.fullmatch(r"tinynet playground at (http://127\.0\.0\.1:\d+/) \(127\.0\.0\.1 "
                       r"only\); Ctrl-C stops it", out[0]).group(1)
    assert out[1:] == ["playground stopped"] and opened == [url] and closed == [url]
    assert main(["playground", "--port", "0", "--no-browser"]) == 0
    assert opened == [url] and len(closed) == 2  # no browser this time; closed all the same
    capsys.readouterr()
    code = main(["playground", "--port", "0", "--no-browser", "--import",
                 str(ROOT / "examples" / "custom_optimizer.py")])
    assert code == 0 and "adabelief" in tn.optimizers.available()


def test_help_explains_each_option():
    result = run("train", "--help")
    assert result.returncode == 0
    for option in ("--dataset", "--hidden", "--activation", "--optimizer", "--lr", "--rho",
                   "--eps", "--epochs", "--batch-size", "--seed", "--save", "--no-progress"):
        assert option in result.stdout


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def test_user_optimizer_via_import(capsys):
    code = main(["train", "--import", str(ROOT / "examples" / "custom_optimizer.py"),
                 "--optimizer", "adabelief", "--lr", "0.002", "--epochs", "2", "--no-progress"])
    assert code == 0
    assert "AdaBelief(lr=0.002" in capsys.readouterr().out


def test_optimizer_hyperparameter_flags(capsys):
    code = main(["train", "--dataset", "iris", "--optimizer", "rmsprop", "--param",
                 "centered=true", "--momentum", "0.5", "--weight-decay", "0.001", "--epochs", "2",
                 "--no-progress"])
    assert code == 0
    assert "centered=True, momentum=0.5, eps_inside=False, weight_decay=0.001" in \
        capsys.readouterr().out


@pytest.mark.parametrize("args, fragment", [
    (["--import", "no_such_module_xyz"], "cannot import 'no_such_module_xyz'"),
    (["--import", "missing.py"], "no such file missing.py"),
    (["--param", "centered=maybe"], "expected a number or true/false"),
    (["--param", "=3"], "expected NAME=VALUE"),
    (["--optimizer", "adam", "--beta1", "1.5"], "beta1 must be < 1"),
])
def test_bad_optimizer_options(args, fragment):
    result = run("train", *args, "--no-progress")
    assert result.returncode == 2 and fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("field, value, message", [
    ("seed", 2**32, "seed must be <= 4294967295, got 4294967296"),  # numpy's seed range
    ("seed", -1, "seed must be >= 0, got -1"),
    ("seed", 1.5, "seed must be an integer, got 1.5"),
    ("epochs", 10**9 + 1, "epochs must be <= 1000000000, got 1000000001"),
    ("epochs", 0, "epochs must be >= 1, got 0"),
    ("validation_split", 1.0, "validation_split must be < 1.0, got 1.0"),
    ("validation_split", -0.1, "validation_split must be >= 0.0, got -0.1"),
    ("validation_split", "x", "validation_split must be a number, got 'x' (str)"),
    ("label", 3, "'label' must be a column name or null, got 3"),
    ("task", "regresion", "'task' must be 'classification', 'regression' or null, got "
     "'regresion'"),
    ("header", "yes", "'header' must be true or false, got 'yes'"),
])
def test_a_checkpoints_run_settings_are_checked_one_by_one(field, value, message):
    from tinynet.train_cli import OPTIONAL_RUN, saved_run

    run = {"source": "digits", "seed": 2**32 - 1, "epochs": 10**9}
    assert saved_run("run.npz", dict(run)) == {**OPTIONAL_RUN, **run}  # the largest allowed
    given = {**run, "label": "kind", "task": "regression", "header": False,
             "validation_split": 0.0}
    assert saved_run("run.npz", dict(given)) == given
    assert saved_run("run.npz", {**run, "task": "classification"})["task"] == "classification"
    with pytest.raises(ValueError, match=re.escape(f"run.npz: its run setting {message}")):
        saved_run("run.npz", {**run, field: value})


def test_the_playground_listens_on_port_8000_unless_told():
    from tinynet.cli import build_parser

    assert build_parser().parse_args(["playground"]).port == 8000
    assert build_parser().parse_args(["playground", "--port", "0"]).port == 0


def test_tinynet_train_builds_by_default_a_128_64_relu_mlp_with_rmsprop_batches_of_32():
    from tinynet.cli import build_parser
    from tinynet.train_cli import new_trainer

    digits = tn.datasets.load("digits", seed=0)
    trainer = new_trainer(build_parser().parse_args(["train"]), digits)
    model = trainer.model
    assert [d.n_in for d in model.dense_layers] + [model.n_outputs] == [64, 128, 64, 10]
    assert {type(x).__name__ for x in model.layers} == {"Dense", "ReLU"}
    assert model.head == "softmax" and isinstance(trainer.loss, tn.SoftmaxCrossEntropy)
    reference = tn.mlp([64, 128, 64, 10], seed=0)
    assert all(np.array_equal(a, reference.arrays()[k]) for k, a in model.arrays().items())
    assert type(trainer.optimizer) is tn.optimizers.RMSProp
    assert (trainer.batch_size, trainer.seed, trainer.progress) == (32, 0, True)
    quiet = new_trainer(build_parser().parse_args(["train", "--no-progress", "--seed", "3",
                                                   "--batch-size", "8"]), digits)
    assert (quiet.batch_size, quiet.seed, quiet.progress) == (8, 3, False)
    seeded = tn.mlp([64, 128, 64, 10], seed=3)
    assert np.array_equal(quiet.model.arrays()["W/1"], seeded.arrays()["W/1"])
    diabetes = tn.datasets.load("diabetes", seed=0)
    reg = new_trainer(build_parser().parse_args(["train", "--dataset", "diabetes"]), diabetes)
    assert [d.n_out for d in reg.model.dense_layers] == [16, 1]  # small: it generalises
    assert reg.model.head == "identity" and isinstance(reg.loss, tn.MSE)


def test_only_the_optimizer_options_given_are_passed_on(monkeypatch):
    import argparse

    from tinynet.commands import given_hyperparams

    class Gamma(tn.optimizers.SGD):
        def __init__(self, lr: float = 0.01, gamma: float = 0.5):
            super().__init__(lr=lr)
            self.gamma = gamma

    tn.optimizers.register("gamma_sgd", Gamma)  # registered after the parser was built
    args = argparse.Namespace(lr=0.1, rho=None, param=[("centered", True)])
    assert given_hyperparams(args) == {"lr": 0.1, "centered": True}


def stated_defaults() -> dict:
    """(command, option) -> the default its --help text states, for every option that says."""
    from tinynet.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    stated = {}
    for name, sub in commands.choices.items():
        for action in sub._actions:
            help_text = (action.help or "") % {"default": action.default}
            found = re.search(r"default: (.*?)(?:,? the article's| for every|;|\)|$)",
                              help_text)
            if found:
                stated[name, action.dest] = (found.group(1), action.default)
    return stated


def test_every_default_an_options_help_states_is_the_one_argparse_uses():
    stated = stated_defaults()
    assert len(stated) > 30
    for (command, dest), (text, default) in stated.items():
        if default is None:
            continue  # the command picks it: checked by the next test
        if isinstance(default, list) and dest == "lrs":  # summarised: 1e-4,3e-4,...,0.3,1
            first, second, *_, last2, last = text.split(",")
            assert [float(x) for x in (first, second, last2, last)] == [
                default[0], default[1], default[-2], default[-1]]
        elif isinstance(default, list):
            assert text == ",".join(map(str, default)), (command, dest)
        else:
            assert text == str(default), (command, dest)


def test_every_default_a_command_picks_is_the_one_its_help_states(monkeypatch, capsys):
    from tinynet.cli import build_parser
    from tinynet.commands import EXPLAIN_DEFAULTS
    from tinynet.train_cli import new_trainer

    stated = {key: text for key, (text, default) in stated_defaults().items() if default is None}
    seen = {}

    def record_fit(self, X, y, epochs, **kwargs):
        seen["epochs"], seen["n_features"] = epochs, X.shape[1]
        return self.history

    monkeypatch.setattr(tn.Trainer, "fit", record_fit)
    assert main(["train", "--no-progress"]) == 0
    assert seen == {"epochs": int(stated["train", "epochs"]), "n_features": 64}  # digits
    assert stated["train", "dataset"] == "digits"
    trainer = new_trainer(build_parser().parse_args(["train"]), tn.datasets.load("digits"))
    assert [d.n_out for d in trainer.model.dense_layers][:-1] == [
        int(w) for w in stated["train", "hidden"].split(",")]
    assert type(trainer.model.layers[1]).__name__.lower() == stated["train", "activation"]
    assert trainer.optimizer.name == stated["train", "optimizer"]
    assert trainer.batch_size == int(stated["train", "batch_size"])
    assert trainer.seed == int(stated["train", "seed"])
    for (command, dest), text in stated.items():
        if command == "explain" and dest in EXPLAIN_DEFAULTS:
            assert float(text) == EXPLAIN_DEFAULTS[dest]
        elif text[0].isupper():  # "Adam 0.9, AdaMax 0.9, ...": each optimizer's own
            for pair in text.split(", "):
                cls, value = pair.rsplit(" ", 1)
                opt = next(c for c in map(tn.optimizers.lookup, tn.optimizers.available())
                           if c.__name__ == cls)
                assert str(inspect.signature(opt.__init__).parameters[dest].default) == value


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as stop:
        main([])
    assert stop.value.code == 2
    assert capsys.readouterr().err == ("tinynet: error: the following arguments are required: "
                                       "COMMAND (see tinynet --help)\n")


def test_the_choices_are_the_registries(capsys):
    from tinynet.cli import build_parser
    from tinynet.explain_backprop import LOSS_TEXT
    from tinynet.layers import ACTIVATIONS
    from tinynet.surfaces import SURFACES

    parser = build_parser()
    for name in ACTIVATIONS:
        assert parser.parse_args(["train", "--activation", name]).activation == name
        assert parser.parse_args(["explain", "backprop", "--activation", name]).activation == name
    for name in SURFACES:
        assert parser.parse_args(["compare", "--surface", name]).surface == name
    for name in LOSS_TEXT:
        assert parser.parse_args(["explain", "backprop", "--loss", name]).loss == name
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "--activation", "gelu"])
    err = capsys.readouterr().err  # Python versions differ in quoting the choices
    assert "invalid choice: 'gelu' (choose from " in err
    assert all(name in err.split("choose from ")[1] for name in ACTIVATIONS)


def test_a_learning_rate_must_be_positive_and_other_options_keep_their_type(capsys):
    from tinynet.cli import build_parser

    with pytest.raises(SystemExit):
        main(["train", "--lr", "0"])
    assert "argument --lr: must be > 0, got '0'" in capsys.readouterr().err
    args = build_parser().parse_args(["train", "--weight-decay", "0.5", "--centered",
                                      "--beta1", "0.8", "--no-nesterov"])
    assert (args.weight_decay, args.centered, args.beta1) == (0.5, True, 0.8)
    assert args.nesterov is False and args.amsgrad is None  # a switch not given: None
    assert args.lr is None and args.rho is None  # not given: each optimizer's own default


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_error_itself_given_before_or_after_the_command(where):
    args = ["train", "--rho", "1.5"]
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    with pytest.raises(ValueError, match="rho must be < 1"):
        main(args)


def test_stdout_is_line_buffered_so_a_reader_sees_each_line_now(monkeypatch, capsys):
    calls = []

    class Terminal:
        def reconfigure(self, **kwargs):
            calls.append(kwargs)

        def write(self, text):
            return len(text)

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", Terminal())
    assert main(["explain", "sgd"]) == 0
    assert calls == [{"line_buffering": True}]


@pytest.mark.parametrize("error, said, code", [
    (ValueError(""), "tinynet train: error: ValueError (--debug shows the traceback)", 2),
    (ValueError("bad\n  thing"), "tinynet train: error: bad thing (--debug shows the traceback)",
     2),
    (MemoryError("x"), "tinynet train: error: not enough memory (x): try smaller --hidden, "
     "--batch-size or data (--debug shows the traceback)", 2),
    (KeyboardInterrupt(), "tinynet train: interrupted", 130),
])
def test_how_a_failing_command_ends(monkeypatch, capsys, error, said, code):
    from tinynet import train_cli

    def fail(args):
        raise error

    monkeypatch.setattr(train_cli, "cmd_train", fail)
    assert main(["train"]) == code
    captured = capsys.readouterr()
    assert captured.err == said + "\n" and captured.out == ""


def test_train_says_what_it_trains_how_far_and_how_well(tmp_path, capsys):
    args = ["train", "--dataset", "iris", "--epochs", "2", "--hidden", "4", "--no-progress",
            "--save", str(tmp_path / "m.npz"), "--history", str(tmp_path / "h.csv"),
            "--checkpoint", str(tmp_path / "run.npz")]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    opt = repr(tn.optimizers.RMSProp())
    assert lines[0] == (f"tinynet: iris (120 train, 30 test, classification), MLP 4-4-3 relu, "
                        f"SoftmaxCrossEntropy(), {opt}")
    assert re.fullmatch(r"trained to epoch 2 in \d+\.\d s", lines[1])
    model = tn.Sequential.load(tmp_path / "m.npz")
    X_train, X_test, y_train, y_test = tn.datasets.load("iris", seed=0)
    assert lines[2] == f"train accuracy: {np.mean(model.predict(X_train) == y_train):.4f}"
    assert lines[3] == f"test accuracy:  {np.mean(model.predict(X_test) == y_test):.4f}"
    assert lines[4:] == [f"wrote history to {tmp_path / 'h.csv'}",
                         f"saved model to {tmp_path / 'm.npz'}"]
    assert (tmp_path / "h.csv").read_text().startswith("epoch,loss,accuracy,lr\n1,")
    assert main(["train", "--resume", str(tmp_path / "run.npz"), "--epochs", "3",
                 "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == f"resuming {tmp_path / 'run.npz'} at epoch 2 of 3"
    assert lines[2].startswith("trained to epoch 3 in ")
    assert tn.Trainer.load_checkpoint(tmp_path / "run.npz").epoch == 3  # it went on saving
    assert main(["train", "--resume", str(tmp_path / "run.npz"), "--no-progress"]) == 0
    assert "trained to epoch 3 in " in capsys.readouterr().out  # its own 2 epochs: done


def test_train_reports_r2_for_regression(capsys):
    assert main(["train", "--dataset", "diabetes", "--epochs", "1", "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("tinynet: diabetes (353 train, 89 test, regression), "
                               "MLP 10-16-1 relu, ")
    assert lines[2].startswith("train R²: ") and lines[3].startswith("test R²:  ")


@pytest.mark.parametrize("checkpointed", [False, True])
def test_ctrl_c_in_train_says_what_was_kept(monkeypatch, tmp_path, capsys, checkpointed):
    real_fit = tn.Trainer.fit

    def one_epoch_then_ctrl_c(self, X, y, epochs, **kwargs):
        history = real_fit(self, X, y, epochs=1, **kwargs)
        history.interrupted = True
        return history

    monkeypatch.setattr(tn.Trainer, "fit", one_epoch_then_ctrl_c)
    args = ["train", "--dataset", "iris", "--hidden", "4", "--no-progress",
            "--save", str(tmp_path / "m.npz")]
    args += ["--checkpoint", str(tmp_path / "run.npz")] if checkpointed else []
    assert main(args) == 130
    err = capsys.readouterr().err.splitlines()
    kept = f"{tmp_path / 'run.npz'} holds epoch 1" if checkpointed else "nothing was saved"
    assert err == [f"interrupted during epoch 2: {kept}; --save and --history were not written",
                   "tinynet train: interrupted"]
    assert not (tmp_path / "m.npz").exists()


def test_resume_and_checkpoint_may_name_the_same_file_but_save_may_not(tmp_path, capsys):
    run = str(tmp_path / "run.npz")
    assert main(["train", "--dataset", "iris", "--epochs", "1", "--hidden", "4",
                 "--no-progress", "--checkpoint", run]) == 0
    assert main(["train", "--resume", run, "--checkpoint", run, "--epochs", "2",
                 "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", run, "--save", run, "--no-progress"]) == 2
    assert "--resume and --save name the same file" in capsys.readouterr().err
    assert main(["train", "--resume", run, "--param", "centered=true", "--no-progress"]) == 2
    assert capsys.readouterr().err.startswith(
        "tinynet train: error: --resume continues the saved run as it was; --param cannot "
        "change it")


def test_the_bar_over_compares_runs_counts_runs_on_a_terminal_only(monkeypatch):
    import tqdm.auto

    from tinynet.commands import runs_bar

    made = []
    monkeypatch.setattr(tqdm.auto, "tqdm", lambda **kwargs: made.append(kwargs))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    runs_bar(3, hidden=False)
    runs_bar(3, hidden=True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    runs_bar(3, hidden=False)
    assert made[0] == {"total": 3, "unit": "run", "desc": "training", "leave": False,
                       "disable": False}
    assert [m["disable"] for m in made] == [False, True, True]


def test_compare_on_a_dataset_prints_its_setup_the_grid_and_the_table(monkeypatch, capsys,
                                                                      tmp_path):
    from tinynet import plots

    drawn = []
    monkeypatch.setattr(plots, "plot_comparison",
                        lambda entries, path, title: drawn.append((len(entries), path, title)))
    monkeypatch.setattr(plots, "have_matplotlib", lambda: True)
    png = str(tmp_path / "c.png")
    assert main(["compare", "--dataset", "iris", "--epochs", "1", "--hidden", "4", "--lrs",
                 "0.01,0.1", "--seeds", "2", "--seed", "1", "--optimizers", "sgd,adam",
                 "--no-progress", "--plot", png]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("iris: 96 train / 24 validation (from the training data) / 30 test, "
                        "MLP 4-4-3, 1 epochs, batch 32, seeds 1, 2")
    assert lines[1] == ("learning rate: each optimizer's best on the grid 0.01, 0.1 (lowest "
                        "final validation loss, seed 1)")
    assert lines[2] == ("12 training runs: per optimizer, 2 rates x 2 (each also from weights "
                        "nudged in the last bit, to find erratic rates), then 2 at its rate")
    assert lines[3:5] == ["", "final validation loss per learning rate (* the one chosen)"]
    assert lines[5].split() == ["lr", "SGD", "Adam"]
    at = lines.index("at the chosen rates (mean ± standard deviation over the seeds)")
    assert lines[at + 1].split()[0] == "optimizer" and "±" in lines[at + 3]
    assert lines[-2:] == ["identical initial weights and batch order for every optimizer "
                          "(per seed): yes", f"saved plot to {png}"]
    assert drawn == [(2, png, "iris")]
    data = tn.datasets.load("iris", seed=1)
    split = tn.compare.three_way(data, seed=1)
    assert lines[0].startswith(f"iris: {len(split.X_train)} train")  # the split of --seed 1


def test_compare_at_one_rate_and_one_seed_says_so(capsys):
    assert main(["compare", "--dataset", "iris", "--epochs", "1", "--hidden", "4", "--lr",
                 "0.1", "--seeds", "1", "--optimizers", "sgd", "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:3] == ["one fixed learning rate for every optimizer: lr = 0.1 (not tuned)",
                          "1 training runs (1 per optimizer)"]
    assert "" not in lines[:3] and lines[3] == "" and lines[4] == "at the chosen rates"
    assert "final validation loss per learning rate" not in "\n".join(lines)


def test_the_defaults_no_help_line_states():
    from tinynet.cli import build_parser

    parser = build_parser()
    compare_args = parser.parse_args(["compare"])
    assert (compare_args.batch_size, compare_args.hidden, compare_args.target,
            compare_args.seed, compare_args.optimizers) == (32, [128, 64], 0.95, 0,
                                                           "sgd,momentum,rmsprop,adam")
    assert parser.parse_args(["compare", "--steps", "1000000"]).steps == 1000000
    assert parser.parse_args(["compare", "--seed", "7", "--batch-size", "8"]).seed == 7
    backprop = parser.parse_args(["explain", "backprop"])
    assert (backprop.activation, backprop.loss, backprop.seed, backprop.sizes) == (
        "relu", "softmax_cross_entropy", 0, [2, 3, 2])
    explain = parser.parse_args(["explain", "adam", "--param", "amsgrad=true", "--param",
                                 "beta1=0.8"])
    assert explain.param == [("amsgrad", True), ("beta1", 0.8)]
    with pytest.raises(SystemExit):
        parser.parse_args(["compare", "--batch-size", "0"])


def test_compare_passes_its_settings_on(monkeypatch, capsys, tmp_path):
    from tinynet import commands, compare, datasets

    seen = {}
    real_load, real_three_way = datasets.load, compare.three_way

    def load(name, seed, **csv_options):
        seen["load"] = (name, seed, csv_options)
        return real_load("iris", seed=seed)

    def three_way(data, seed):
        seen["three_way"] = seed
        return real_three_way(data, seed=seed)

    def compare_on_data(make_model, data, names, **kw):
        seen["kw"] = {k: v for k, v in kw.items() if k != "on_run"}
        seen["weights"] = [make_model(s).arrays()["W/1"] for s in (0, 1)]
        kw["on_run"](5)
        return [compare.Entry("SGD", 0.1, False, runs=[made_up_run()])]

    monkeypatch.setattr(datasets, "load", load)
    monkeypatch.setattr(compare, "three_way", three_way)
    monkeypatch.setattr(compare, "compare_on_data", compare_on_data)
    monkeypatch.setattr(compare, "identical_conditions", lambda runs: False)
    updates = []

    class Bar:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            updates.append(n)

    monkeypatch.setattr(commands, "runs_bar", lambda total, hidden: Bar())
    from tinynet import plots

    monkeypatch.setattr(plots, "plot_comparison",
                        lambda entries, path, title: seen.update(plot=(path, title)))
    assert main(["compare", "--lr", "0.1", "--seed", "2", "--seeds", "2", "--epochs", "3",
                 "--target", "0.5", "--hidden", "4", "--plot", str(tmp_path / "cmp.png"),
                 "--jobs", "2"]) == 0
    assert seen["plot"] == (str(tmp_path / "cmp.png"), "digits")
    assert seen["load"] == ("digits", 2, {"label": None, "task": None, "header": True})
    assert seen["three_way"] == 2  # digits by default
    assert seen["kw"] == {"epochs": 3, "batch_size": 32, "seeds": (2, 3), "lr": 0.1,
                          "grid": list(tn.compare.LR_GRID), "target": 0.5, "jobs": 2,
                          "imports": ()}
    assert not np.array_equal(*seen["weights"])  # one model per seed
    assert updates == [5]
    out = capsys.readouterr().out
    assert out.startswith("digits: ") and out.rstrip().endswith(
        "identical initial weights and batch order for every optimizer (per seed): NO\n"
        f"saved plot to {tmp_path / 'cmp.png'}")


def made_up_run():
    return tn.compare.Result("SGD", None, history={"loss": [1.0], "val_loss": [1.0],
                                                   "val_accuracy": [0.5]},
                             test={"accuracy": 0.5, "loss": 1.0})


def test_train_keeps_its_run_settings_and_resumes_a_finished_run_without_training(
        tmp_path, capsys):
    run = str(tmp_path / "run.npz")
    assert main(["train", "--dataset", "iris", "--epochs", "2", "--hidden", "4",
                 "--no-progress", "--checkpoint", run]) == 0
    kept = tn.Trainer.load_checkpoint(run)
    assert kept.checkpoint_extra == {"source": "iris", "seed": 0, "epochs": 2, "label": None,
                                     "task": None, "header": True, "validation_split": 0.0}
    out = capsys.readouterr().out
    assert float(re.search(r"trained to epoch 2 in ([\d.]+) s", out).group(1)) < 60
    assert main(["train", "--resume", run, "--epochs", "2", "--no-progress"]) == 0
    assert "trained to epoch 2 in " in capsys.readouterr().out  # nothing left to train
    assert tn.Trainer.load_checkpoint(run).epoch == 2


def test_import_takes_a_module_name_too(capsys):
    assert main(["explain", "sgd", "--import", "json"]) == 0


def test_a_resumed_model_without_hidden_layers_names_no_activation(tmp_path, capsys):
    X, _, y, _ = tn.datasets.load("iris", seed=0)
    trainer = tn.Trainer(tn.mlp([4, 3]), tn.SoftmaxCrossEntropy(), "sgd", progress=False)
    trainer.fit(X, y, epochs=1)
    trainer.save_checkpoint(tmp_path / "run.npz",
                            extra={"source": "iris", "seed": 0, "epochs": 2})
    assert main(["train", "--resume", str(tmp_path / "run.npz"), "--no-progress"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("tinynet: iris (120 train, 30 test, classification), MLP 4-3, "
                            "SoftmaxCrossEntropy(), SGD(")
