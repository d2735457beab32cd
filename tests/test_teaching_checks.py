"""The teaching warnings' checks one by one, on states set by hand: when each fires, at
which boundary, for which layer, once per key, and with which words."""

import types
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet import teaching
from tinynet.teaching import (
    DeadReLUWarning,
    EpsDominatesWarning,
    LossRisingWarning,
    check_dead_relus,
    check_eps,
    check_loss_rising,
)


def caught(check, *args):
    """The teaching warnings a check gives (numpy's RuntimeWarnings would be errors)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        check(*args)
    return [w for w in seen if issubclass(w.category, tn.TeachingWarning)]


def messages(check, *args):
    """The words of each warning, each checked to be of the check's own category."""
    category = {check_loss_rising: LossRisingWarning, check_dead_relus: DeadReLUWarning,
                check_eps: EpsDominatesWarning}[check]
    seen = caught(check, *args)
    assert all(w.category is category for w in seen)
    return [str(w.message) for w in seen]


# ----- the loss rising ----------------------------------------------------------------------

def trainer_with_losses(losses, lr=0.1):
    return types.SimpleNamespace(history=tn.History({"loss": losses} if losses is not None
                                                    else {}),
                                 optimizer=types.SimpleNamespace(lr=lr), _warned=set())


@pytest.mark.parametrize("losses, warns", [
    ([1.0, 2.0, 3.0, 4.0], True),
    ([9.0, 1.0, 2.0, 3.0, 4.0], True),   # the last four rise: the fifth does not matter
    ([1.0, 2.0, 3.0], False),            # three epochs are two rises
    ([1.0, 2.0, 2.0, 3.0], False),       # level is not rising
    ([3.0, 1.0, 2.0, 3.0], False),
    (None, False),                       # no loss recorded yet
])
def test_the_loss_rising_three_epochs_in_a_row(losses, warns):
    assert len(caught(check_loss_rising, trainer_with_losses(losses))) == int(warns)


def test_the_rising_loss_message_quotes_the_first_and_last_loss_and_lr():
    trainer = trainer_with_losses([0.5, 1.0, 2.0, 4.25], lr=0.3)
    assert messages(check_loss_rising, trainer) == [
        "the training loss rose for 3 epochs in a row (0.5 -> 4.25): the learning rate "
        "(lr=0.3) may be too large"]
    trainer.history.append(loss=5.0)
    assert caught(check_loss_rising, trainer) == []  # once per fit


# ----- dead ReLUs -------------------------------------------------------------------------

def relu_with_mask(mask):
    relu = tn.ReLU()
    relu._mask = np.array(mask, dtype=bool)
    return relu


def trainer_with_layers(*layers):
    dense = [x for x in layers if isinstance(x, tn.Dense)]
    return types.SimpleNamespace(model=types.SimpleNamespace(layers=list(layers),
                                                             dense_layers=dense),
                                 _warned=set())


HALF_DEAD = [[0, 0, 1, 1]] * 4 + [[0, 0, 0, 1]] * 4  # units 0, 1 never on; 2 half the time


def test_a_relu_unit_is_dead_when_it_is_off_for_every_sample_of_the_batch():
    trainer = trainer_with_layers(tn.Dense(2, 4), relu_with_mask(HALF_DEAD))
    assert caught(check_dead_relus, trainer, 8) == []  # unit 2 is off for some samples only
    trainer = trainer_with_layers(tn.Dense(2, 4), relu_with_mask([[0, 0, 0, 1]] * 8))
    assert messages(check_dead_relus, trainer, 8) == [
        "75% of the ReLU units after Dense layer 1 are dead (output 0 for all 8 samples of a "
        "batch), so they pass no gradient: try a smaller learning rate, He init, or LeakyReLU"]


def test_exactly_half_dead_is_not_flagged_and_a_small_batch_is_not_judged():
    all_dead = [[0, 0, 0, 0]] * 8
    assert caught(check_dead_relus, trainer_with_layers(tn.Dense(2, 4),
                                                        relu_with_mask(all_dead)), 7) == []
    assert len(caught(check_dead_relus, trainer_with_layers(tn.Dense(2, 4),
                                                            relu_with_mask(all_dead)), 8)) == 1


def test_each_dead_layer_is_named_by_the_dense_layer_before_it_once_each():
    dead = [[0, 0, 0, 0]] * 8
    alive = [[1, 1, 1, 1]] * 8
    dropout = tn.Dropout(0.5, rng=np.random.default_rng(0))
    dropout._mask = np.zeros((8, 4), dtype=bool)  # not a ReLU: its mask says nothing
    unused = tn.ReLU()  # a ReLU that has not run: no mask yet
    trainer = trainer_with_layers(tn.Dense(2, 4), relu_with_mask(dead), tn.Dense(4, 4),
                                  relu_with_mask(alive), dropout, tn.Dense(4, 4),
                                  relu_with_mask(dead), unused, tn.Dense(4, 2))
    said = messages(check_dead_relus, trainer, 8)
    assert [m.split(" are dead")[0] for m in said] == [
        "100% of the ReLU units after Dense layer 1", "100% of the ReLU units after Dense layer 3"]
    assert caught(check_dead_relus, trainer, 8) == []  # once per layer and fit


# ----- eps dominating -----------------------------------------------------------------------

def trained(opt, widths=(3, 4, 2), steps=1):
    """A trainer after ``steps`` steps, its optimizer state ready to be set by hand."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, widths[0])), rng.integers(0, widths[-1], 8)
    trainer = tn.Trainer(tn.mlp(list(widths), seed=0), tn.SoftmaxCrossEntropy(), opt,
                         batch_size=8, progress=False, teaching_warnings=False)
    if steps:
        trainer.fit(X, y, epochs=steps)
    trainer._warned = set()
    return trainer


def set_root(trainer, l, roots):
    """Make sqrt(s) of layer l's W the given values, row by row (s = 0: never updated)."""
    s = trainer.optimizer.s_dW[l]
    s[...] = np.resize(np.asarray(roots, dtype=float) ** 2, s.size).reshape(s.shape)


def test_eps_dominates_where_sqrt_s_is_below_eps_for_most_updated_weights():
    trainer = trained(tn.optimizers.RMSProp(lr=0.01, eps=0.25))
    # layer 1 (12 weights): 4 never updated (left out), of the other 8: 5 below eps
    set_root(trainer, 1, [0.0] * 4 + [0.1] * 5 + [1.0] * 3)
    set_root(trainer, 2, [1.0])
    assert messages(check_eps, trainer) == [
        "eps=0.25 dominates the denominator for 62% of layer 1's weights (sqrt(s) < eps): "
        "there RMSProp is plain SGD with lr/eps = 0.04; lower eps (1e-8 is usual)"]


@pytest.mark.parametrize("roots, warns", [
    ([0.1] * 6 + [1.0] * 6, False),          # exactly half below: not most
    ([0.25] * 12, False),                    # sqrt(s) = eps: rate exactly lr / (2 eps)
    ([0.375] * 12, False),                   # between eps and 2 eps: not dominated
    ([0.0] * 12, False),                     # nothing updated yet: nothing to judge
])
def test_eps_boundaries(roots, warns):
    trainer = trained(tn.optimizers.RMSProp(lr=0.01, eps=0.25))
    set_root(trainer, 1, roots)
    set_root(trainer, 2, [1.0])
    assert len(caught(check_eps, trainer)) == int(warns)


def test_eps_is_judged_for_every_layer_once_each():
    trainer = trained(tn.optimizers.RMSProp(lr=0.01, eps=0.25))
    set_root(trainer, 1, [0.1])
    set_root(trainer, 2, [0.1])
    said = messages(check_eps, trainer)
    assert [m.split("% of ")[1].split("'s")[0] for m in said] == ["layer 1", "layer 2"]
    assert caught(check_eps, trainer) == []


def test_eps_is_not_judged_before_a_step_without_eps_or_with_eps_inside_the_root():
    assert caught(check_eps, trained(tn.optimizers.RMSProp(eps=0.25), steps=0)) == []
    inside = trained(tn.optimizers.RMSProp(lr=0.01, eps=0.5, eps_inside=True))
    # lr / sqrt(s + eps) is another formula: its rates near s = 0 (1.41 lr) lie above the
    # lr / (2 eps) = lr that would count as dominated by an eps outside the root
    set_root(inside, 1, [0.01])
    assert caught(check_eps, inside) == []
    adam = trained(tn.optimizers.Adam(lr=0.01, eps=0.25))  # no eps_inside: judged
    adam.optimizer.s_dW[1][...] = 1e-6
    assert "there Adam is plain SGD" in messages(check_eps, adam)[0]


def test_an_optimizer_without_eps_is_never_said_to_be_dominated_by_it():
    class Graded(tn.optimizers.SGD):
        """Rates from lr/2 to 2 lr, no eps: nothing to dominate."""

        def effective_lr(self, l):
            rates = super().effective_lr(l)
            rates["W"] = rates["W"] * np.linspace(0.5, 2.0, rates["W"].size).reshape(
                rates["W"].shape)
            return rates

    assert caught(check_eps, trained(Graded(lr=0.01))) == []
    assert caught(check_eps, trained(tn.optimizers.Momentum(lr=0.01))) == []


# ----- when the checks run ----------------------------------------------------------------

def test_dead_relus_are_checked_on_each_epochs_first_batch_and_eps_after_the_first_epoch(
        monkeypatch):
    calls = []
    monkeypatch.setattr(teaching, "check_dead_relus",
                        lambda trainer, size: calls.append(("relu", trainer.optimizer.t, size)))
    monkeypatch.setattr(teaching, "check_eps",
                        lambda trainer: calls.append(("eps", trainer.epoch)))
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    trainer = tn.Trainer(tn.mlp([3, 4, 2], seed=0), tn.SoftmaxCrossEntropy(), "sgd",
                         batch_size=8, progress=False)  # 3 batches: 8, 8, 4
    trainer.fit(X, y, epochs=2)
    assert calls == [("relu", 1, 8), ("eps", 1), ("relu", 4, 8)]  # eps: one epoch done
    calls.clear()
    trainer.fit(X, y, epochs=2)  # a new fit: eps after its own first epoch
    assert calls == [("relu", 7, 8), ("eps", 3), ("relu", 10, 8)]
