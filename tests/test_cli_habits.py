"""The command line as people coming from other tools use it: their own CSV files (the
label said, never guessed), every registered optimizer and loss, switches, a validation
split, early stopping, and typos that get the closest real option."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinynet as tn
from tinynet.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
QUICK = ["--epochs", "1", "--hidden", "4", "--no-progress"]


def run(*args):
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}  # this tree's tinynet
    return subprocess.run([sys.executable, "-m", "tinynet", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def exits_2(capsys, args) -> str:
    """Run in this process; the one line on stderr of a command that ends with status 2."""
    try:
        code = main(args)
    except SystemExit as stop:  # argparse's own checks
        code = stop.code
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def points(tmp_path, header, label_of, name="d.csv", n=40):
    """A CSV of n two-feature samples; ``label_of(i, x1, x2)`` gives the label cells."""
    rng = np.random.default_rng(0)
    rows = [header] if header else []
    for i in range(n):
        x1, x2 = rng.normal(size=2).round(3)
        rows.append(f"{x1},{x2},{label_of(i, x1, x2)}")
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n")
    return path


# ----- 1.-4. CSV files on the command line --------------------------------------------------

def test_a_file_without_a_label_column_is_refused_and_nothing_is_written(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    path.write_text("lable,x1,x2\n" + "".join(f"{i % 2},{i},{i * i % 7}\n" for i in range(20)))
    outputs = [tmp_path / "m.npz", tmp_path / "h.csv", tmp_path / "run.npz"]
    line = exits_2(capsys, ["train", "--data", str(path), "--save", str(outputs[0]),
                            "--history", str(outputs[1]), "--checkpoint", str(outputs[2]),
                            "--no-progress"])
    assert line.startswith(f"tinynet train: error: {path}: which column is the label? None is "
                           "named label, target, class or y (columns: lable, x1, x2); choose "
                           "it with --label NAME")
    assert not any(p.exists() for p in outputs)
    assert main(["train", "--data", str(path), "--label", "lable", *QUICK]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"tinynet: {path} (16 train, 4 test, classification), MLP 2-4-2")
    assert lines[1] == ("label 'lable' (chosen): 2 classes: 0, 1 (integer values; --task "
                        "regression if they are quantities)")


def test_a_stray_fraction_is_refused_until_the_task_is_given(tmp_path, capsys):
    path = points(tmp_path, "x1,x2,label", lambda i, a, b: "0.5" if i in (7, 8) else i % 3)
    line = exits_2(capsys, ["train", "--data", str(path), *QUICK])
    assert f"{path}, line 9: label 0.5 in column 'label' is not an integer, unlike 38 of" in line
    assert main(["train", "--data", str(path), "--task", "regression", *QUICK]) == 0
    out = capsys.readouterr().out
    assert "regression), MLP 2-4-1 relu, MSE()" in out and "test R²:" in out
    assert "label 'label' (its name): regression (--task/task= given)" in out
    assert main(["train", "--data", str(path), "--task", "classification", *QUICK]) == 0
    assert "MLP 2-4-4 relu" in capsys.readouterr().out  # 0, 0.5, 1, 2: four classes


def test_a_regression_file_says_it_is_one_and_why(tmp_path, capsys):
    path = points(tmp_path, "x1,x2,y", lambda i, a, b: round(a + 2 * b, 3))
    assert main(["train", "--data", str(path), *QUICK]) == 0
    first = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("label"))
    assert re.fullmatch(r"label 'y' \(its name\): regression \(non-integer values, e\.g\. "
                        r"-?[\d.]+ on line 2\)", first)


def test_one_hot_labels_are_decoded_on_the_command_line(tmp_path, capsys):
    path = points(tmp_path, "x1,x2,label_0,label_1",
                  lambda i, a, b: "1,0" if a + b > 0 else "0,1")
    assert main(["train", "--data", str(path), *QUICK]) == 0
    out = capsys.readouterr().out
    assert "classification), MLP 2-4-2 relu" in out  # two features: x1, x2
    assert "label 'label' (one-hot columns label_0, label_1): 2 classes: 0, 1 (one-hot)" in out


def test_a_headerless_file_is_refused_or_read_whole_with_no_header(tmp_path, capsys):
    path = points(tmp_path, None, lambda i, a, b: int(a > b))
    line = exits_2(capsys, ["train", "--data", str(path), *QUICK])
    assert "line 1: the first row looks like data, not a header" in line
    assert "pass --no-header (header=False)" in line
    assert main(["train", "--data", str(path), "--no-header", *QUICK]) == 0
    out = capsys.readouterr().out
    assert "(32 train, 8 test, classification)" in out  # all 40 rows kept
    assert "label 'x3' (the last column: the file has no header)" in out


def test_compare_reads_a_csv_with_the_same_options(tmp_path, capsys):
    path = points(tmp_path, "x1,x2,kind", lambda i, a, b: "ab"[int(a > b)], n=60)
    line = exits_2(capsys, ["compare", "--dataset", str(path), "--no-progress"])
    assert "which column is the label?" in line
    assert main(["compare", "--dataset", str(path), "--label", "kind", "--optimizers", "sgd",
                 "--lr", "0.1", "--seeds", "1", "--epochs", "1", "--hidden", "4",
                 "--no-progress"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}: 38 train / 10 validation (from the training data) / 12 "
                             "test, MLP 2-4-2")
    assert out[1] == "label 'kind' (chosen): 2 classes: a, b (text values)"
    regression = points(tmp_path, "x1,x2,y", lambda i, a, b: a * b, name="r.csv")
    line = exits_2(capsys, ["compare", "--dataset", str(regression)])
    assert line.startswith("tinynet compare: error: compare works on classification datasets; "
                           "label 'y' (its name): regression (non-integer values")
    line = exits_2(capsys, ["compare", "--dataset", "diabetes"])
    assert "compare works on classification datasets; diabetes is a regression" in line
    fraction = points(tmp_path, "x1,x2,label", lambda i, a, b: "0.5" if i < 2 else i % 2,
                      name="f.csv", n=60)
    assert "is not an integer" in exits_2(capsys, ["compare", "--dataset", str(fraction)])
    assert main(["compare", "--dataset", str(fraction), "--task", "classification",
                 "--optimizers", "sgd", "--lr", "0.1", "--seeds", "1", "--epochs", "1",
                 "--hidden", "4", "--no-progress"]) == 0
    assert "MLP 2-4-3" in capsys.readouterr().out
    for option in (["--label", "y"], ["--task", "regression"], ["--no-header"]):
        line = exits_2(capsys, ["compare", "--surface", "rosenbrock", *option])
        assert f"{option[0]} is for a CSV --dataset, not a --surface" in line
    line = exits_2(capsys, ["compare", "--surface", "rosenbrock", "--jobs", "2"])
    assert "--jobs is for training runs on a --dataset; a --surface comparison" in line
    line = exits_2(capsys, ["train", "--dataset", "iris", "--label", "species"])
    assert "label= (--label) is for CSV files; 'iris' is a built-in dataset" in line


# ----- 5. options -----------------------------------------------------------------------------

def action(command, dest):
    parser = build_parser()
    return next(a for a in parser.commands[command]._actions if a.dest == dest)


def test_every_registered_optimizer_is_a_choice_and_in_help(capsys):
    assert action("train", "optimizer").choices == tn.optimizers.available()
    assert len(tn.optimizers.available()) == 11
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    assert "--optimizer {" + ",".join(tn.optimizers.available()) + "}" in text
    with pytest.raises(SystemExit):
        main(["train", "--import", CUSTOM, "--help"])
    assert "{adabelief,adadelta," in capsys.readouterr().out


CUSTOM = str(ROOT / "examples" / "custom_optimizer.py")


def test_an_imported_optimizer_is_a_choice_in_any_case(capsys):
    assert main(["train", "--dataset", "iris", "--import", CUSTOM, "--optimizer", "AdaBelief",
                 *QUICK]) == 0  # upper case too, as the registry reads names
    assert "AdaBelief(lr=" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["adadelta", "adamax", "adamw", "lion", "nadam", "radam"])
def test_optimizers_the_help_used_to_leave_out_train(name, capsys):
    assert main(["train", "--dataset", "iris", "--optimizer", name, *QUICK]) == 0
    assert type(tn.optimizers.lookup(name)()).__name__ + "(" in capsys.readouterr().out


def test_an_abbreviated_import_is_imported_once(tmp_path, capsys):
    plugin = tmp_path / "plugin.py"
    plugin.write_text("import tinynet as tn\n\n\n@tn.optimizers.register('once')\n"
                      "class Once(tn.optimizers.SGD):\n    pass\n")
    assert main(["train", "--imp", str(plugin), "--optimizer", "once", "--dataset", "iris",
                 *QUICK]) == 0
    assert "Once(lr=" in capsys.readouterr().out


def test_an_import_that_fails_before_parsing_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    bad.write_text("raise RuntimeError('boom')\n")
    line = exits_2(capsys, ["train", "--import", str(bad)])
    assert line == (f"tinynet train: error: --import {bad}: RuntimeError: boom (--debug shows "
                    f"the traceback)")
    line = exits_2(capsys, ["--debug-x", "explain", "-x", "--import", str(bad)])
    assert line.startswith(f"tinynet explain: error: --import {bad}: RuntimeError: boom")
    line = exits_2(capsys, ["--import", str(bad)])  # no command: the program's name alone
    assert line.startswith(f"tinynet: error: --import {bad}: RuntimeError")
    with pytest.raises(ValueError, match="RuntimeError: boom"):
        main(["train", "--import", str(bad), "--debug"])


@pytest.mark.parametrize("flags, expected", [
    (["--optimizer", "rmsprop", "--centered", "--eps-inside"], {"centered": True,
                                                                "eps_inside": True}),
    (["--optimizer", "rmsprop", "--no-centered"], {"centered": False, "eps_inside": False}),
    (["--optimizer", "momentum", "--nesterov"], {"nesterov": True}),
    (["--optimizer", "adam", "--amsgrad"], {"amsgrad": True}),
    (["--optimizer", "adam", "--no-amsgrad"], {"amsgrad": False}),
])
def test_boolean_hyperparameters_are_switches(flags, expected, capsys):
    assert main(["train", "--dataset", "iris", *flags, *QUICK]) == 0
    out = capsys.readouterr().out
    for name, value in expected.items():
        assert f"{name}={value}" in out


def test_the_arguments_come_from_the_process_when_not_given(monkeypatch, capsys):
    import argparse

    monkeypatch.setattr(sys, "argv", ["tinynet", "train", "--centered", "yes"])
    line = exits_2(capsys, None)
    assert "--centered is a switch and takes no value: write --centered" in line
    with pytest.raises(SystemExit):
        build_parser().parse_args()  # the same, from sys.argv
    assert "write --centered" in capsys.readouterr().err
    monkeypatch.setattr(sys, "argv", ["tinynet", "train", "--seed", "4"])
    parsed = build_parser().parse_args(namespace=argparse.Namespace(mine=1))
    assert (parsed.seed, parsed.mine) == (4, 1)


def test_choices_of_every_command_are_checked(capsys):
    for args in (["train", "--task", "regresion"], ["compare", "--surface", "nope"],
                 ["explain", "backprop", "--activation", "gelu"],
                 ["explain", "backprop", "--loss", "hinge"]):
        assert "invalid choice: " in exits_2(capsys, args)
    assert "--steps: must be <= 1000000, got '1000001'" in exits_2(
        capsys, ["compare", "--surface", "rosenbrock", "--steps", "1000001"])
    defaults = build_parser().parse_args(["compare"])
    assert (defaults.epochs, defaults.steps) == (20, 200)  # as their help says


def test_compare_on_a_surface_takes_its_steps(capsys):
    assert main(["compare", "--surface", "rosenbrock", "--steps", "5", "--optimizers", "sgd",
                 "--lr", "0.001", "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Rosenbrock(a=1.0, b=100.0), start (-1.5, 2.0), 5 steps, lr = 0.001 for all"
    surface = tn.surfaces.get("rosenbrock")
    points_, values = tn.surfaces.run(tn.optimizers.SGD(lr=0.001), surface, steps=5)
    assert len(values) == 6 and f" {values[-1]:.3g} " in lines[-1]  # 5 steps, not 200


def test_a_switch_given_a_value_says_how_to_write_it(capsys):
    line = exits_2(capsys, ["train", "--centered", "true"])
    assert line == ("tinynet train: error: unrecognized arguments: true; --centered is a switch "
                    "and takes no value: write --centered (see tinynet train --help)")
    line = exits_2(capsys, ["train", "--nesterov", "False"])
    assert "write --no-nesterov" in line


def test_the_loss_defaults_from_the_task_and_each_builds_its_model(capsys):
    assert action("train", "loss").choices == list(tn.losses.LOSSES)
    from tinynet.train_cli import new_trainer

    built = {}

    for loss, dataset in [("binary_cross_entropy", "moons"), ("cross_entropy", "moons"),
                          ("softmax_cross_entropy", "moons"), ("mse", "diabetes")]:
        args = build_parser().parse_args(["train", "--loss", loss, "--hidden", "4"])
        trainer = new_trainer(args, tn.datasets.load(dataset))
        built[loss] = (trainer.model.n_outputs, trainer.model.head,
                       type(trainer.model.layers[-1]).__name__, type(trainer.loss).__name__)
    assert built == {"binary_cross_entropy": (1, "sigmoid", "Dense", "BinaryCrossEntropy"),
                     "cross_entropy": (2, "probabilities", "Softmax", "CrossEntropy"),
                     "softmax_cross_entropy": (2, "softmax", "Dense", "SoftmaxCrossEntropy"),
                     "mse": (1, "identity", "Dense", "MSE")}
    for loss in ("binary_cross_entropy", "cross_entropy"):  # they train, and say so
        assert main(["train", "--dataset", "moons", "--loss", loss, "--epochs", "5",
                     "--hidden", "8", "--no-progress"]) == 0
        out = capsys.readouterr().out
        assert f"{type(tn.losses.LOSSES[loss]()).__name__}()" in out
        assert float(out.split("test accuracy:")[1].split()[0]) > 0.75


@pytest.mark.parametrize("args, fragment", [
    (["--dataset", "iris", "--loss", "mse"], "error: --loss mse is a regression loss, but the "
     "labels are classes: use softmax_cross_entropy, binary_cross_entropy or cross_entropy "
     "(--debug"),
    (["--dataset", "diabetes", "--loss", "cross_entropy"], "--loss cross_entropy is a "
     "classification loss, but the labels are a regression target: use mse"),
    (["--dataset", "iris", "--loss", "binary_cross_entropy"], "--loss binary_cross_entropy is "
     "for 2 classes (one output), the labels have 3: use softmax_cross_entropy"),
    (["--loss", "hinge"], "argument --loss: invalid choice: 'hinge'"),
])
def test_a_loss_that_does_not_fit_the_task_is_refused(args, fragment, capsys):
    assert fragment in exits_2(capsys, ["train", *args, *QUICK])


def test_a_csvs_integer_labels_as_mse_suggest_the_task(tmp_path, capsys):
    path = points(tmp_path, "x1,x2,label", lambda i, a, b: i % 2)
    line = exits_2(capsys, ["train", "--data", str(path), "--loss", "mse", *QUICK])
    assert line.endswith("error: --loss mse is a regression loss, but the labels are classes: "
                         "use softmax_cross_entropy, binary_cross_entropy or cross_entropy (or "
                         "--task regression if the labels are quantities) (--debug shows the "
                         "traceback)")


def test_a_validation_split_is_carved_from_training_and_reported_every_epoch(tmp_path, capsys):
    history = tmp_path / "h.csv"
    assert main(["train", "--dataset", "iris", "--validation-split", "0.2", "--epochs", "3",
                 "--hidden", "4", "--history", str(history)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("tinynet: iris (96 train, 24 validation, 30 test, ")
    epochs = [ln for ln in captured.err.splitlines() if ln.startswith("epoch ")]
    assert len(epochs) == 3 and all("val_loss" in ln and "val_accuracy" in ln for ln in epochs)
    assert history.read_text().startswith("epoch,loss,accuracy,val_loss,val_accuracy,lr\n")
    X, _, y, _ = tn.datasets.load("iris", seed=0)
    _, X_val, _, y_val = tn.datasets.validation_split(X, y, 0.2, seed=0)
    val = next(ln for ln in lines if ln.startswith("validation accuracy: "))
    last = float(history.read_text().splitlines()[-1].split(",")[4])
    assert float(val.split()[-1]) == pytest.approx(last, abs=5e-5)
    assert len(X_val) == 24 and np.bincount(y_val).tolist() == [8, 8, 8]  # stratified


@pytest.mark.parametrize("value", ["0", "1", "1.5", "x"])
def test_a_validation_split_must_be_a_fraction(value, capsys):
    line = exits_2(capsys, ["train", "--validation-split", value])
    assert "argument --validation-split: " in line and value in line


def test_patience_stops_early_says_where_and_keeps_the_best_weights(tmp_path, capsys):
    history, model = tmp_path / "h.csv", tmp_path / "m.npz"
    assert main(["train", "--dataset", "iris", "--validation-split", "0.3", "--patience", "1",
                 "--optimizer", "sgd", "--lr", "0.5", "--epochs", "60", "--hidden", "16",
                 "--no-progress", "--history", str(history), "--save", str(model)]) == 0
    out = capsys.readouterr().out
    found = re.search(r"stopped early at epoch (\d+), 2 epochs without a better validation "
                      r"loss \(patience 1\): the weights of the best, epoch (\d+) \(validation "
                      r"loss ([\d.]+)\), are restored", out)
    assert found, out
    stopped, best, best_loss = int(found[1]), int(found[2]), float(found[3])
    rows = history.read_text().splitlines()[1:]
    val_losses = [float(r.split(",")[3]) for r in rows]
    assert len(rows) == stopped < 60 and best == stopped - 2  # patience 1: two epochs on
    assert min(val_losses) == val_losses[best - 1] == pytest.approx(best_loss, abs=5e-5)
    X, _, y, _ = tn.datasets.load("iris", seed=0)
    _, X_val, _, y_val = tn.datasets.validation_split(X, y, 0.3, seed=0)
    saved = tn.Sequential.load(model)  # the best epoch's weights, not the last epoch's
    assert tn.SoftmaxCrossEntropy().forward(saved.forward(X_val), y_val) == pytest.approx(
        val_losses[best - 1], rel=1e-9)


def test_patience_that_never_runs_out_still_says_whose_weights_are_kept(capsys):
    assert main(["train", "--dataset", "iris", "--validation-split", "0.2", "--patience", "50",
                 *QUICK]) == 0
    assert re.search(r"did not stop early; the weights of the best epoch, epoch 1 \(validation "
                     r"loss [\d.]+\), are restored", capsys.readouterr().out)


def test_a_regression_gets_a_validation_split_too(capsys):
    assert main(["train", "--dataset", "diabetes", "--validation-split", "0.25", *QUICK]) == 0
    out = capsys.readouterr().out
    assert "(264 train, 89 validation, 89 test, regression)" in out and "validation R²:" in out


def test_patience_needs_a_validation_split(tmp_path, capsys):
    line = exits_2(capsys, ["train", "--patience", "3", "--save", str(tmp_path / "m.npz")])
    assert ("--patience stops on the validation loss: give --validation-split too, e.g. "
            "--validation-split 0.2 --patience 5") in line
    assert not (tmp_path / "m.npz").exists()


def test_a_resumed_run_keeps_its_split_and_early_stopping(tmp_path, capsys):
    run = str(tmp_path / "run.npz")
    common = ["--dataset", "iris", "--validation-split", "0.2", "--patience", "100",
              "--hidden", "4", "--no-progress"]
    assert main(["train", *common, "--epochs", "4", "--history", str(tmp_path / "a.csv")]) == 0
    assert main(["train", *common, "--epochs", "2", "--checkpoint", run]) == 0
    assert main(["train", "--resume", run, "--epochs", "3", "--no-progress"]) == 0
    assert "epoch 3/3" not in capsys.readouterr().err
    assert main(["train", "--resume", run, "--epochs", "4",  # the bar, though saved without
                 "--history", str(tmp_path / "b.csv")]) == 0
    captured = capsys.readouterr()
    assert "epoch 4/4" in captured.err and "val_loss" in captured.err
    out = captured.out
    assert "96 train, 24 validation, 30 test" in out.split("resuming")[0].splitlines()[-1]
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    kept = tn.Trainer.load_checkpoint(run)
    assert kept.checkpoint_extra["validation_split"] == 0.2
    assert [type(cb).__name__ for cb in kept.callbacks] == ["EarlyStopping"]
    for option in (["--validation-split", "0.1"], ["--patience", "0"], ["--label", "x"],
                   ["--no-centered"], ["--centered"],
                   ["--loss", "mse"], ["--no-header"], ["--task", "regression"]):
        line = exits_2(capsys, ["train", "--resume", run, *option])
        assert f"{option[0].replace('--no-c', '--c')} cannot change it" in line


@pytest.mark.parametrize("typed, meant", [
    ("--learning-rate", "--lr"), ("--learning_rate", "--lr"), ("--n-epochs", "--epochs"),
    ("--batch_size", "--batch-size"), ("--batchsize", "--batch-size"),
    ("--validation_split", "--validation-split"), ("--early-stopping", "--patience"),
    ("--hidden-layer-sizes", "--hidden"), ("--solver", "--optimizer"),
    ("--target", "--label"), ("--weight_decay", "--weight-decay"), ("--LR", "--lr"),
    ("--activaton", "--activation"), ("--random-state", "--seed"),
    ("--learning-rate=0.1=x", "--lr"), ("--batch_size=a=b", "--batch-size"),
])
def test_a_mistyped_option_gets_the_closest_real_one(typed, meant, capsys):
    args = [typed] if "=" in typed else [typed, "0.1"]
    line = exits_2(capsys, ["train", *args])
    assert line == (f"tinynet train: error: unrecognized arguments: {' '.join(args)}; did you "
                    f"mean {meant}? (see tinynet train --help)")


def test_typos_elsewhere_and_without_a_likely_meaning(capsys):
    line = exits_2(capsys, ["compare", "--optimisers", "sgd"])
    assert "did you mean --optimizers?" in line
    assert main(["train", "--epoch", "1", "--optim", "sgd", "--dataset", "iris", "--hidden",
                 "4", "--no-progress"]) == 0  # argparse's prefixes: an option, not a typo
    assert "SGD(" in capsys.readouterr().out
    line = exits_2(capsys, ["train", "--zzz", "1"])
    assert line == ("tinynet train: error: unrecognized arguments: --zzz 1 (see tinynet train "
                    "--help)")
    line = exits_2(capsys, ["train", "--optimizer", "rmsporp"])
    assert line.endswith("; did you mean 'rmsprop'? (see tinynet train --help)")
    assert "did you mean 'train'?" in exits_2(capsys, ["trian"])
    assert exits_2(capsys, ["train", "--activation", "qqq"]).endswith(
        "'sigmoid', 'identity') (see tinynet train --help)")  # nothing close: no guess
    for far in ("--test-size", "--jobs"):  # 0.70 and 0.67 alike to --eps-inside, --loss
        line = exits_2(capsys, ["train", far, "1"])
        assert line.endswith(f"unrecognized arguments: {far} 1 (see tinynet train --help)")


def test_a_typo_exits_2_with_one_line_in_a_real_process():
    result = run("train", "--learning-rate", "0.1")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == ("tinynet train: error: unrecognized arguments: --learning-rate 0.1; "
                             "did you mean --lr? (see tinynet train --help)\n")


@pytest.mark.slow
def test_the_readmes_early_stopping_run_is_what_the_command_prints(capsys):
    text = " ".join((ROOT / "README.md").read_text().split())
    claim = re.search(r"On digits, `(--validation-split 0\.2 --patience 5 --epochs 100)` printed "
                      r"`(stopped early at epoch (\d+), (\d+) epochs .*?validation loss "
                      r"([\d.]+)\), are restored)`, then validation accuracy ([\d.]+) and test "
                      r"accuracy ([\d.]+)\.", text)
    assert claim, "the README's sentence about early stopping on digits"
    assert main(["train", *claim[1].split(), "--no-progress"]) == 0
    out = capsys.readouterr().out
    said = next(ln for ln in out.splitlines() if ln.startswith("stopped early"))
    # the epochs are robust (the best validation loss leads the next by 0.003); the loss is
    # compared to 5e-4, the accuracies to one sample of 288 and 360
    assert re.sub(r"loss [\d.]+\)", "", said) == re.sub(r"loss [\d.]+\)", "", claim[2])
    assert float(re.search(r"loss ([\d.]+)\)", said)[1]) == pytest.approx(float(claim[5]),
                                                                         abs=5e-4)
    val = float(re.search(r"validation accuracy: ([\d.]+)", out)[1])
    test = float(re.search(r"test accuracy:\s+([\d.]+)", out)[1])
    assert val == pytest.approx(float(claim[6]), abs=1 / 288 + 1e-4)
    assert test == pytest.approx(float(claim[7]), abs=1 / 360 + 1e-4)
