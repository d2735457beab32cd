"""What every registered optimizer promises beyond its formula: each hyperparameter kept as
given and checked under its own name, 0/0 -> 0 whatever memory numpy hands out, the fast
path from the first step, and the effective rates and cached products it reports."""

import inspect
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet.optimizers import divide
from tinynet.testing import _backprop, _tiny_problem

NAMES = tn.optimizers.available()


def defaults(cls) -> dict:
    params = inspect.signature(cls.__init__).parameters
    return {name: params[name].default for name in cls.hyperparam_names()}


@pytest.mark.parametrize("name", NAMES)
def test_every_hyperparameter_is_kept_as_given(name):
    cls = tn.optimizers.lookup(name)
    given = {k: (not v if isinstance(v, bool) else 0.37) for k, v in defaults(cls).items()}
    assert cls(**given).hyperparams() == given


@pytest.mark.parametrize("name", NAMES)
def test_every_hyperparameter_is_checked_under_its_own_name(name):
    cls = tn.optimizers.lookup(name)
    for param, default in defaults(cls).items():
        if isinstance(default, bool):
            with pytest.raises(TypeError, match=rf"^{param} must be True or False, got 'yes'"):
                cls(**{param: "yes"})
        else:
            with pytest.raises(ValueError, match=rf"^{param} must be "):
                cls(**{param: -1.0})


def dirty_memory(n: int) -> None:
    """Free NaN-filled arrays of n floats, so that numpy's next allocations of that size
    likely reuse memory holding NaNs (what np.divide(..., where=...) without out= keeps)."""
    for _ in range(4):
        junk = np.full(n, np.nan)
        del junk


def test_divide_gives_zero_where_the_denominator_is_zero_whatever_memory_holds():
    num, den = np.array([0.0, 2.0, 0.0, 3.0]), np.array([0.0, 4.0, 0.0, 0.5])
    dirty_memory(4)
    assert divide(num, den).tolist() == [0.0, 0.5, 0.0, 6.0]


@pytest.mark.parametrize("name", ["adamax", "adadelta", "rmsprop", "adam", "radam", "nadam"])
def test_entries_that_never_get_a_gradient_stay_put_with_eps_0_on_dirty_memory(name):
    cls = tn.optimizers.lookup(name)
    model, loss, X, y = _tiny_problem()
    opt = cls(eps=0.0)
    opt.fused = False  # the formula, array by array: numpy allocates every temporary
    first = model.dense_layers[0]
    W0 = first.W[0].copy()
    for _ in range(8):
        _backprop(model, loss, X, y)
        first.dW[0] = 0.0
        dirty_memory(first.W.size)
        with np.errstate(all="ignore"):
            opt.step(model)
    assert np.array_equal(first.W[0], W0) and np.isfinite(first.W).all()


def test_the_fast_path_runs_from_the_first_step():
    calls = []

    class Spy(tn.optimizers.RMSProp):
        def fused_update(self, param, grad, s, m=None, buf=None):
            calls.append(param.size)
            super().fused_update(param, grad, s, m, buf)

    model, loss, X, y = _tiny_problem()
    _backprop(model, loss, X, y)
    Spy().step(model)
    assert calls == [model.n_params()]  # once, over the whole buffer


def test_adam_with_amsgrad_reports_the_rate_from_the_largest_second_moment():
    layer = tn.Dense(2, 1)
    opt = tn.optimizers.Adam(lr=0.1, amsgrad=True)
    for g in (10.0, 0.1):  # s shrinks after the large gradient; s_max keeps it
        layer.dW, layer.db = np.full((2, 1), g), np.full(1, g)
        opt.step([layer])
    s_hat = opt.s_max_dW[1] / (1 - opt.beta2**2)
    np.testing.assert_allclose(opt.effective_lr(1)["W"], 0.1 / (np.sqrt(s_hat) + 1e-8),
                               rtol=1e-12)
    assert not np.allclose(opt.s_max_dW[1], opt.s_dW[1])


def test_rmsprop_with_eps_inside_reports_lr_over_root_of_s_plus_eps():
    layer = tn.Dense(2, 1)
    opt = tn.optimizers.RMSProp(lr=0.1, eps=0.01, eps_inside=True)
    layer.dW, layer.db = np.array([[3.0], [0.0]]), np.zeros(1)
    opt.step([layer])
    np.testing.assert_allclose(opt.effective_lr(1)["W"],
                               0.1 / np.sqrt(opt.s_dW[1] + 0.01), rtol=1e-12)


def test_adadelta_reports_its_unit_correcting_rate_without_warnings():
    layer = tn.Dense(2, 1)
    opt = tn.optimizers.Adadelta(lr=0.5, eps=1e-3)
    for g in (2.0, -1.0):
        layer.dW, layer.db = np.array([[g], [3 * g]]), np.full(1, g)
        opt.step([layer])
    expected = 0.5 * np.sqrt(opt.delta_dW[1] + 1e-3) / np.sqrt(opt.s_dW[1] + 1e-3)
    np.testing.assert_allclose(opt.effective_lr(1)["W"], expected, rtol=1e-12)
    zero = tn.optimizers.Adadelta(eps=0.0)  # nothing arrived yet: 0/0 in the rate
    layer.dW, layer.db = np.zeros((2, 1)), np.zeros(1)
    zero.step([layer])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zero.effective_lr(1)


def test_adamax_reports_an_infinite_rate_where_no_gradient_arrived_without_warnings():
    layer = tn.Dense(2, 1)
    opt = tn.optimizers.AdaMax(lr=0.5, eps=0.0)
    layer.dW, layer.db = np.array([[2.0], [0.0]]), np.zeros(1)
    opt.step([layer])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rates = opt.effective_lr(1)
    # u = max(beta2 u, |g|): 2 for the first weight, 0 for the second (lr / 0)
    assert rates["W"][0, 0] == 0.5 / (1 - opt.beta1) / 2.0 and rates["W"][1, 0] == np.inf


def test_nadams_momentum_product_follows_beta1_and_steps_taken_back():
    def fresh(beta1, t):
        product = 1.0
        for i in range(1, t + 1):
            product *= tn.optimizers.NAdam(beta1=beta1).mu(i)
        return product

    opt = tn.optimizers.NAdam()
    assert opt.mu_product(5) == pytest.approx(fresh(0.9, 5), rel=1e-15)
    assert opt.mu_product(3) == pytest.approx(fresh(0.9, 3), rel=1e-15)  # t went back
    opt.beta1 = 0.5
    assert opt.mu_product(3) == pytest.approx(fresh(0.5, 3), rel=1e-15)  # not the cached one


def test_a_schedules_config_leaves_out_its_private_attributes():
    from tinynet.optimizers.schedules import StepDecay

    sched = StepDecay(step_size=3, gamma=0.5)
    sched._seen = [1, 2]  # a schedule's own bookkeeping
    assert "_seen" not in sched.config() and sched.config()["step_size"] == 3


def test_a_replaced_gradient_of_the_wrong_shape_is_named_before_the_step():
    model, loss, X, y = _tiny_problem()
    _backprop(model, loss, X, y)
    model.dense_layers[1].db = np.zeros(5)  # a user's own gradient, wrongly shaped
    before = {k: a.copy() for k, a in model.arrays().items()}
    with pytest.raises(ValueError, match=r"Dense\(n_in=8, n_out=2, init='he'\)\.db must be an "
                                         r"array of shape \(2,\), got \(5,\)"):
        tn.optimizers.RMSProp().step(model)
    assert all(np.array_equal(a, before[k]) for k, a in model.arrays().items())


def test_adamax_reports_lr_over_bias_correction_over_u():
    layer = tn.Dense(2, 1)
    opt = tn.optimizers.AdaMax(lr=0.2)
    for g in (4.0, -1.0):
        layer.dW, layer.db = np.array([[g], [0.5 * g]]), np.full(1, g)
        opt.step([layer])
    rates = opt.effective_lr(1)
    np.testing.assert_allclose(rates["W"], 0.2 / (1 - 0.9**2) / opt.u_dW[1], rtol=1e-12)
    np.testing.assert_allclose(rates["b"], 0.2 / (1 - 0.9**2) / opt.u_db[1], rtol=1e-12)
