"""Training workflow: callbacks, early stopping, divergence guard, Ctrl-C, History."""

import os
import signal

import numpy as np
import pytest

import tinynet as tn
from tinynet.optimizers import schedules


def small_digits(n=120):
    X_train, X_test, y_train, y_test = tn.datasets.load("digits", seed=0)
    return X_train[:n], y_train[:n], X_test, y_test


def trainer_for(opt, seed=0, hidden=(32,), callbacks=(), batch_size=16):
    model = tn.mlp([64, *hidden, 10], seed=seed)
    return tn.Trainer(model, tn.SoftmaxCrossEntropy(), opt, batch_size=batch_size, seed=seed,
                      progress=False, callbacks=callbacks)


class Recorder(tn.Callback):
    def __init__(self):
        self.events, self.weights, self.states, self.grad_norms = [], [], [], []

    def on_train_begin(self, trainer):
        self.events.append("train_begin")

    def on_epoch_begin(self, trainer, epoch):
        self.events.append(f"epoch_begin {epoch}")

    def on_batch_end(self, trainer, step, logs):
        self.events.append("batch")
        self.grad_norms.append(np.linalg.norm(trainer.model.dense_layers[0].dW))

    def on_epoch_end(self, trainer, epoch, logs):
        self.events.append(f"epoch_end {epoch} {sorted(logs)}")
        self.weights.append({k: a.copy() for k, a in trainer.model.arrays().items()})
        self.states.append(trainer.optimizer.state_dict())

    def on_train_end(self, trainer):
        self.events.append("train_end")


def test_callback_hooks_run_in_order_and_see_the_trainer():
    X, y, Xv, yv = small_digits(64)
    rec = Recorder()
    t = trainer_for("sgd", callbacks=[rec])
    t.fit(X, y, epochs=2, validation_data=(Xv, yv))
    batches = ["batch"] * 4
    assert rec.events == ["train_begin", "epoch_begin 0", *batches,
                          "epoch_end 0 ['accuracy', 'loss', 'lr', 'val_accuracy', 'val_loss']",
                          "epoch_begin 1", *batches,
                          "epoch_end 1 ['accuracy', 'loss', 'lr', 'val_accuracy', 'val_loss']",
                          "train_end"]
    assert all(n > 0 for n in rec.grad_norms)  # callbacks read each layer's dW


def test_early_stopping_restores_best_weights_and_optimizer_state():
    X, y, Xv, yv = small_digits(80)
    rec = Recorder()
    stop = tn.EarlyStopping(monitor="val_loss", patience=3)
    t = trainer_for(tn.optimizers.RMSProp(lr=0.01), hidden=(128,), callbacks=[rec, stop])
    h = t.fit(X, y, epochs=200, validation_data=(Xv, yv))
    assert len(h) < 200 and stop.stopped_epoch == len(h) - 1
    best = int(np.argmin(h["val_loss"]))
    assert stop.best_epoch == best and stop.best == h["val_loss"][best]
    assert len(h) == best + 1 + 3 + 1  # patience 3: stops at the 4th epoch without improvement
    for key, arr in t.model.arrays().items():
        assert np.array_equal(arr, rec.weights[best][key]), key
    state = t.optimizer.state_dict()
    assert state["t"] == rec.states[best]["t"] < rec.states[-1]["t"]
    for key in ("s_dW/1", "s_db/1", "s_dW/2", "s_db/2"):
        assert np.array_equal(state[key], rec.states[best][key]), key
    assert t.evaluate(Xv, yv)["loss"] == pytest.approx(h["val_loss"][best], rel=1e-12)


def test_early_stopping_arguments():
    with pytest.raises(ValueError, match="patience must be >= 0"):
        tn.EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="min_delta must be >= 0"):
        tn.EarlyStopping(min_delta=-0.1)
    with pytest.raises(ValueError, match="mode must be"):
        tn.EarlyStopping(mode="up")
    assert tn.EarlyStopping(monitor="val_accuracy").mode == "max"
    X, y, _, _ = small_digits(32)
    t = trainer_for("sgd", callbacks=[tn.EarlyStopping()])
    with pytest.raises(ValueError, match="monitors 'val_loss'.*need validation_data"):
        t.fit(X, y, epochs=2)
    with pytest.raises(TypeError, match=r"callbacks\[0\] is a str"):
        t.fit(X, y, callbacks=["early"])


def test_learning_rate_schedule_callback():
    X, y, _, _ = small_digits(32)
    sched = tn.LearningRateScheduler(schedules.StepDecay(step_size=2, gamma=0.1))
    t = trainer_for(tn.optimizers.Momentum(lr=0.1), callbacks=[sched])
    h = t.fit(X, y, epochs=5)
    np.testing.assert_allclose(h["lr"], [0.1, 0.1, 0.01, 0.01, 0.001], rtol=1e-12)
    assert t.optimizer.lr == pytest.approx(0.001)


def test_optimizer_stats_every_k_steps():
    X, y, _, _ = small_digits(64)  # 4 steps per epoch
    stats = tn.OptimizerStats(every=3)
    t = trainer_for(tn.optimizers.RMSProp(lr=0.01), callbacks=[stats])
    t.fit(X, y, epochs=3)  # 12 steps: recorded after steps 1, 4, 7, 10 (t = 0, 3, 6, 9 before)
    steps = t.history.steps
    assert steps["step"] == [1, 4, 7, 10]
    for l in (1, 2):
        lo, mean, hi = (np.array(steps[f"eff_lr_{k}/{l}"]) for k in ("min", "mean", "max"))
        assert np.all(lo <= mean) and np.all(mean <= hi) and np.all(lo > 0)
        ratio = np.array(steps[f"update_ratio/{l}"])
        assert np.all(ratio > 0) and np.all(ratio < 1)
    # the first record is RMSProp's first step: eff lr = lr / (sqrt((1 - rho) g²) + eps)
    assert steps["eff_lr_max/1"][0] > steps["eff_lr_min/1"][0]


def replay_steps(opt_factory, steps):
    """Weights of a fresh identical run after exactly ``steps`` optimizer steps."""
    X, y, _, _ = small_digits()
    t = trainer_for(opt_factory())
    done = 0
    while done < steps:
        for Xb, yb in t.batches(X, y):
            if done == steps:
                break
            t.loss.forward(t.model.forward(Xb), yb)
            t.model.backward(t.loss.backward())
            t.optimizer.step(t.model)
            done += 1
    return t.model.arrays()


@pytest.mark.parametrize("make", [lambda: tn.optimizers.SGD(lr=1e6),
                                  lambda: tn.optimizers.Momentum(lr=1e6)],
                         ids=["sgd", "momentum"])
def test_divergence_guard_names_the_step_and_keeps_weights_from_before_it(make):
    X, y, _, _ = small_digits()
    t = trainer_for(make())
    with np.errstate(all="ignore"):
        with pytest.raises(tn.DivergenceError, match=r"diverged in epoch \d+, step \d+") as info:
            t.fit(X, y, epochs=20)
    err = info.value
    assert "lr=1e+06" in str(err) and "as they were before that step" in str(err)
    assert all(np.isfinite(a).all() for a in t.model.arrays().values())
    assert t.optimizer.t == err.global_step - 1
    assert t.epoch == err.epoch - 1
    with np.errstate(all="ignore"):
        expected = replay_steps(make, err.global_step - 1)
    for key, arr in t.model.arrays().items():
        assert np.array_equal(arr, expected[key]), key


def test_divergence_in_the_forward_pass_names_the_layer():
    X, y, _, _ = small_digits(32)
    t = trainer_for("sgd", hidden=(8, 8))
    t.model.dense_layers[1].W[...] = 1e308  # finite, but its output overflows
    before = {k: a.copy() for k, a in t.model.arrays().items()}
    with pytest.raises(tn.DivergenceError, match="epoch 1, step 1 .*layer 2's output overflowed"):
        t.fit(X, y, epochs=1)
    assert all(np.array_equal(a, before[k]) for k, a in t.model.arrays().items())
    assert t.optimizer.t == 0 and len(t.history) == 0


def test_ctrl_c_stops_after_the_current_step_and_keeps_everything():
    X, y, _, _ = small_digits(128)

    class PressCtrlC(tn.Callback):
        def on_batch_end(self, trainer, step, logs):
            if step == 5:
                os.kill(os.getpid(), signal.SIGINT)

    t = trainer_for("sgd", callbacks=[PressCtrlC()])
    t.progress = True
    before = {k: a.copy() for k, a in t.model.arrays().items()}
    handler = signal.getsignal(signal.SIGINT)  # SIG_IGN in a job started with & from a script
    h = t.fit(X, y, epochs=3)
    assert h.interrupted and t.optimizer.t == 5 and t.epoch == 0 and len(h) == 0
    assert not np.array_equal(before["W/1"], t.model.dense_layers[0].W)
    assert signal.getsignal(signal.SIGINT) is handler  # put back as it was
    t.callbacks = []
    h = t.fit(X, y, epochs=1)
    assert not h.interrupted and t.epoch == 1


def test_history_to_csv(tmp_path):
    X, y, Xv, yv = small_digits(64)
    t = trainer_for("sgd", callbacks=[tn.OptimizerStats(every=2)])
    h = t.fit(X, y, epochs=3, validation_data=(Xv, yv))
    h.to_csv(tmp_path / "h.csv")
    lines = (tmp_path / "h.csv").read_text().splitlines()
    assert lines[0] == "epoch,loss,accuracy,val_loss,val_accuracy,lr"
    assert len(lines) == 4 and lines[3].startswith("3,")
    assert float(lines[2].split(",")[1]) == h["loss"][1]
    h.to_csv(tmp_path / "steps.csv", table="steps")
    header = (tmp_path / "steps.csv").read_text().splitlines()[0]
    assert header.startswith("step,epoch,eff_lr_mean/1")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        h.to_csv(tmp_path / "missing" / "h.csv")
    with pytest.raises(ValueError, match="table must be"):
        h.to_csv(tmp_path / "x.csv", table="layers")


def test_regression_history_reports_r2():
    X_train, X_test, y_train, y_test = data = tn.datasets.load("diabetes", seed=0)
    assert data.task == "regression" and abs(np.mean(y_train)) < 1e-12
    model = tn.mlp([10, 16, 1], head="identity", seed=0)
    t = tn.Trainer(model, tn.MSE(), "rmsprop", progress=False)
    h = t.fit(X_train, y_train, epochs=30, validation_data=(X_test, y_test))
    assert {"loss", "r2", "val_loss", "val_r2"} <= set(h.keys())
    assert h["r2"][-1] > 0.4 and h["val_r2"][-1] > 0.2
    from sklearn.metrics import r2_score
    assert h["val_r2"][-1] == pytest.approx(r2_score(y_test, model.predict(X_test)), rel=1e-9)
