"""check_optimizer catches a broken optimizer in each of its checks, and says what is
wrong in numbers a user can act on."""

import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet.optimizers import SGD, Optimizer
from tinynet.testing import OptimizerCheckError, _tiny_problem, check_optimizer


class StateKeyedFromZero(Optimizer):
    state_symbols = ("s",)

    def __init__(self, lr=0.01):
        super().__init__(lr=lr)

    def update(self, param, grad, s):
        param -= self.lr * grad

    def step(self, model):
        super().step(model)
        self.s_dW = {l - 1: a for l, a in self.s_dW.items()}


class StateOfAnotherDtype(StateKeyedFromZero):
    def step(self, model):
        Optimizer.step(self, model)
        self.s_db[2] = self.s_db[2].astype(np.float32)


class MovesWithoutGradient(SGD):
    def update(self, param, grad):
        param -= self.lr * (grad + 1e-3)


class Explodes(SGD):
    def update(self, param, grad):
        param -= grad * 1e200


class UphillOnLargeArrays(SGD):
    """Right on the two-number quadratic, wrong on the MLP's one parameter buffer."""

    def update(self, param, grad):
        param -= self.lr * grad if param.size <= 2 else -self.lr * grad


class DoesNothing(SGD):
    def update(self, param, grad):
        pass


class RebindsW(SGD):
    def update(self, W, dW):
        W = W - self.lr * dW  # noqa: F841  (the bug: a new local array, the layer's W unchanged)


class RebindsState(tn.optimizers.Momentum):
    def update(self, W, dW, v):
        v = self.beta * v + (1 - self.beta) * dW  # the bug: v stays zeros forever
        W -= self.lr * v


class NormalizesByTheNorm(SGD):
    """Claims elementwise (inherited from SGD), but divides by the whole array's norm."""

    def update(self, W, dW):
        W -= self.lr * dW / (np.linalg.norm(dW) + 1e-12)


class FastPathInAnotherOrder(tn.optimizers.RMSProp):
    def fused_update(self, param, grad, s):
        s *= self.rho
        s += (1 - self.rho) * grad * grad
        param -= self.lr * grad / (np.sqrt(s) + self.eps)


class UnguardedRAdam(tn.optimizers.RAdam):
    """RAdam as it was: sqrt(1 - beta2^t) / (sqrt(s) + eps) is inf where s = 0 and eps = 0,
    and v_hat * inf = 0 * inf = NaN, from the first rectified step (t = 6) on."""

    def update(self, W, dW, v, s):
        v[...] = self.beta1 * v + (1 - self.beta1) * dW
        s[...] = self.beta2 * s + (1 - self.beta2) * (dW * dW)
        v_hat = v / (1 - self.beta1**self.t)
        r = self.rectification(self.t)
        if r is None:
            W -= self.lr * v_hat
        else:
            W -= v_hat * self.lr * (np.sqrt(1 - self.beta2**self.t) / (np.sqrt(s) + self.eps)) * r


class DriftsAfterWarmup(SGD):
    """Moves every weight a little from step 10 on, gradient or not."""

    def update(self, param, grad):
        param -= self.lr * grad + (1e-6 if self.t >= 10 else 0.0)


class FastPathUnguarded(tn.optimizers.RMSProp):
    """update() guards 0/0, the fast path does not: equal bit for bit while eps > 0."""

    def fused_update(self, param, grad, s, m=None, buf=None):
        tmp = self._scratch(param)
        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - self.rho
        s *= self.rho
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += self.eps
        np.divide(grad, tmp, out=tmp)  # the bug: 0 / 0 is NaN with eps = 0
        tmp *= self.lr
        param -= tmp


class BiasesDriftAfterWarmup(SGD):
    """Moves biases (1-D arrays) a little from step 10 on, gradient or not; W stays put."""

    elementwise = False

    def update(self, param, grad):
        param -= self.lr * grad + (1e-6 if self.t >= 10 and param.ndim == 1 else 0.0)


class Crashes(SGD):
    def update(self, param, grad):
        raise ZeroDivisionError("oops")


@pytest.mark.parametrize("cls, message", [
    (StateKeyedFromZero, "'state per layer': state s_dW should have one entry per layer, "
                         "keyed 1 and 2: [0, 1]"),
    (StateOfAnotherDtype, "'state per layer': state s_db[2] should be shaped like layer 2's b "
                          "(2,) float64, got (2,) float32"),
    (MovesWithoutGradient, "'zero gradient keeps weights': a zero gradient from zero state "
                           "moved W/1 (by up to 1e-05)"),
    (Explodes, "'descends on an ill-conditioned quadratic': on the ill-conditioned quadratic "
               "½(100x² + y²) the loss went from 50.5 to nan in 100 steps"),
    (UphillOnLargeArrays, "'descends on a tiny MLP': on a tiny MLP (full batch, 50 steps) "
                          "the loss went from {first} to "),
    (DoesNothing, "'updates in place': a step with a non-zero gradient left W/1 unchanged: "
                  "update() must change W in place (W -= ...)"),
    (RebindsW, "'updates in place': a step with a non-zero gradient left W/1 unchanged: "
               "update() must change W in place"),
    (RebindsState, "'state changes in place': state v_dW is still all zeros after 2 steps "
                   "with non-zero gradients: update() must change its state in place "
                   "(v[...] = ..., v *= ...)"),
    (NormalizesByTheNorm, "'elementwise claim holds': elementwise = True, but update() run "
                          "once on all parameters gives other numbers than run layer by layer "
                          "(W/1 differs by up to"),
    (FastPathInAnotherOrder, "'fast variant equals update': fused_update() gives other numbers "
                             "than update() (b/2 differs by up to 8.67e-19 after 3 steps); the "
                             "fast variant must do update()'s operations in the same order"),
    (Crashes, "'state per layer': raised ZeroDivisionError: oops"),
    (UnguardedRAdam, "'zero-gradient entries stay put with eps=0': with eps=0, "
                     "weight_decay=0, some gradient entries always 0, "
                     "W/1 holds NaN or inf after 20 steps (layer by layer): guard the division "
                     "so that 0 / 0 gives 0"),
    (FastPathUnguarded, "'zero-gradient entries stay put with eps=0': with eps=0, "
                        "weight_decay=0, some gradient entries always 0, W/1 holds NaN or inf "
                        "after 20 steps (the fused path): guard the division so that 0 / 0 "
                        "gives 0 (tinynet.optimizers.base.divide)"),
    (BiasesDriftAfterWarmup, "'zero-gradient entries stay put with eps=0': with "
                             "weight_decay=0, weights whose gradient is always 0 moved in 20 "
                             "steps (layer by layer); with nothing to learn, nothing should "
                             "move"),
    (DriftsAfterWarmup, "'zero-gradient entries stay put with eps=0': with weight_decay=0, "
                        "weights whose gradient is always 0 moved in 20 "
                        "steps (layer by layer)"),
])
def test_each_check_catches_its_bug_and_says_what_is_wrong(cls, message):
    model, loss, X, y = _tiny_problem()  # the MLP check's problem: its loss before any step
    message = message.format(first=f"{loss.forward(model.forward(X), y):.4g}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checks themselves must not warn (overflow, ...)
        with pytest.raises(OptimizerCheckError) as info:
            check_optimizer(cls)
    assert f"{cls.__name__} failed {message}" in str(info.value)


def test_in_place_check_also_wants_the_weights_to_move():
    class StepsBOnly(SGD):  # moves biases, never W: descends, but W/1 is left unchanged
        def update(self, param, grad):
            if param.ndim == 1 and param.size != 2:
                param -= self.lr * grad

    StepsBOnly.elementwise = False
    from tinynet.testing import check_updates_in_place

    assert check_updates_in_place(StepsBOnly, {}) == (
        "a step with a non-zero gradient left W/1 unchanged: update() must change W in place "
        "(W -= ...); W = W - ... only rebinds a local name")
    assert check_updates_in_place(SGD, {}) is None


def test_round_trip_check_runs_three_more_steps():
    class ForgetsAfterFourSteps(SGD):  # state outside state_dict shows up on step 4 of 6
        def __init__(self, lr=0.01):
            super().__init__(lr=lr)
            self.calls = 0

        def step(self, model):
            self.calls += 1
            super().step(model)
            if self.calls == 4:
                for layer in tn.optimizers.trainable_layers(model):
                    layer.W *= 0.5

    with pytest.raises(OptimizerCheckError, match="did not continue identically: W/1"):
        check_optimizer(ForgetsAfterFourSteps)


def test_float32_check_names_every_upcast_array():
    class UpcastsState(SGD):
        state_symbols = ("s",)

        def update(self, param, grad, s):
            param -= self.lr * grad

        def step(self, model):
            super().step(model)
            self.s_dW[1] = self.s_dW[1].astype(np.float64)

    UpcastsState.elementwise = False
    from tinynet.testing import check_float32_kept

    assert check_float32_kept(UpcastsState, {}) == (
        "a float32 model must stay float32, but after two steps these are not: "
        "{'s_dW/1': 'float64'}")


def test_arguments():
    with pytest.raises(TypeError, match="takes an Optimizer subclass, got <class 'dict'>"):
        check_optimizer(dict)
    with pytest.raises(TypeError, match="takes an Optimizer subclass"):
        check_optimizer(SGD())
    with pytest.raises(ValueError, match="lr must be > 0"):
        check_optimizer(SGD, lr=-1.0)  # the user's mistake, not a failed check
    assert check_optimizer(SGD, lr=0.015) == [
        "state per layer", "updates in place", "state changes in place",
        "zero gradient keeps weights", "descends on an ill-conditioned quadratic",
        "descends on a tiny MLP", "state_dict round trip", "float32 stays float32",
        "elementwise claim holds", "fast variant equals update",
        "zero-gradient entries stay put with eps=0"]


class Newton(SGD):
    """Exact on ½(100x² + y²): one step lands on the minimum and stays there."""

    elementwise = False

    def update(self, param, grad):
        if param.shape == (2,):
            param -= grad / np.array([100.0, 1.0])


class BreaksAtTheLastStep(SGD):
    def update(self, param, grad):
        param -= 0.01 * grad
        if self.t == 100:
            param[...] = np.nan


def test_descent_checks_compare_the_last_loss_with_the_first():
    from tinynet.testing import check_descends_on_mlp, check_descends_on_quadratic

    assert check_descends_on_quadratic(Newton, {}) is None  # final 0 = loss after step 1
    assert "went from 50.5 to nan" in check_descends_on_quadratic(BreaksAtTheLastStep, {})
    assert "it should decrease" in check_descends_on_mlp(DoesNothing, {})  # equal is not less


def test_in_place_check_names_the_new_arrays():
    class Rebinds(SGD):
        def step(self, model):
            super().step(model)
            for layer in tn.optimizers.trainable_layers(model):
                layer.b = layer.b - 0.0

    with pytest.raises(OptimizerCheckError, match=r"new arrays: \['b/1', 'b/2'\]"):
        check_optimizer(Rebinds)
