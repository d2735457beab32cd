"""The playground's Session without the server: the datasets it draws, the batches every
optimizer shares, what one step records, and what "look at one step" reports, each number
checked against the step that then really happens."""

import re

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_circles, make_moons

import tinynet as tn
from tinynet.playground.look import formula_of as _formula
from tinynet.playground.session import Session, _histogram, make_data
from tinynet.playground.views import network_view

SETTINGS = {"dataset": "moons", "points": 20, "train_fraction": 0.7, "batch_size": 4,
            "hidden": [5], "seed": 3,
            "optimizers": [{"name": "sgd", "lr": 0.1}, {"name": "rmsprop", "lr": 0.01}]}


@pytest.mark.parametrize("name, reference", [
    ("moons", lambda n, noise, seed: make_moons(n_samples=n, noise=noise, random_state=seed)),
    ("circles", lambda n, noise, seed: make_circles(n_samples=n, noise=noise, factor=0.5,
                                                    random_state=seed)),
    ("blobs", lambda n, noise, seed: make_blobs(n_samples=n, centers=2,
                                                cluster_std=1.0 + 4 * noise, random_state=seed)),
])
def test_moons_circles_and_blobs_are_scikit_learns(name, reference):
    X, y = make_data(name, 50, 0.3, 7)
    X_ref, y_ref = reference(50, 0.3, 7)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_xor_labels_are_the_sign_of_x_times_y_before_the_noise():
    X, y = make_data("xor", 2000, 0.0, 1)
    assert X.shape == (2000, 2) and np.all(np.abs(X) <= 1)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))
    assert y.dtype.kind == "i"  # class labels, as the page and the loss expect
    assert 0.4 < y.mean() < 0.6
    noisy, y_noisy = make_data("xor", 2000, 0.1, 1)
    np.testing.assert_array_equal(y_noisy, y)  # the same points, then moved
    assert np.std(noisy - X) == pytest.approx(0.1, rel=0.05)


def test_the_spiral_arms_are_half_a_turn_apart():
    X, y = make_data("spiral", 2000, 0.0, 2)
    r = np.linalg.norm(X, axis=1)  # t / (3 pi), t in [0.75 pi, 3 pi]
    assert r.min() >= 0.25 and r.max() <= 1.0 and r.min() < 0.26 and r.max() > 0.99
    angle = np.arctan2(X[:, 1], X[:, 0])
    expected = r * 3 * np.pi + np.pi * y  # the angle grows with the radius; arm 1 is turned
    np.testing.assert_allclose(np.cos(angle), np.cos(expected), atol=1e-9)
    np.testing.assert_allclose(np.sin(angle), np.sin(expected), atol=1e-9)
    assert set(y.tolist()) == {0, 1} and 0.4 < y.mean() < 0.6
    noisy, _ = make_data("spiral", 2000, 0.3, 2)
    assert np.std(noisy - X) == pytest.approx(0.1, rel=0.05)  # noise / 3: the arms are close


def test_the_update_formula_is_the_first_literal_block_of_the_docstring():
    class Documented:
        """An optimizer::

            v = beta * v + g
            W -= lr * v

            (a note after a blank line)
        """

    assert _formula(Documented) == "v = beta * v + g\nW -= lr * v"

    class Undocumented:
        pass

    class NoBlock:
        """Plain prose, no formula block."""

    assert _formula(Undocumented) == "" and _formula(NoBlock) == ""
    assert _formula(tn.optimizers.RMSProp).splitlines()[0] == (
        "s_dW[l] = rho * s_dW[l] + (1 - rho) * dW ⊙ dW")  # the first block, from its first line


def test_histograms_drop_non_finite_values_and_round_their_edges():
    h = _histogram(np.array([0.0, 1.0, 1.0, 3.0, np.inf, np.nan, -np.inf]), bins=3)
    assert h == {"edges": [0.0, 1.0, 2.0, 3.0], "counts": [1, 2, 1]}
    h = _histogram(np.linspace(0, 1, 7) / 3)
    assert len(h["edges"]) == 21 and sum(h["counts"]) == 7
    assert h["edges"][1] == round(1 / 60, 3)
    assert _histogram(np.array([np.nan])) == {"edges": [], "counts": []}


def test_batches_are_shared_shuffled_and_cover_the_training_set_each_epoch():
    session = Session(SETTINGS)  # 14 training points in batches of 4: 4, 4, 4, 2
    sizes, seen = [], []
    for _ in range(5):
        seen.append(session._next_batch().copy())
        sizes.append(session.look()[0]["batch"])
        session.step()
    assert sizes == [4, 4, 4, 2, 4]
    assert sorted(np.concatenate(seen[:4]).tolist()) == list(range(14))
    assert session.steps == 5
    for tr in session.trainers:  # every optimizer took the same five steps
        assert tr.optimizer.t == 5


def test_step_counts_checks_n_and_records_the_curves_once_per_call():
    session = Session(SETTINGS)
    assert [len(c["train"]) for c in session.curves] == [1, 1]  # the untrained loss
    session.step(3)
    assert session.steps == 3 and [len(c["test"]) for c in session.curves] == [2, 2]
    for curve, tr in zip(session.curves, session.trainers):
        assert curve["train"][-1] == tr.evaluate(session.X_train, session.y_train)["loss"]
        assert curve["test"][-1] == tr.evaluate(session.X_test, session.y_test)["loss"]
    for bad in (0, 1001):
        with pytest.raises(ValueError, match="steps must be"):
            session.step(bad)
    with pytest.raises(TypeError, match="steps must be an integer"):
        session.step(1.5)
    assert session.steps == 3


def test_the_update_ratio_is_the_last_steps_change_over_the_weights():
    one_call = Session(SETTINGS)
    one_call.step(3)
    by_hand = Session(SETTINGS)
    by_hand.step(2)
    before = [[d.W.copy() for d in tr.model.dense_layers] for tr in by_hand.trainers]
    by_hand.step(1)
    for k, tr in enumerate(by_hand.trainers):
        expected = [np.linalg.norm(d.W - w) / np.linalg.norm(d.W)
                    for d, w in zip(tr.model.dense_layers, before[k])]
        assert by_hand.ratios[k] == pytest.approx(expected, rel=1e-12)
        assert one_call.ratios[k] == by_hand.ratios[k]
    assert Session(SETTINGS).ratios == [[0.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize("steps_before", [0, 3])
def test_look_reports_the_next_steps_numbers_and_then_that_step_happens(steps_before):
    session = Session(SETTINGS)
    if steps_before:
        session.step(steps_before)
    idx = session._next_batch().copy()
    looked = session.look()
    weights = [[d.W.copy() for d in tr.model.dense_layers] for tr in session.trainers]
    assert session.steps == steps_before  # looking changed nothing
    session.step()
    for view, tr, before in zip(looked, session.trainers, weights):
        opt = tr.optimizer
        assert view["optimizer"] == repr(opt) and view["formula"] == _formula(type(opt))
        assert view["batch"] == len(idx) and view["numbers"]["t"] == opt.t == steps_before + 1
        assert view["numbers"]["lr"] == opt.lr
        for key in opt.state_keys():
            assert view["numbers"][f"mean |{key}[1]|"] == pytest.approx(
                np.mean(np.abs(getattr(opt, key)[1])), rel=1e-12)
        assert view["numbers"]["mean eta_eff (layer 1 W)"] == pytest.approx(
            np.mean(opt.effective_lr(1)["W"]), rel=1e-12)
        for layer, d, W in zip(view["layers"], tr.model.dense_layers, before):
            np.testing.assert_allclose(layer["update"], d.W - W, rtol=1e-12, atol=1e-15)
        assert [layer["l"] for layer in view["layers"]] == [1, 2]
    first = Session(SETTINGS)
    if steps_before:
        first.step(steps_before)
    t = tn.trace(first.trainers[0].model, tn.SoftmaxCrossEntropy(), first.X_train[idx],
                 first.y_train[idx])
    view = first.look()[0]
    assert view["loss"] == t.loss
    for key in ("Z", "A", "dZ", "dW", "db"):
        for layer in view["layers"]:
            assert layer[key] == np.round(getattr(t, key)[layer["l"]], 4).tolist(), key


def test_state_is_what_the_page_draws_each_value_recomputed():
    session = Session(SETTINGS)
    fresh = session.state()
    assert all(set(layer) == {"l", "update_ratio"} for p in fresh["panels"]
               for layer in p["layers"])  # no step yet: no rates or state to show
    session.step(2)
    session.trainers[1].optimizer.s_dW[1][0, 0] = 0.0  # a weight that never had a gradient
    state = session.state()
    # the keys app.js reads (and the optimizer's class name for the legend)
    assert set(state) == {"steps", "epoch", "batches_per_epoch", "features", "grid_size",
                          "extent", "panels", "train", "test"}
    assert (state["steps"], state["grid_size"], state["extent"]) == (2, 40, 2.5)
    assert state["batches_per_epoch"] == 4 and state["epoch"] == 0.5  # 14 points, batch 4
    assert state["features"] == ["x1", "x2"]
    lin = np.linspace(-2.5, 2.5, 40)
    gx, gy = np.meshgrid(lin, lin)
    lattice = np.c_[gx.ravel(), gy.ravel()]
    for panel, tr, ratios in zip(state["panels"], session.trainers, session.ratios):
        opt = tr.optimizer
        assert set(panel) == {"optimizer", "name", "hyperparameters", "grid", "curves",
                              "train_accuracy", "test_accuracy", "train_loss", "test_loss",
                              "diverged", "layers", "signals"}
        assert panel["diverged"] is None and panel["signals"] == []
        assert panel["curves"]["epoch"] == [0.0, 0.5]  # the untrained loss, then after 2 steps
        assert panel["train_loss"] == panel["curves"]["train"][-1]
        assert panel["optimizer"] == repr(opt) and panel["name"] == type(opt).__name__
        assert panel["grid"] == np.round(tr.model.predict_proba(lattice)[:, 1], 3).tolist()
        assert panel["train_accuracy"] == tr.evaluate(session.X_train, session.y_train)[
            "accuracy"]
        assert panel["test_accuracy"] == tr.evaluate(session.X_test, session.y_test)["accuracy"]
        assert [layer["l"] for layer in panel["layers"]] == [1, 2]
        for layer in panel["layers"]:
            l = layer["l"]
            assert layer["update_ratio"] == ratios[l - 1]
            eff = opt.effective_lr(l)["W"].ravel()
            assert layer["eff_lr"] == _histogram(np.log10(np.maximum(eff, 1e-12)))
            if opt.state_keys():
                s = getattr(opt, opt.state_keys()[0])[l]
                assert layer["state_name"] == f"{opt.state_keys()[0]}[{l}]"
                assert layer["state"] == _histogram(np.log10(np.abs(s).ravel() + 1e-30))
            else:
                assert "state" not in layer and "state_name" not in layer
    rms_state = state["panels"][1]["layers"][0]["state"]
    assert rms_state["edges"][0] == -30.0  # the zero shows at 1e-30, not dropped
    for part, X, y in (("train", session.X_train, session.y_train),
                       ("test", session.X_test, session.y_test)):
        assert state[part] == {"X": np.round(X, 3).tolist(), "y": y.tolist()}


def test_the_default_session_is_moons_an_8_8_tanh_network_sgd_against_rmsprop():
    session = Session({})
    assert session.dataset == "moons" and session.batch_size == 16
    assert (len(session.X_train), len(session.X_test)) == (280, 120)  # 400 points, 70% train
    assert [repr(tr.optimizer) for tr in session.trainers] == [
        repr(tn.optimizers.SGD(lr=0.1)), repr(tn.optimizers.RMSProp(lr=0.01))]
    reference = tn.mlp([2, 8, 8, 2], activation="tanh", seed=0)
    for tr in session.trainers:
        assert all(np.array_equal(a, reference.arrays()[k]) for k, a in tr.model.arrays().items())
        assert (tr.batch_size, tr.seed, tr.progress, tr.teaching_warnings) == (16, 0, False, False)
    X, y = make_data("moons", 400, 0.2, 0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # standardised, every point together
    both = np.r_[session.X_train, session.X_test]
    order = np.random.default_rng(0).permutation(400)
    np.testing.assert_array_equal(both, X[order])
    np.testing.assert_array_equal(np.r_[session.y_train, session.y_test], y[order])


def test_each_setting_is_used():
    settings = {"dataset": "xor", "points": 50, "noise": 0.5, "train_fraction": 0.5,
                "hidden": [3, 4, 5], "activation": "relu", "batch_size": 5, "seed": 9,
                "optimizers": [{"name": "adam", "lr": 0.02, "beta1": 0.8}]}
    session = Session(settings)
    X, y = make_data("xor", 50, 0.5, 9)
    order = np.random.default_rng(9).permutation(50)
    np.testing.assert_array_equal(session.y_test, y[order[25:]])
    np.testing.assert_allclose(np.r_[session.X_train, session.X_test],
                               ((X - X.mean(axis=0)) / X.std(axis=0))[order])
    tr, = session.trainers
    assert [d.n_out for d in tr.model.dense_layers] == [3, 4, 5, 2]
    assert type(tr.model.layers[1]).__name__ == "ReLU" and tr.batch_size == 5 and tr.seed == 9
    assert (tr.optimizer.lr, tr.optimizer.beta1) == (0.02, 0.8)
    reference = tn.mlp([2, 3, 4, 5, 2], activation="relu", seed=9)
    assert np.array_equal(tr.model.arrays()["W/1"], reference.arrays()["W/1"])


HIDDEN = "hidden: comma-separated widths from 1 to 64, e.g. 8,8"


@pytest.mark.parametrize("key, bad, error, message", [
    ("points", 19, ValueError, "points must be >= 20, got 19"),
    ("points", 2001, ValueError, "points must be <= 2000, got 2001"),
    ("points", 20.5, TypeError, "points must be an integer"),
    ("points", None, ValueError, "points is empty"),
    ("points", " ", ValueError, "points is empty"),
    ("points", "abc", ValueError, "points must be an integer, got 'abc'"),
    ("noise", -0.1, ValueError, "noise must be >= 0.0, got -0.1"),
    ("noise", 1.5, ValueError, "noise must be <= 1.0, got 1.5"),
    ("noise", "0.x", ValueError, "noise must be a number, got '0.x'"),
    ("train_fraction", 0.05, ValueError, "train fraction must be >= 0.1, got 0.05"),
    ("train_fraction", 0.95, ValueError, "train fraction must be <= 0.9, got 0.95"),
    ("hidden", [], ValueError, HIDDEN),
    ("hidden", None, ValueError, HIDDEN),
    ("hidden", [8] * 5, ValueError, HIDDEN + " (at most 4 layers)"),
    ("hidden", "abc", ValueError, HIDDEN),
    ("hidden", "8,,8", ValueError, HIDDEN),
    ("hidden", [8, 0], ValueError, HIDDEN),
    ("hidden", [65], ValueError, HIDDEN),
    ("hidden", [8.5], ValueError, HIDDEN),
    ("activation", "gelu", ValueError, "activation must be one of"),
    ("features", [], ValueError, "features: choose at least one input, e.g. x1 and x2"),
    ("features", "x1", ValueError, "features: choose at least one input, e.g. x1 and x2"),
    ("features", ["x3"], ValueError, "features must be one of"),
    ("features", ["x1", "x1"], ValueError, "features: each input once"),
    ("batch_size", 0, ValueError, "batch must be >= 1, got 0"),
    ("batch_size", 513, ValueError, "batch must be <= 512, got 513"),
    ("batch_size", 2.5, TypeError, "batch must be an integer"),
    ("seed", -1, ValueError, "seed must be >= 0, got -1"),
    ("seed", 2**31 + 1, ValueError, "seed must be <= 2147483648, got 2147483649"),
    ("optimizers", [], ValueError, "optimizers: 1 to 4 optimizers"),
    ("optimizers", [{"name": "sgd"}] * 5, ValueError, "optimizers: 1 to 4 optimizers"),
    ("optimizers", {"name": "sgd"}, ValueError, "optimizers: 1 to 4 optimizers"),
    ("optimizers", [{"lr": 0.1}], ValueError, "optimizer 1: choose one by name, e.g. rmsprop"),
    ("optimizers", ["sgd"], ValueError, "optimizer 1: choose one by name, e.g. rmsprop"),
    ("optimizers", [{"name": "sgd", "lr": ""}], ValueError, "optimizer 1 (sgd): lr is empty"),
    ("optimizers", [{"name": "sgd"}, {"name": "rmsprop", "lr": None}], ValueError,
     "optimizer 2 (rmsprop): lr is empty"),
    ("optimizers", [{"name": "rmsprop", "extra": "rho 0.9"}], ValueError,
     "optimizer 1 (rmsprop): 'rho 0.9' is not NAME=VALUE (e.g. rho=0.9)"),
    ("optimizers", [{"name": "rmsprop", "extra": "rho=2"}], ValueError,
     "optimizer 1 (rmsprop): rho must be < 1.0, got 2.0"),
    ("optimizers", [{"name": "sgd", "extra": "=1"}], ValueError,
     "optimizer 1 (sgd): '=1' is not NAME=VALUE (e.g. rho=0.9)"),
    ("optimizers", [{"name": "sgd", "momentum": 0.9}], ValueError,
     "optimizer 1 (sgd): momentum is not one of its settings (lr, weight_decay)"),
    ("optimizers", [{"name": "sgdd"}], ValueError, "optimizer 1 (sgdd): unknown optimizer"),
    ("optimizers", [{"name": "adam", "amsgrad": "yes"}], ValueError,
     "optimizer 1 (adam): amsgrad must be True or False, got 'yes'"),
    ("dataset", "mnist", ValueError, "dataset must be one of"),
    ("dataset", "", ValueError, "dataset is empty"),
    ("optimizers", [{"name": "rmsprop", "extra": "rho=0.8=1"}], ValueError,
     "optimizer 1 (rmsprop): rho must be a number, got '0.8=1'"),
])
def test_every_setting_is_bounded_with_a_message_naming_it(key, bad, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Session({key: bad})


@pytest.mark.parametrize("key, edge", [
    ("points", 20), ("points", 2000), ("noise", 0.0), ("noise", 1.0), ("train_fraction", 0.1),
    ("train_fraction", 0.9), ("hidden", [1]), ("hidden", [64, 64, 64, 64]), ("hidden", "8, 4"),
    ("batch_size", 1),
    ("batch_size", 512), ("seed", 2**31), ("optimizers", [{"name": "sgd"}] * 4),
])
def test_the_bounds_themselves_are_allowed(key, edge):
    assert Session({key: edge}).steps == 0


def test_no_setting_left_empty_says_none_or_nonetype():
    for key in ("dataset", "points", "noise", "train_fraction", "hidden", "activation",
                "features", "batch_size", "seed", "optimizers"):
        with pytest.raises((ValueError, TypeError)) as caught:
            Session({key: None})
        assert "None" not in str(caught.value), (key, str(caught.value))


def test_the_page_may_send_its_fields_as_typed_text():
    session = Session({"points": "60", "noise": "0.1", "train_fraction": "0.5", "hidden": "3, 2",
                       "batch_size": "8", "seed": "4", "features": ["x1", "x2", "x1*x2"],
                       "optimizers": [{"name": "rmsprop", "lr": "0.02", "weight_decay": "0.001",
                                       "extra": "rho=0.8, centered=true"}]})
    (tr,) = session.trainers
    assert (len(session.X_train), session.batch_size) == (30, 8)
    assert [d.n_in for d in tr.model.dense_layers] == [3, 3, 2]
    opt = tr.optimizer
    assert (opt.lr, opt.weight_decay, opt.rho, opt.centered) == (0.02, 0.001, 0.8, True)


# ----- inputs, the network view, the teaching signals --------------------------------------

def test_the_chosen_inputs_feed_the_first_layer_everywhere():
    session = Session({**SETTINGS, "features": ["sin(x2)", "x1", "x1*x2", "x2^2"]})
    assert session.features == ["x1", "x2^2", "x1*x2", "sin(x2)"]  # the page's order
    X = session.X_train
    np.testing.assert_array_equal(session.inputs(X), np.c_[X[:, 0], X[:, 1] ** 2,
                                                           X[:, 0] * X[:, 1], np.sin(X[:, 1])])
    tr = session.trainers[0]
    assert tr.model.dense_layers[0].n_in == 4
    state = session.state()
    assert state["features"] == ["x1", "x2²", "x1·x2", "sin x2"]
    lin = np.linspace(-2.5, 2.5, 40)
    gx, gy = np.meshgrid(lin, lin)
    lattice = session.inputs(np.c_[gx.ravel(), gy.ravel()])
    assert state["panels"][0]["grid"] == np.round(tr.model.predict_proba(lattice)[:, 1],
                                                  3).tolist()
    assert state["panels"][0]["train_accuracy"] == tr.evaluate(session.inputs(X),
                                                               session.y_train)["accuracy"]


def test_the_network_view_is_each_neurons_output_over_the_plane_and_the_weights():
    session = Session({**SETTINGS, "hidden": [5, 3], "activation": "relu"})
    session.step(6)
    model = session.trainers[1].model
    relu = model.layers[1]
    mask = relu._mask  # the last training step's: the view leaves it
    net = network_view(session, model)
    assert relu._mask is mask
    assert net == session.state(network=True)["panels"][1]["network"]
    assert "network" not in session.state()["panels"][1]
    assert net["grid"] == 20 and [len(c["neurons"]) for c in net["columns"]] == [2, 5, 3, 2]
    lin = np.linspace(-2.5, 2.5, 20)
    gx, gy = np.meshgrid(lin, lin)
    X = np.c_[gx.ravel(), gy.ravel()]
    d1, d2, d3 = model.dense_layers
    A1 = np.maximum(X @ d1.W + d1.b, 0)
    A2 = np.maximum(A1 @ d2.W + d2.b, 0)
    logits = A2 @ d3.W + d3.b
    P = np.exp(logits - logits.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    for column, values in zip(net["columns"], (X, A1, A2, P)):
        assert column["neurons"] == np.round(values.T, 3).tolist()
        assert (column["lo"], column["hi"]) == (values.min(), values.max())
    assert net["weights"] == [np.round(d.W, 4).tolist() for d in model.dense_layers]


def test_a_saturated_layer_and_dead_relus_are_pointed_out_on_their_panel():
    session = Session({"optimizers": [{"name": "sgd", "lr": 10}, {"name": "sgd", "lr": 0.1}]})
    session.step(40)
    hot, calm = (p["signals"] for p in session.state()["panels"])
    assert calm == []
    assert hot[0].startswith("layer 1 is saturated: ") and hot[0].endswith(
        " of its tanh outputs on the training points are beyond ±0.99, where tanh' is almost "
        "0 and little gradient passes: lr too large?")
    A = np.tanh(session.inputs(session.X_train) @ session.trainers[0].model.dense_layers[0].W
                + session.trainers[0].model.dense_layers[0].b)
    assert hot[0] == (f"layer 1 is saturated: {np.mean(np.abs(A) > 0.99):.0%} of its tanh "
                      f"outputs on the training points are beyond ±0.99, where tanh' is "
                      f"almost 0 and little gradient passes: lr too large?")
    dead = Session({"optimizers": [{"name": "sgd", "lr": 50}], "activation": "relu"})
    dead.step(60)
    (said,) = dead.state()["panels"][0]["signals"]
    assert said.endswith("of the ReLU units of layer 2 are dead (0 on every training point), so "
                         "they pass no gradient: try a smaller lr, or leaky_relu")


def test_eps_and_a_rising_loss_are_pointed_out_as_fit_points_them_out():
    session = Session({"optimizers": [{"name": "rmsprop", "lr": 0.01, "extra": "eps=1"}]})
    session.step(session.batches_per_epoch - 1)
    assert session.state()["panels"][0]["signals"] == []  # eps is judged after an epoch
    session.step(1)
    said = session.state()["panels"][0]["signals"]
    assert said[0].startswith("eps=1 dominates the denominator for 100% of layer 1's weights")
    session.epoch_losses[0] = [0.5, 0.6, 0.7, 0.8]
    assert session.state()["panels"][0]["signals"][-1] == (
        "the training loss rose for 3 epochs in a row (0.5 -> 0.8): the learning rate "
        "(lr=0.01) may be too large")


def test_a_diverged_panel_stops_and_says_so_while_the_others_train_on():
    session = Session({"activation": "identity", "optimizers": [
        {"name": "sgd", "lr": 100}, {"name": "sgd", "lr": 0.1}]})
    session.step(30)
    k = session.diverged[0]
    assert k is not None and session.diverged[1] is None
    assert session.trainers[0].optimizer.t == k - 1  # step k's loss was not finite: no update
    assert np.isfinite(session.curves[0]["train"][0])
    gone = [d.W.copy() for d in session.trainers[0].model.dense_layers]
    t = session.trainers[1].optimizer.t
    session.step(5)
    assert all(np.array_equal(a, d.W, equal_nan=True)
               for a, d in zip(gone, session.trainers[0].model.dense_layers))
    assert session.trainers[1].optimizer.t == t + 5
    panel = session.state()["panels"][0]
    assert panel["diverged"] == k and panel["signals"] == [
        f"diverged at step {k}: lr too large? (this panel stopped there; reset to start again)"]


def test_the_epoch_is_steps_over_steps_per_epoch_on_every_curve():
    session = Session(SETTINGS)  # 14 training points, batch 4: 4 steps an epoch
    session.step(3)
    session.step(3)
    state = session.state()
    assert state["epoch"] == 1.5 and state["batches_per_epoch"] == 4
    assert state["panels"][0]["curves"]["epoch"] == [0.0, 0.75, 1.5]
    assert len(session.epoch_losses[0]) == 1  # one epoch done: its loss, for the rising check


def test_look_lists_each_quantity_with_its_formula_and_shape():
    session = Session({**SETTINGS, "hidden": [5, 3]})
    view = session.look()[1]
    first, last = view["layers"][0], view["layers"][-1]
    assert [(r["quantity"], r["formula"], r["shape"]) for r in first["rows"]] == [
        ("Z", "Z[1] = A[0] W[1] + b[1]", [4, 5]), ("A", "A[1] = tanh(Z[1])", [4, 5]),
        ("dA", "dA[1] = dZ[2] W[2]ᵀ", [4, 5]), ("dZ", "dZ[1] = dA[1] ⊙ tanh'(Z[1])", [4, 5]),
        ("dW", "dW[1] = A[0]ᵀ dZ[1]", [2, 5]), ("db", "db[1] = the sum of dZ[1] over the batch",
                                               [5]),
        ("update", "the change of W[1] this step", [2, 5])]
    assert [r["formula"] for r in last["rows"][:3]] == [
        "Z[3] = A[2] W[3] + b[3]", "A[3] = Z[3], the logits (the loss applies softmax)",
        "dZ[3] = (softmax(Z[3]) - Y) / B"]
    t = tn.trace(session.trainers[1].model, tn.SoftmaxCrossEntropy(),
                 session.inputs(session.X_train[session._next_batch()]),
                 session.y_train[session._next_batch()])
    assert first["rows"][0]["values"] == np.round(t.Z[1], 6).tolist()
    assert first["rows"][3]["values"] == np.round(t.dZ[1], 6).tolist()
    assert view["name"] == "RMSProp" and view["hyperparameters"] == session.trainers[
        1].optimizer.hyperparams()


def test_a_sigmoid_layer_at_its_flat_ends_is_pointed_out_too():
    session = Session({"activation": "sigmoid", "optimizers": [{"name": "sgd", "lr": 30}]})
    session.step(40)
    said = session.state()["panels"][0]["signals"]
    assert said and said[0].startswith("layer 1 is saturated: ") and said[0].endswith(
        " of its sigmoid outputs on the training points are below 0.01 or above 0.99, where "
        "sigmoid' is almost 0 and little gradient passes: lr too large?")


def test_each_panel_names_its_optimizer_and_lists_its_hyperparameters():
    session = Session({"optimizers": [{"name": "sgd", "lr": 0.1}, {"name": "rmsprop",
                                                                    "lr": "0.01"}]})
    sgd, rms = session.state()["panels"]
    assert (sgd["name"], sgd["hyperparameters"]) == ("SGD", "lr=0.1, weight_decay=0")
    assert rms["hyperparameters"] == ("lr=0.01, rho=0.9, eps=1e-08, centered=False, "
                                      "momentum=0, eps_inside=False, weight_decay=0")


def test_a_diverged_panel_draws_undecided_regions_and_a_network_with_finite_ranges():
    session = Session({"activation": "identity", "optimizers": [{"name": "sgd", "lr": 100}]})
    session.step(40)
    panel = session.state(network=True)["panels"][0]
    assert panel["diverged"] is not None
    assert panel["grid"] == [0.5] * 1600  # its probabilities are NaN: undecided
    columns = panel["network"]["columns"]  # the outputs are NaN too: the default range
    assert (columns[-1]["lo"], columns[-1]["hi"]) == (0.0, 1.0)
    assert all(np.isfinite([c["lo"], c["hi"]]).all() for c in columns)


@pytest.mark.parametrize("extra, expected", [
    ({"rho": 0.8}, {"rho": 0.8, "centered": False}),
    ("rho=0.8, centered=True", {"rho": 0.8, "centered": True}),
    ("centered=FALSE", {"rho": 0.9, "centered": False}),
    (None, {"rho": 0.9, "centered": False}),
    ("", {"rho": 0.9, "centered": False}),
    ("rho=0.8, ", {"rho": 0.8, "centered": False}),
])
def test_extra_hyperparameters_as_text_or_as_an_object(extra, expected):
    (tr,) = Session({"optimizers": [{"name": "rmsprop", "lr": 0.01, "extra": extra}]}).trainers
    assert {k: getattr(tr.optimizer, k) for k in expected} == expected


def test_a_diverging_session_is_silent_even_with_warnings_as_errors():
    import warnings

    session = Session({"activation": "identity", "optimizers": [{"name": "sgd", "lr": 100}]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        session.step(40)
        session.state(network=True)
        session.look()
    assert session.diverged[0] is not None


def test_epochs_are_rounded_as_the_page_shows_them():
    session = Session({**SETTINGS, "points": 20, "train_fraction": 0.5})  # 10 points: 3 batches
    session.step(1)
    assert session.state()["epoch"] == 0.33 and session.curves[0]["epoch"] == [0.0, 0.333]


def test_the_shares_in_the_saturation_and_dead_relu_messages_are_computed_on_the_training_points():
    from tinynet.playground.views import hidden_outputs

    session = Session({"activation": "sigmoid", "optimizers": [{"name": "sgd", "lr": 30}]})
    session.step(40)
    (A1, _), _ = hidden_outputs(session.trainers[0].model, session.inputs(session.X_train))
    share = np.mean((A1 < 0.01) | (A1 > 0.99))
    assert session.state()["panels"][0]["signals"][0].startswith(
        f"layer 1 is saturated: {share:.0%} of its sigmoid outputs")
    dead = Session({"optimizers": [{"name": "sgd", "lr": 12}], "activation": "relu"})
    dead.step(60)  # about 88% of layer 2's units dead: no rounding makes another count agree
    outputs, _ = hidden_outputs(dead.trainers[0].model, dead.inputs(dead.X_train))
    shares = [np.mean(~(A > 0).any(axis=0)) for A in outputs]
    assert 0.5 < max(shares) < 1
    assert dead.state()["panels"][0]["signals"] == [
        f"{share:.0%} of the ReLU units of layer {l} are dead (0 on every training point), so "
        f"they pass no gradient: try a smaller lr, or leaky_relu"
        for l, share in enumerate(shares, start=1) if share > 0.5]
