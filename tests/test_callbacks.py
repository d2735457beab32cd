"""Callbacks, value by value: OptimizerStats' records, the rate LearningRateScheduler sets,
when Checkpoint saves, and what a checkpoint's callbacks come back as (EarlyStopping has its
own file, test_early_stopping.py)."""

import numpy as np
import pytest

import tinynet as tn
from tinynet.callbacks import rebuild
from tinynet.optimizers import schedules


def one_step_per_epoch(opt, callbacks, n_features=4, zero_column=None, seed=0):
    """A trainer whose whole data set is one batch of 8, so epoch e makes step e + 1."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((8, n_features))
    if zero_column is not None:
        X[:, zero_column] = 0.0  # that input's weights never get a gradient
    y = rng.integers(0, 3, 8)
    trainer = tn.Trainer(tn.mlp([n_features, 5, 3], seed=seed), tn.SoftmaxCrossEntropy(), opt,
                         batch_size=8, progress=False, callbacks=callbacks)
    return trainer, X, y


class Recorder(tn.Callback):
    """What OptimizerStats should have recorded, worked out here from the same step."""

    def on_batch_begin(self, trainer, step):
        self.before = [d.W.copy() for d in trainer.model.dense_layers]

    def on_batch_end(self, trainer, step, logs):
        self.after = [d.W.copy() for d in trainer.model.dense_layers]
        self.eff = [trainer.optimizer.effective_lr(l)["W"].copy() for l in (1, 2)]


def test_optimizer_stats_records_the_rates_of_weights_that_had_a_gradient_and_the_step_size():
    opt = tn.optimizers.RMSProp(lr=0.01, rho=0.9, eps=1e-8)
    recorder = Recorder()
    stats = tn.OptimizerStats(every=1)
    trainer, X, y = one_step_per_epoch(opt, [recorder, stats], zero_column=2)
    trainer.fit(X, y, epochs=1)
    steps = trainer.history.steps
    assert steps["step"] == [1.0] and steps["epoch"] == [0.0]
    eff1 = recorder.eff[0]
    ceiling = opt.lr / opt.eps
    assert np.all(eff1[2] == ceiling) and np.all(eff1[[0, 1, 3]] < ceiling)
    for l, eff in ((1, eff1[[0, 1, 3]]), (2, recorder.eff[1])):
        assert steps[f"eff_lr_mean/{l}"] == [pytest.approx(np.mean(eff), rel=1e-12)]
        assert steps[f"eff_lr_median/{l}"] == [pytest.approx(np.median(eff), rel=1e-12)]
        assert steps[f"eff_lr_min/{l}"] == [np.min(eff)]
        assert steps[f"eff_lr_max/{l}"] == [np.max(eff)]
        change = recorder.after[l - 1] - recorder.before[l - 1]
        assert steps[f"update_ratio/{l}"] == [pytest.approx(
            np.linalg.norm(change) / np.linalg.norm(recorder.after[l - 1]), rel=1e-12)]
    assert steps["eff_lr_max/1"][0] < ceiling  # the never-updated row is left out


@pytest.mark.filterwarnings("ignore::tinynet.teaching.DeadReLUWarning")
def test_optimizer_stats_uses_every_rate_when_no_weight_has_had_a_gradient():
    opt = tn.optimizers.RMSProp(lr=0.01, eps=1e-8)
    trainer, X, y = one_step_per_epoch(opt, [tn.OptimizerStats(every=1)])
    X[:] = 0.0  # layer 1 gets no gradient at all: every rate is the ceiling lr / eps
    trainer.fit(X, y, epochs=1)
    steps = trainer.history.steps
    ceiling = opt.lr / opt.eps
    for key in ("mean", "median", "min", "max"):
        assert steps[f"eff_lr_{key}/1"] == [pytest.approx(ceiling, rel=1e-12)]


@pytest.mark.filterwarnings("ignore::tinynet.teaching.DeadReLUWarning")
def test_optimizer_stats_for_plain_sgd_is_lr_and_a_zero_step_of_zero_weights_is_ratio_0():
    opt = tn.optimizers.SGD(lr=0.05)
    trainer, X, y = one_step_per_epoch(opt, [tn.OptimizerStats(every=1)])
    first = trainer.model.dense_layers[0]
    first.W[...] = 0.0
    X[:] = 0.0  # W stays all zero: ||dW|| / ||W|| would be 0 / 0
    trainer.fit(X, y, epochs=1)
    steps = trainer.history.steps
    assert steps["update_ratio/1"] == [0.0]
    assert steps["update_ratio/2"] == [0.0]  # its inputs, layer 1's outputs, are all 0
    for key in ("mean", "median", "min", "max"):
        assert steps[f"eff_lr_{key}/1"] == [pytest.approx(0.05, rel=1e-12)]
        assert steps[f"eff_lr_{key}/2"] == [pytest.approx(0.05, rel=1e-12)]


def test_optimizer_stats_of_an_optimizer_without_eps_keeps_every_rate():
    class Graded(tn.optimizers.SGD):
        """SGD whose rate grows along each row of W: no eps, so no ceiling to leave out."""

        def effective_lr(self, l):
            rates = super().effective_lr(l)
            rates["W"] = rates["W"] * np.linspace(0.5, 2.0, rates["W"].shape[1])
            return rates

    trainer, X, y = one_step_per_epoch(Graded(lr=0.1), [tn.OptimizerStats(every=1)])
    trainer.fit(X, y, epochs=1)
    steps = trainer.history.steps
    assert steps["eff_lr_min/1"] == [pytest.approx(0.05)]
    assert steps["eff_lr_max/1"] == [pytest.approx(0.2)]  # above lr: kept


def test_optimizer_stats_records_after_steps_1_every_plus_1_and_so_on():
    trainer, X, y = one_step_per_epoch("sgd", [tn.OptimizerStats(every=2)])
    trainer.fit(X, y, epochs=5)  # steps 1..5; t before them 0..4
    assert trainer.history.steps["step"] == [1.0, 3.0, 5.0]
    assert trainer.history.steps["epoch"] == [0.0, 2.0, 4.0]
    assert tn.OptimizerStats().every == 10 and tn.OptimizerStats(3).config() == {"every": 3}
    with pytest.raises(ValueError, match="every must be >= 1"):
        tn.OptimizerStats(every=0)
    with pytest.raises(TypeError, match="every must be an integer, got 2.5"):
        tn.OptimizerStats(every=2.5)


def test_the_scheduler_sets_each_epochs_rate_from_the_initial_one():
    seen = []

    def halve(lr0, epoch):
        seen.append((lr0, epoch))
        return lr0 / 2**epoch

    trainer, X, y = one_step_per_epoch(tn.optimizers.SGD(lr=0.4),
                                       [tn.LearningRateScheduler(halve)])
    trainer.fit(X, y, epochs=3)
    assert seen == [(0.4, 0), (0.4, 1), (0.4, 2)]
    assert trainer.history["lr"] == [0.4, 0.2, 0.1] and trainer.optimizer.lr == 0.1


@pytest.mark.parametrize("bad, message", [(0.0, "must be > 0.0, got 0.0"),
                                          (-0.1, "must be > 0.0, got -0.1"),
                                          (float("nan"), "must be finite, got nan")])
def test_a_schedule_giving_a_rate_that_is_not_positive_stops_with_its_value(bad, message):
    trainer, X, y = one_step_per_epoch("sgd", [tn.LearningRateScheduler(lambda lr0, e: bad)])
    with pytest.raises(ValueError, match=f"scheduled lr {message}"):
        trainer.fit(X, y, epochs=1)
    assert trainer.optimizer.lr == 0.01 and trainer.optimizer.t == 0


def test_a_scheduler_saves_a_tinynet_schedule_by_name_and_no_other_callable():
    sched = tn.LearningRateScheduler(schedules.StepDecay(step_size=3, gamma=0.5))
    assert sched.config() == {"schedule": {"name": "step", "step_size": 3, "gamma": 0.5}}
    assert tn.LearningRateScheduler(lambda lr0, e: lr0).config() is None
    with pytest.raises(TypeError, match="schedule must be callable"):
        tn.LearningRateScheduler(0.1)


def test_checkpoint_saves_after_every_nth_epoch(tmp_path):
    path = tmp_path / "run.npz"
    trainer, X, y = one_step_per_epoch("sgd", [tn.Checkpoint(path, every=3)])
    trainer.fit(X, y, epochs=2)
    assert not path.exists()
    trainer.fit(X, y, epochs=3)  # epoch indices 2, 3, 4: saved after 2, not after 3 or 4
    assert trainer.epoch == 5 and tn.Trainer.load_checkpoint(path).epoch == 3
    trainer.fit(X, y, epochs=1)  # index 5
    assert tn.Trainer.load_checkpoint(path).epoch == 6
    assert tn.Checkpoint(path).every == 1
    with pytest.raises(ValueError, match="every must be >= 1, got 0"):
        tn.Checkpoint(path, every=0)
    with pytest.raises(TypeError, match="every must be an integer, got 2.5"):
        tn.Checkpoint(path, every=2.5)


def test_the_base_callback_saves_nothing_and_does_nothing():
    cb = tn.Callback()
    assert cb.config() is None and cb.state_dict() == {"data": {}, "arrays": {}}
    trainer, X, y = one_step_per_epoch("sgd", [cb])
    trainer.fit(X, y, epochs=1)
    assert trainer.epoch == 1


def test_rebuild_brings_back_the_known_callbacks_with_their_state_and_names_the_rest():
    early = tn.EarlyStopping(patience=4, monitor="loss")
    early.best, early.best_epoch, early.wait = 0.5, 3, 2
    saved = [
        {"type": "EarlyStopping", "config": early.config(), "state": early.state_dict()},
        {"type": "LearningRateScheduler", "config": {"schedule": {
            "name": "step", "step_size": 2, "gamma": 0.1}}, "state": tn.Callback().state_dict()},
        {"type": "OptimizerStats", "config": {"every": 7}, "state": tn.Callback().state_dict()},
        {"type": "LearningRateScheduler", "config": None, "state": {}},  # a lambda's
        {"type": "Mine", "config": {}, "state": {}},
    ]
    callbacks, missing = rebuild(saved)
    assert [type(cb).__name__ for cb in callbacks] == [
        "EarlyStopping", "LearningRateScheduler", "OptimizerStats"]
    back, sched, stats = callbacks
    assert back.config() == early.config() and (back.best, back.best_epoch, back.wait) == (
        0.5, 3, 2)
    assert isinstance(sched.schedule, schedules.StepDecay) and sched.schedule(1.0, 2) == 0.1
    assert stats.every == 7
    assert missing == ["LearningRateScheduler", "Mine"]
    assert rebuild([]) == ([], [])
