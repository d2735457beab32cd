"""What a new optimizer's author gets for free: a name, CLI options, estimator parameters,
a clear error instead of a silent replacement, and the training step they plug into."""

import numpy as np
import pytest

import tinynet as tn
from tinynet.cli import main


class Halving(tn.optimizers.Optimizer):
    """W -= lr * dW, with lr halved every ``every`` steps (a toy schedule inside update)."""

    elementwise = True

    def __init__(self, lr=0.1, every=2, loud=False, weight_decay=0.0):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.every = int(every)
        self.loud = bool(loud)

    def update(self, W, dW):
        W -= self.lr * 0.5 ** (self.t // self.every) * dW


def test_register_refuses_a_taken_name_unless_told_to_replace():
    with pytest.raises(ValueError, match=r"an optimizer named 'rmsprop' is already registered "
                                         r"\(tinynet.optimizers.rmsprop.RMSProp\); pick another "
                                         r"name, or pass replace=True"):
        tn.optimizers.register("RMSProp", Halving)
    assert tn.optimizers.lookup("rmsprop") is tn.optimizers.RMSProp  # nothing changed
    tn.optimizers.register("rmsprop", Halving, replace=True)
    assert tn.optimizers.lookup("rmsprop") is Halving
    tn.optimizers.register("rmsprop", tn.optimizers.RMSProp, replace=True)
    tn.optimizers.register("rmsprop", tn.optimizers.RMSProp)  # the same class again: fine


def test_an_import_cannot_silently_replace_a_builtin(tmp_path, capsys):
    plugin = tmp_path / "plugin.py"
    plugin.write_text("import tinynet as tn\n\n"
                      "@tn.optimizers.register('rmsprop')\n"
                      "class Fake(tn.optimizers.SGD):\n    pass\n")
    code = main(["train", "--import", str(plugin), "--epochs", "1", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "an optimizer named 'rmsprop' is already registered" in err
    assert tn.optimizers.lookup("rmsprop") is tn.optimizers.RMSProp


def test_constructor_arguments_become_cli_options(capsys):
    tn.optimizers.register("halving", Halving)
    code = main(["train", "--dataset", "iris", "--optimizer", "halving", "--lr", "0.2",
                 "--every", "5", "--loud", "--epochs", "2", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Halving(lr=0.2, every=5, loud=True, weight_decay=0.0)" in out
    with pytest.raises(SystemExit):
        main(["train", "--loud", "maybe"])
    assert ("unrecognized arguments: maybe (see tinynet train --help)"
            in capsys.readouterr().err)
    with pytest.raises(SystemExit):
        main(["train", "--no-loud", "false"])
    assert ("--no-loud is a switch and takes no value: write --no-loud"
            in capsys.readouterr().err)


def test_builtin_options_come_from_the_signatures(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--centered, --no-centered default: RMSProp False" in help_text
    assert "--beta2 BETA2 default: Adam 0.999" in help_text
    code = main(["train", "--dataset", "iris", "--centered", "--momentum", "0.5",
                 "--epochs", "1", "--no-progress"])
    assert code == 0 and "centered=True, momentum=0.5" in capsys.readouterr().out


def test_estimators_pass_any_constructor_argument_through_optimizer_params():
    from sklearn.datasets import load_iris

    from tinynet.estimators import TinyNetClassifier

    X, y = load_iris(return_X_y=True)
    clf = TinyNetClassifier(hidden_layer_sizes=(8,), epochs=2, random_state=0,
                               optimizer_params={"centered": True, "momentum": 0.5})
    clf.fit(X, y)
    assert clf.optimizer_.centered and clf.optimizer_.momentum == 0.5
    tn.optimizers.register("halving", Halving)
    clf = TinyNetClassifier(hidden_layer_sizes=(8,), epochs=2, random_state=0, lr=0.3,
                               optimizer="halving", optimizer_params={"every": 7}).fit(X, y)
    assert (clf.optimizer_.lr, clf.optimizer_.every) == (0.3, 7)  # lr by name, every by dict
    with pytest.raises(TypeError, match=r"Halving has no hyperparameter\(s\) \['gamma'\]"):
        TinyNetClassifier(optimizer="halving", optimizer_params={"gamma": 1}).fit(X, y)
    with pytest.raises(TypeError, match="optimizer_params must be a dict"):
        TinyNetClassifier(optimizer_params=[("every", 7)]).fit(X, y)


def test_train_step_is_the_four_lines_and_fit_runs_it():
    X_train, _, y_train, _ = tn.datasets.load("moons", seed=0)
    runs = []
    for by_hand in (True, False):
        model = tn.mlp([2, 16, 2], seed=0)
        loss_fn, optimizer = tn.SoftmaxCrossEntropy(), tn.optimizers.RMSProp(lr=0.01)
        trainer = tn.Trainer(model, loss_fn, optimizer, batch_size=32, seed=0, progress=False)
        if by_hand:
            for Xb, yb in trainer.batches(X_train, y_train):
                out = model.forward(Xb)
                loss_fn.forward(out, yb)
                model.backward(loss_fn.backward())
                optimizer.step(model)
        else:
            trainer.fit(X_train, y_train, epochs=1)
        runs.append(model.arrays())
    for key, W in runs[0].items():
        assert np.array_equal(W, runs[1][key]), key


def test_train_step_returns_the_batch_loss_and_outputs():
    model = tn.mlp([2, 3, 2], seed=0)
    trainer = tn.Trainer(model, "softmax_cross_entropy", "sgd", progress=False)
    X, y = np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([0, 1])
    expected_loss = tn.SoftmaxCrossEntropy().forward(model.forward(X), y)
    expected_out = model.forward(X)
    loss, out = trainer.train_step(X, y)
    assert loss == expected_loss and np.array_equal(out, expected_out)
    assert trainer.optimizer.t == 1
    before = model.arrays()["W/1"].copy()
    with pytest.raises(ValueError, match=r"expects input of shape \(batch, 2\), got \(2, 3\)"):
        trainer.train_step(np.ones((2, 3)), y)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\]"):
        trainer.train_step(X, np.array([0, 2]))
    loss, _ = trainer.train_step(np.array([[np.nan, 1.0], [0.0, 1.0]]), y)
    assert np.isnan(loss)  # returned, and nothing learned from it:
    assert trainer.optimizer.t == 1 and np.array_equal(model.arrays()["W/1"], before)


def test_lookup_names_what_is_wrong():
    with pytest.raises(ValueError, match="unknown optimizer 3; available: adadelta"):
        tn.optimizers.lookup(3)
    with pytest.raises(ValueError, match="unknown optimizer 'nope'"):
        tn.optimizers.lookup("nope")
    assert tn.optimizers.lookup("RMSProp") is tn.optimizers.RMSProp
