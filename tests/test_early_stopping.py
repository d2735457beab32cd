"""EarlyStopping's bookkeeping, exactly: its defaults and checks, when it stops, what a new
fit resets, and what its state keeps across a checkpoint."""

import types

import numpy as np
import pytest

import tinynet as tn

FRESH = {"data": {"best": None, "best_epoch": None, "wait": 0, "stopped_epoch": None},
         "arrays": {}}


def scripted(es, values):
    """Feed ``values`` as one epoch each; return the trainer stand-in and when it stopped."""
    trainer = types.SimpleNamespace(stop_training=False)
    es.on_train_begin(trainer)
    stops = []
    for epoch, value in enumerate(values):
        es.on_epoch_end(trainer, epoch, {"loss": value})
        stops.append(trainer.stop_training)
    return trainer, stops


def test_defaults_and_the_checks_of_its_arguments():
    es = tn.EarlyStopping()
    assert (es.monitor, es.patience, es.min_delta, es.mode) == ("val_loss", 10, 0.0, "min")
    assert es.state_dict() == FRESH
    assert tn.EarlyStopping("val_r2").mode == tn.EarlyStopping("val_accuracy").mode == "max"
    assert tn.EarlyStopping("loss", mode="max").mode == "max"
    with pytest.raises(TypeError, match="monitor must be a metric name like 'val_loss', got ''"):
        tn.EarlyStopping("")
    with pytest.raises(TypeError, match="patience must be an integer, got 2.5"):
        tn.EarlyStopping(patience=2.5)
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max', got 'big'"):
        tn.EarlyStopping(mode="big")


def test_it_stops_after_patience_epochs_without_improvement():
    es = tn.EarlyStopping("loss", patience=2, restore_best=False)
    _, stops = scripted(es, [1.0, 0.9, 0.95, 0.91, 0.92])
    assert stops == [False, False, False, False, True]
    assert (es.best, es.best_epoch, es.wait, es.stopped_epoch) == (0.9, 1, 3, 4)


@pytest.mark.parametrize("mode, sign", [("min", 1.0), ("max", -1.0)])
def test_an_improvement_must_beat_the_best_by_more_than_min_delta_in_either_direction(mode,
                                                                                    sign):
    # values exact in binary: a gain of exactly min_delta (0.25) is not an improvement, a
    # gain of 0.125 neither, a gain of 0.5 is; in mode "max" the same with signs turned
    es = tn.EarlyStopping("loss", patience=5, min_delta=0.25, mode=mode, restore_best=False)
    scripted(es, [sign * v for v in (2.0, 1.875, 0.5, 0.25)])
    assert (es.best, es.best_epoch, es.wait) == (sign * 0.5, 2, 1)
    es = tn.EarlyStopping("loss", patience=5, mode=mode, restore_best=False)
    scripted(es, [sign * v for v in (2.0, 2.0, 1.0, 3.0)])  # min_delta 0: any gain counts
    assert (es.best, es.best_epoch, es.wait) == (sign * 1.0, 2, 1)


def test_a_new_fit_counts_anew_but_a_resumed_one_goes_on():
    es = tn.EarlyStopping("loss", patience=1, restore_best=False)
    scripted(es, [1.0, 2.0, 3.0])
    used = es.state_dict()
    assert used["data"] == {"best": 1.0, "best_epoch": 0, "wait": 2, "stopped_epoch": 2}
    es.on_train_begin(types.SimpleNamespace())  # the same callback in a new fit
    assert es.state_dict() == FRESH
    resumed = tn.EarlyStopping("loss", patience=1, restore_best=False)
    resumed.load_state_dict(used)
    resumed.on_train_begin(types.SimpleNamespace())  # resuming: keep counting
    assert resumed.state_dict() == used
    resumed.on_train_begin(types.SimpleNamespace())  # a later fit: anew
    assert resumed.state_dict() == FRESH


def test_its_state_carries_the_best_weights_and_optimizer_state():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40)
    es = tn.EarlyStopping("loss", patience=50)
    tn.Trainer(tn.mlp([3, 4, 2], seed=0), tn.SoftmaxCrossEntropy(), "adam", batch_size=8,
               progress=False, callbacks=[es]).fit(X, y, epochs=3)
    state = es.state_dict()
    assert {"W/1", "b/1", "W/2", "b/2"} == {k[len("weights/"):] for k in state["arrays"]
                                           if k.startswith("weights/")}
    assert state["data"]["optimizer"]["name"] == "adam"
    again = tn.EarlyStopping("loss", patience=50)
    again.load_state_dict(state)
    restored = again.state_dict()
    assert restored["data"] == state["data"]
    assert restored["arrays"].keys() == state["arrays"].keys()
    assert all(np.array_equal(restored["arrays"][k], a) for k, a in state["arrays"].items())
