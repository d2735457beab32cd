"""Every optimizer against its formula, written out here independently of the code."""

import re
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet.optimizers import schedules
from tinynet.testing import OptimizerCheckError, check_optimizer

# ----- reference implementations: one step for one parameter, straight from the formulas -----


def ref_sgd(p, g, st, t, lr, weight_decay=0.0):
    return p - lr * g


def ref_momentum(p, g, st, t, lr, beta):
    st["v"] = beta * st.get("v", 0 * p) + (1 - beta) * g
    return p - lr * st["v"]


def ref_rmsprop(p, g, st, t, lr, rho, eps, centered=False, momentum=0.0):
    st["s"] = rho * st.get("s", 0 * p) + (1 - rho) * (g * g)
    var = st["s"]
    if centered:
        st["m"] = rho * st.get("m", 0 * p) + (1 - rho) * g
        var = st["s"] - st["m"] * st["m"]
    step = g / (np.sqrt(var) + eps)
    if momentum:
        st["buf"] = momentum * st.get("buf", 0 * p) + step
        step = st["buf"]
    return p - lr * step


def ref_adam(p, g, st, t, lr, beta1, beta2, eps):
    st["v"] = beta1 * st.get("v", 0 * p) + (1 - beta1) * g
    st["s"] = beta2 * st.get("s", 0 * p) + (1 - beta2) * (g * g)
    v_hat = st["v"] / (1 - beta1**t)
    s_hat = st["s"] / (1 - beta2**t)
    return p - lr * v_hat / (np.sqrt(s_hat) + eps)


def ref_adagrad(p, g, st, t, lr, eps):
    st["G"] = st.get("G", 0 * p) + g * g
    return p - lr * g / (np.sqrt(st["G"]) + eps)


CASES = [
    ("sgd", tn.optimizers.SGD, ref_sgd, {"lr": 0.05}),
    ("momentum", tn.optimizers.Momentum, ref_momentum, {"lr": 0.05, "beta": 0.8}),
    ("rmsprop", tn.optimizers.RMSProp, ref_rmsprop, {"lr": 0.01, "rho": 0.9, "eps": 1e-8}),
    ("rmsprop-centered", tn.optimizers.RMSProp, ref_rmsprop,
     {"lr": 0.01, "rho": 0.9, "eps": 1e-8, "centered": True}),
    ("rmsprop-momentum", tn.optimizers.RMSProp, ref_rmsprop,
     {"lr": 0.01, "rho": 0.9, "eps": 1e-8, "momentum": 0.7}),
    ("adam", tn.optimizers.Adam, ref_adam, {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8}),
    ("adagrad", tn.optimizers.Adagrad, ref_adagrad, {"lr": 0.1, "eps": 1e-8}),
]


@pytest.mark.parametrize("name, cls, ref, hp", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_steps_match_formula(name, cls, ref, hp, weight_decay):
    rng = np.random.default_rng(42)
    model = tn.mlp([3, 5, 2], seed=0)
    opt = cls(**hp, weight_decay=weight_decay)
    params = {k: v.copy() for k, v in model.arrays().items()}
    state = {k: {} for k in params}
    scales = {1: 1000.0, 2: 1e-3}  # two layers with very different gradient scales
    for t in range(1, 6):
        grads = {}
        for l, d in enumerate(model.dense_layers, start=1):
            d.dW = rng.standard_normal(d.W.shape) * scales[l]
            d.db = rng.standard_normal(d.b.shape) * scales[l]
            grads[f"W/{l}"] = d.dW.copy() + weight_decay * params[f"W/{l}"]  # coupled L2, W only
            grads[f"b/{l}"] = d.db.copy()
        hp_ref = {k: v for k, v in hp.items()}
        for k in params:
            params[k] = ref(params[k], grads[k], state[k], t, **hp_ref)
        opt.step(model)
        for k, v in model.arrays().items():
            np.testing.assert_allclose(v, params[k], rtol=1e-12, atol=1e-14, err_msg=f"{k} t={t}")
    for k in params:  # state arrays are named after the formulas and keyed by layer number
        p, l = k.split("/")
        for sym, value in state[k].items():
            np.testing.assert_allclose(getattr(opt, f"{sym}_d{p}")[int(l)], value, rtol=1e-12)
    assert opt.t == 5


def test_momentum_remembers_direction_rmsprop_remembers_scale():
    # Gradients alternating in sign: Momentum's v cancels, RMSProp's s does not.
    mom, rms = tn.optimizers.Momentum(lr=0.1, beta=0.9), tn.optimizers.RMSProp(lr=0.1, rho=0.9)
    for opt in (mom, rms):
        layer = tn.Dense(1, 1, rng=np.random.default_rng(0))
        for t in range(20):
            layer.dW, layer.db = np.array([[(-1.0) ** t]]), np.zeros(1)
            opt.step([layer])
    assert abs(mom.v_dW[1][0, 0]) < 0.1
    assert rms.s_dW[1][0, 0] == pytest.approx(1 - 0.9**20, rel=1e-12)


@pytest.mark.parametrize("cls", [tn.optimizers.RMSProp, tn.optimizers.Adam,
                                 tn.optimizers.Adagrad])
def test_effective_lr_is_the_factor_on_the_step(cls):
    layer = tn.Dense(3, 2, rng=np.random.default_rng(0))
    opt = cls(lr=0.01, eps=1e-8)
    rng = np.random.default_rng(1)
    for _ in range(3):
        layer.dW, layer.db = rng.standard_normal((3, 2)), rng.standard_normal(2)
        before = layer.W.copy()
        opt.step([layer])
    moved = before - layer.W
    eff = opt.effective_lr(1)["W"]
    # What multiplies the step direction: the gradient, or Adam's bias-corrected first moment.
    direction = layer.dW if cls is not tn.optimizers.Adam else opt.v_dW[1] / (1 - 0.9**3)
    np.testing.assert_allclose(moved, eff * direction, rtol=1e-10)


def test_effective_lr_sgd_is_lr_everywhere():
    layer = tn.Dense(2, 2)
    layer.dW, layer.db = np.ones((2, 2)), np.ones(2)
    opt = tn.optimizers.SGD(lr=0.3)
    opt.step([layer])
    assert np.all(opt.effective_lr(1)["W"] == 0.3) and opt.effective_lr(1)["b"].shape == (2,)


BUILTINS = [(tn.optimizers.SGD, {}), (tn.optimizers.Momentum, {}),
            (tn.optimizers.Momentum, {"nesterov": True}), (tn.optimizers.RMSProp, {}),
            (tn.optimizers.RMSProp, {"centered": True, "momentum": 0.9}),
            (tn.optimizers.Adam, {}), (tn.optimizers.Adagrad, {}),
            (tn.optimizers.Adam, {"weight_decay": 1e-3})]


@pytest.mark.parametrize("cls, hp", BUILTINS, ids=lambda x: getattr(x, "__name__", str(x)))
def test_builtins_pass_check_optimizer(cls, hp):
    assert check_optimizer(cls, **hp) == list(tn.testing.CHECKS)
    assert len(tn.testing.CHECKS) == 11


class WrongSign(tn.optimizers.SGD):
    def update(self, param, grad):
        param += self.lr * grad


class NotInPlace(tn.optimizers.Optimizer):
    def __init__(self, lr=0.01):
        super().__init__(lr=lr)

    def step(self, model):
        super().step(model)
        for layer in tn.optimizers.trainable_layers(model):
            layer.W = layer.W.copy()

    def update(self, param, grad):
        param -= self.lr * grad


class HiddenState(tn.optimizers.Optimizer):
    """Keeps a running count outside state_symbols, so a restored copy diverges."""

    def __init__(self, lr=0.01):
        super().__init__(lr=lr)
        self.calls = 0

    def update(self, param, grad):
        self.calls += 1
        param -= self.lr / self.calls * grad


class Upcasts(tn.optimizers.Optimizer):
    state_symbols = ("s",)

    def __init__(self, lr=0.01):
        super().__init__(lr=lr)

    def update(self, param, grad, s):
        s += grad
        param -= (self.lr * grad).astype(np.float64).astype(param.dtype)
        self.s_dW = {k: v.astype(np.float64) for k, v in self.s_dW.items()}


@pytest.mark.parametrize("cls, fragment", [
    (WrongSign, "failed 'descends on an ill-conditioned quadratic'"),
    (NotInPlace, "failed 'updates in place'"),
    (HiddenState, "failed 'state_dict round trip'"),
    (Upcasts, "float32"),
])
def test_check_optimizer_catches_broken_optimizers(cls, fragment):
    with pytest.raises(OptimizerCheckError, match=fragment):
        check_optimizer(cls)


@pytest.mark.parametrize("cls, kwargs, error, fragment", [
    (tn.optimizers.SGD, {"lr": -1}, ValueError, "lr must be > 0"),
    (tn.optimizers.Momentum, {"beta": 1.0}, ValueError, "beta must be < 1"),
    (tn.optimizers.Momentum, {"beta": -0.5}, ValueError, "beta must be >= 0"),
    (tn.optimizers.Adam, {"beta1": 1.2}, ValueError, "beta1 must be < 1"),
    (tn.optimizers.Adam, {"beta2": -0.1}, ValueError, "beta2 must be >= 0"),
    (tn.optimizers.Adam, {"eps": -1.0}, ValueError, "eps must be >= 0"),
    (tn.optimizers.Adagrad, {"eps": "small"}, TypeError, "eps must be a number"),
    (tn.optimizers.RMSProp, {"weight_decay": -0.1}, ValueError, "weight_decay must be >= 0"),
    (tn.optimizers.RMSProp, {"momentum": 1.0}, ValueError, "momentum must be < 1"),
    (tn.optimizers.RMSProp, {"centered": "yes"}, TypeError, "centered must be True or False"),
    (tn.optimizers.SGD, {"lr": [0.1]}, TypeError, "lr must be a number"),
])
def test_invalid_hyperparameters(cls, kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        cls(**kwargs)


def trained(opt, model, steps=2):
    rng = np.random.default_rng(0)
    for _ in range(steps):
        for d in model.dense_layers:
            d.dW, d.db = rng.standard_normal(d.W.shape), rng.standard_normal(d.b.shape)
        opt.step(model)
    return opt


def test_state_dict_is_plain_data_keyed_by_symbol_and_layer():
    opt = trained(tn.optimizers.Adam(lr=0.01), tn.mlp([3, 4, 2]))
    state = opt.state_dict()
    assert state["name"] == "adam" and state["t"] == 2 and state["lr"] == 0.01
    assert state["hyperparams"] == {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                    "amsgrad": False, "weight_decay": 0.0,
                                    "decoupled_weight_decay": False}
    arrays = sorted(k for k in state if "/" in k)
    assert arrays == sorted(f"{s}_d{p}/{l}" for s in "vs" for p in "Wb" for l in (1, 2))
    state["v_dW/1"][...] = 123.0  # a copy: changing it leaves the optimizer alone
    assert not np.any(opt.v_dW[1] == 123.0)


def test_state_from_another_architecture_is_rejected_and_changes_nothing():
    opt = trained(tn.optimizers.RMSProp(), tn.mlp([3, 4, 2]))
    other = trained(tn.optimizers.RMSProp(), tn.mlp([3, 5, 2]))
    before = other.state_dict()
    with pytest.raises(ValueError, match=r"s_dW/1: expected shape \(3, 5\).*found \(3, 4\)"):
        other.load_state_dict(opt.state_dict(), tn.mlp([3, 5, 2]))
    after = other.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before if "/" in k)
    deeper = tn.mlp([3, 4, 4, 2])
    fresh = tn.optimizers.RMSProp()
    fresh.load_state_dict(opt.state_dict())  # no model given: checked at the next step
    for d in deeper.dense_layers:
        d.dW, d.db = np.zeros_like(d.W), np.zeros_like(d.b)
    W_before = [d.W.copy() for d in deeper.dense_layers]
    with pytest.raises(ValueError, match="another architecture"):
        fresh.step(deeper)
    assert all(np.array_equal(a, d.W) for a, d in zip(W_before, deeper.dense_layers))


@pytest.mark.parametrize("state, error, fragment", [
    ({"name": "adam"}, ValueError, "state is for optimizer 'adam'"),
    ({"q_dW/1": np.zeros(2)}, ValueError, "unknown optimizer state 'q_dW/1'"),
    ({"hyperparams": {"lr": -1}}, ValueError, "lr must be > 0"),
    ([1, 2], TypeError, "state must be a dict"),
])
def test_bad_state_dicts(state, error, fragment):
    opt = tn.optimizers.RMSProp()
    with pytest.raises(error, match=fragment):
        opt.load_state_dict(state)
    assert opt.t == 0 and opt.s_dW == {}


def test_restored_optimizer_continues_bit_identically():
    a, b = tn.mlp([3, 4, 2], seed=1), tn.mlp([3, 4, 2], seed=1)
    opt_a = trained(tn.optimizers.Adam(lr=0.01), a, steps=3)
    opt_b = tn.optimizers.Adam(lr=0.5)  # its own hyperparameters are replaced too
    opt_b.load_state_dict(opt_a.state_dict(), b)
    for x, y in zip(a.arrays().values(), b.arrays().values()):
        y[...] = x
    trained(opt_a, a, steps=3)
    trained(opt_b, b, steps=3)
    assert opt_b.lr == 0.01 and opt_b.t == 6
    assert all(np.array_equal(x, y) for x, y in zip(a.arrays().values(), b.arrays().values()))


@pytest.mark.parametrize("make, expected", [
    (lambda: schedules.Constant(), [0.1, 0.1, 0.1, 0.1]),
    (lambda: schedules.StepDecay(step_size=2, gamma=0.5), [0.1, 0.1, 0.05, 0.05]),
    (lambda: schedules.Exponential(gamma=0.5), [0.1, 0.05, 0.025, 0.0125]),
    (lambda: schedules.InverseTime(k=1.0), [0.1, 0.05, 0.1 / 3, 0.025]),
    (lambda: schedules.Cosine(total_epochs=2, min_lr=0.0), [0.1, 0.05, 0.0, 0.0]),
    (lambda: schedules.Cosine(total_epochs=2, min_lr=0.02), [0.1, 0.06, 0.02, 0.02]),
    # The defaults: step 10 x0.5, x0.95 per epoch, k = 0.1, cosine over 30 epochs to 0.
    (lambda: schedules.StepDecay(), [0.1] * 10 + [0.05] * 10 + [0.025]),
    (lambda: schedules.Exponential(), [0.1 * 0.95**e for e in range(4)]),
    (lambda: schedules.InverseTime(), [0.1 / (1 + 0.1 * e) for e in range(4)]),
    (lambda: schedules.Cosine(), [0.05 * (1 + np.cos(np.pi * min(e, 30) / 30)) for e in range(32)]),
])
def test_schedules_give_documented_values(make, expected):
    schedule = make()  # built inside the test, so a mutation run sees the constructor too
    opt = tn.optimizers.Momentum(lr=0.1)
    got = [schedule.apply(opt, epoch) for epoch in range(len(expected))]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert opt.lr == got[-1] and opt.initial_lr == 0.1
    assert opt.state_dict()["hyperparams"]["lr"] == 0.1 and opt.state_dict()["lr"] == got[-1]


@pytest.mark.parametrize("make, error, fragment", [
    (lambda: schedules.StepDecay(step_size=0), ValueError, "step_size must be >= 1"),
    (lambda: schedules.StepDecay(step_size=1.5), TypeError, "step_size must be an integer"),
    (lambda: schedules.StepDecay(gamma=0.0), ValueError, "gamma must be > 0"),
    (lambda: schedules.Exponential(gamma=1.5), ValueError, "gamma must be <= 1"),
    (lambda: schedules.Exponential(gamma=0.0), ValueError, "gamma must be > 0"),
    (lambda: schedules.InverseTime(k=-0.1), ValueError, "k must be >= 0"),
    (lambda: schedules.Cosine(total_epochs=0), ValueError, "total_epochs must be >= 1"),
    (lambda: schedules.Cosine(total_epochs=2.5), TypeError, "total_epochs must be an integer"),
    (lambda: schedules.Cosine(min_lr=-1.0), ValueError, "min_lr must be >= 0"),
    (lambda: schedules.Constant().apply(tn.optimizers.SGD(), 1.5), TypeError,
     "epoch must be an integer"),
    (lambda: schedules.Constant().apply(tn.optimizers.SGD(), -1), ValueError, "epoch must be >= 0"),
])
def test_schedule_arguments_are_checked(make, error, fragment):
    with pytest.raises(error, match=fragment):
        make()


def test_schedule_keeps_a_step_size_of_one():
    assert schedules.StepDecay(step_size=1, gamma=0.5)(1.0, 3) == 0.125
    assert schedules.InverseTime(k=0.0)(0.3, 7) == 0.3
    assert schedules.Exponential(gamma=1.0)(0.3, 7) == 0.3


def test_schedule_errors():
    with pytest.raises(ValueError, match="unknown schedule 'linear'"):
        schedules.get("linear")
    with pytest.raises(ValueError, match="gamma must be <= 1"):
        schedules.get("step", gamma=2.0)
    assert isinstance(schedules.get("cosine", total_epochs=5), schedules.Cosine)


def test_register_a_user_optimizer_and_use_it_by_name(moons):
    class Halving(tn.optimizers.SGD):
        def update(self, param, grad):
            param -= 0.5 * self.lr * grad

    tn.optimizers.register("halving", Halving)
    try:
        assert "halving" in tn.optimizers.available()
        assert isinstance(tn.optimizers.get("halving", lr=0.2), Halving)
        X, _, y, _ = moons
        trainer = tn.Trainer(tn.mlp([2, 8, 2]), tn.SoftmaxCrossEntropy(), "halving",
                             progress=False)
        assert isinstance(trainer.optimizer, Halving)
        trainer.fit(X, y, epochs=2)
        # Halving at lr 0.2 is SGD at lr 0.1: the same weights, bit for bit.
        sgd = tn.Trainer(tn.mlp([2, 8, 2]), tn.SoftmaxCrossEntropy(), tn.optimizers.SGD(lr=0.1),
                         progress=False)
        assert trainer.optimizer.lr == 0.01  # the registered default, built by name
        trainer = tn.Trainer(tn.mlp([2, 8, 2]), tn.SoftmaxCrossEntropy(),
                             tn.optimizers.get("halving", lr=0.2), progress=False)
        trainer.fit(X, y, epochs=2)
        sgd.fit(X, y, epochs=2)
        for key, W in sgd.model.arrays().items():
            assert np.array_equal(trainer.model.arrays()[key], W), key
        assert trainer.history["loss"] == sgd.history["loss"]
    finally:
        tn.optimizers.unregister("halving")
    with pytest.raises(TypeError, match="only Optimizer subclasses"):
        tn.optimizers.register("thing", dict)
    with pytest.raises(ValueError, match="simple identifier"):
        tn.optimizers.register("my optimizer", Halving)


@pytest.mark.parametrize("cls, defaults", [
    (tn.optimizers.SGD, {"lr": 0.01, "weight_decay": 0.0}),
    (tn.optimizers.Momentum, {"lr": 0.01, "beta": 0.9, "nesterov": False, "weight_decay": 0.0}),
    (tn.optimizers.RMSProp, {"lr": 0.001, "rho": 0.9, "eps": 1e-8, "centered": False,
                             "momentum": 0.0, "eps_inside": False, "weight_decay": 0.0}),
    (tn.optimizers.Adam, {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                          "amsgrad": False, "weight_decay": 0.0,
                          "decoupled_weight_decay": False}),
    # PyTorch's defaults for the rest of the family
    (tn.optimizers.AdamW, {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                           "amsgrad": False, "weight_decay": 0.01}),
    (tn.optimizers.NAdam, {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                           "momentum_decay": 0.004, "weight_decay": 0.0,
                           "decoupled_weight_decay": False}),
    (tn.optimizers.AdaMax, {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                            "weight_decay": 0.0}),
    (tn.optimizers.Adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0}),
    (tn.optimizers.RAdam, {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                           "weight_decay": 0.0, "decoupled_weight_decay": False}),
    (tn.optimizers.Lion, {"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0}),
    (tn.optimizers.Adagrad, {"lr": 0.01, "eps": 1e-8, "weight_decay": 0.0}),
])
def test_documented_defaults_and_repr(cls, defaults):
    opt = cls()
    assert opt.hyperparams() == defaults
    args = ", ".join(f"{k}={v!r}" for k, v in defaults.items())
    assert repr(opt) == f"{cls.__name__}({args})"


def step_with(opt, model, grads):
    for d, (dW, db) in zip(model.dense_layers, grads):
        d.dW[...], d.db[...] = dW, db  # in place: the model's one gradient buffer
    opt.step(model)


def model_with_gradients(seed=0, sizes=(6, 8, 3)):
    model, loss = tn.mlp(list(sizes), seed=seed), tn.SoftmaxCrossEntropy()
    X = np.random.default_rng(seed).standard_normal((10, sizes[0]))
    loss.forward(model.forward(X), np.arange(10) % sizes[-1])
    model.backward(loss.backward())
    return model


@pytest.mark.parametrize("cls, hp", BUILTINS, ids=lambda x: getattr(x, "__name__", str(x)))
def test_a_step_allocates_no_parameter_sized_arrays(cls, hp):
    import tracemalloc

    model, opt = model_with_gradients(sizes=(64, 64, 10)), cls(**hp)
    opt.step(model)  # the first step creates state and scratch space
    buffer_bytes = model.n_params() * 8
    tracemalloc.start()
    try:
        opt.step(model)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < buffer_bytes / 4, f"a step allocated {peak} bytes (parameters: {buffer_bytes})"


@pytest.mark.parametrize("cls, hp", BUILTINS, ids=lambda x: getattr(x, "__name__", str(x)))
def test_state_entries_stay_the_same_arrays_and_share_one_buffer(cls, hp):
    model, opt = model_with_gradients(), cls(**hp)
    opt.step(model)
    entries = {key: dict(getattr(opt, key)) for key in opt.state_keys()}
    opt.step(model)
    for key, before in entries.items():
        assert all(getattr(opt, key)[l] is a for l, a in before.items()), key
    for sym in opt.state_symbols:  # s_dW[1], s_db[1], s_dW[2], ... are views of one array
        arrays = [getattr(opt, f"{sym}_d{p}")[l] for l in (1, 2) for p in "Wb"]
        assert all(a.base is arrays[0].base is not None for a in arrays)
        assert arrays[0].base.size == model.n_params()


@pytest.mark.parametrize("cls, hp", [
    (tn.optimizers.RMSProp, {"eps": 0.0}), (tn.optimizers.Adagrad, {"eps": 0.0}),
    (tn.optimizers.Adam, {"eps": 0.0}), (tn.optimizers.RMSProp, {"eps": 0.0, "centered": True}),
    (tn.optimizers.RMSProp, {"eps": 0.0, "momentum": 0.5}),
])
def test_eps_zero_and_a_zero_gradient_move_nothing(cls, hp):
    # sqrt(s) + eps is 0 where the gradient has always been 0: 0 / 0 must mean "no step".
    model, opt = model_with_gradients(sizes=(2, 3, 2)), cls(lr=0.1, **hp)
    grads = [(np.array([[1.0, 0.0, 2.0], [0.0, 0.0, -1.0]]), np.zeros(3)),
             (np.zeros((3, 2)), np.array([0.5, 0.0]))]
    before = {k: v.copy() for k, v in model.arrays().items()}
    with np.errstate(all="raise"):
        step_with(opt, model, grads)
        step_with(opt, model, grads)
    after = model.arrays()
    assert all(np.isfinite(a).all() for a in after.values())
    zero = {"W/1": grads[0][0] == 0, "b/1": np.ones(3, bool), "W/2": np.ones((3, 2), bool),
            "b/2": np.array([False, True])}
    for key, mask in zero.items():
        np.testing.assert_array_equal(after[key][mask], before[key][mask], err_msg=key)
        assert np.all(after[key][~mask] != before[key][~mask]), key


def test_stepping_a_subset_of_layers_freezes_the_rest():
    model = model_with_gradients()
    frozen = model.dense_layers[0].W.copy(), model.dense_layers[0].b.copy()
    opt = tn.optimizers.RMSProp(lr=0.01)
    W2 = model.dense_layers[1].W.copy()
    opt.step([model.dense_layers[1]])
    assert np.array_equal(model.dense_layers[0].W, frozen[0])
    assert np.array_equal(model.dense_layers[0].b, frozen[1])
    assert not np.array_equal(model.dense_layers[1].W, W2)
    assert sorted(opt.s_dW) == [1] and opt.s_dW[1].shape == (8, 3)  # layer 1 of what it steps
    ref = tn.optimizers.RMSProp(lr=0.01)  # same numbers as stepping that layer alone
    lone = tn.Dense(8, 3, rng=np.random.default_rng(0))
    lone.W[...], lone.dW = W2, model.dense_layers[1].dW.copy()
    lone.db = model.dense_layers[1].db.copy()
    ref.step([lone])
    np.testing.assert_array_equal(lone.W, model.dense_layers[1].W)


def test_a_list_keeps_only_layers_that_declare_parameters():
    class HalfLayer:
        W = np.zeros((2, 2))

    model = model_with_gradients()
    assert tn.optimizers.trainable_layers([HalfLayer(), *model.layers]) == model.dense_layers
    with pytest.raises(ValueError, match=re.escape(
            "step() needs at least one layer that declares parameters (params = ('W', 'b'), "
            "as Dense does)")):
        tn.optimizers.trainable_layers([HalfLayer(), tn.ReLU()])
    with pytest.raises(TypeError, match="a Sequential or a list of layers, got int"):
        tn.optimizers.trainable_layers(3)


def test_step_needs_both_gradients_of_every_layer():
    model = model_with_gradients()
    model.dense_layers[1].db = None
    with pytest.raises(ValueError, match=re.escape(
            "layer 2 (Dense) has no gradient db yet: call model.backward(...) before step()")):
        tn.optimizers.SGD().step(model)
    model.dense_layers[1].db = np.zeros(3)
    model.dense_layers[0].dW = None
    with pytest.raises(ValueError, match="layer 1 \\(Dense\\) has no gradient dW yet"):
        tn.optimizers.SGD().step(model)


def test_effective_lr_layer_numbers_are_checked():
    model = model_with_gradients()
    opt = tn.optimizers.SGD(lr=0.2)
    opt.step(model)
    assert opt.effective_lr(2)["W"].shape == (8, 3) and opt.effective_lr(1)["b"].shape == (8,)
    assert np.all(opt.effective_lr(np.int64(1))["b"] == 0.2)
    for bad in (0, 3, True, 1.0, "1"):
        with pytest.raises(ValueError, match=f"no layer {bad!r}"):
            opt.effective_lr(bad)


def test_centered_rmsprop_effective_lr_and_variance_clamp():
    opt = tn.optimizers.RMSProp(lr=0.1, rho=0.5, eps=1e-8, centered=True)
    layer = tn.Dense(1, 2, rng=np.random.default_rng(0))
    layer.dW, layer.db = np.array([[3.0, 1e-3]]), np.array([2.0, 0.0])
    opt.step([layer])
    layer.dW, layer.db = np.array([[1.0, 1e-3]]), np.array([2.0, 0.0])
    opt.step([layer])
    s = 0.5 * 0.5 * np.array([9.0, 1e-6]) + 0.5 * np.array([1.0, 1e-6])
    m = 0.5 * 0.5 * np.array([3.0, 1e-3]) + 0.5 * np.array([1.0, 1e-3])
    np.testing.assert_allclose(opt.effective_lr(1)["W"][0], 0.1 / (np.sqrt(s - m * m) + 1e-8),
                               rtol=1e-12)
    # b: a constant gradient 2 has variance s - m² = 3 - 1.5² = 0.75 exactly in real numbers.
    np.testing.assert_allclose(opt.effective_lr(1)["b"], 0.1 / (np.sqrt([0.75, 0.0]) + 1e-8),
                               rtol=1e-12)
    # Rounding can push s - m⊙m below zero for a constant gradient: the clamp keeps it 0.
    opt = tn.optimizers.RMSProp(lr=0.1, rho=0.5, eps=0.0, centered=True)
    layer = tn.Dense(1, 1, rng=np.random.default_rng(0))
    for _ in range(54):
        layer.dW, layer.db = np.array([[0.7]]), np.array([1.1])
        opt.step([layer])
    var = {p: getattr(opt, f"s_d{p}")[1] - getattr(opt, f"m_d{p}")[1] ** 2 for p in "Wb"}
    assert var["W"].min() < 0 and var["b"].min() < 0  # the case the clamp exists for
    assert all(np.isfinite(a).all() for a in (layer.W, layer.b))
    assert not any(np.isnan(v).any() for v in opt.effective_lr(1).values())  # inf: eps = 0


@pytest.mark.parametrize("momentum", [0.0, 0.3, 0.5, 0.95])
def test_rmsprop_momentum_buffer_against_its_formula(momentum):
    opt = tn.optimizers.RMSProp(lr=0.1, rho=0.8, eps=1e-8, momentum=momentum)
    assert ("buf" in opt.state_symbols) == (momentum > 0)
    layer = tn.Dense(1, 1, rng=np.random.default_rng(0))
    W, s, buf = layer.W.copy(), 0.0, 0.0
    for g in (1.0, -2.0, 0.5):
        layer.dW, layer.db = np.array([[g]]), np.zeros(1)
        opt.step([layer])
        s = 0.8 * s + 0.2 * g * g
        buf = momentum * buf + g / (np.sqrt(s) + 1e-8)
        W = W - 0.1 * buf
    np.testing.assert_allclose(layer.W, W, rtol=1e-13)


def test_load_state_dict_restores_the_saved_lr_and_step_count():
    opt = trained(tn.optimizers.RMSProp(lr=0.01), tn.mlp([3, 4, 2]))
    opt.lr = 0.0025  # as a schedule leaves it
    fresh = tn.optimizers.RMSProp(lr=0.5)
    fresh.load_state_dict(opt.state_dict())
    assert (fresh.lr, fresh.initial_lr, fresh.t) == (0.0025, 0.01, 2)
    state = opt.state_dict()
    del state["lr"], state["t"]
    fresh.load_state_dict(state)  # an older state without them: the initial lr, t = 0
    assert (fresh.lr, fresh.t) == (0.01, 0)
    for key, value, error, fragment in (("t", -1, ValueError, "t must be >= 0"),
                                        ("t", 1.5, TypeError, "t must be an integer"),
                                        ("lr", 0.0, ValueError, "lr must be > 0"),
                                        ("lr", "x", TypeError, "lr must be a number")):
        bad = {**opt.state_dict(), key: value}
        with pytest.raises(error, match=fragment):
            fresh.load_state_dict(bad)
        assert (fresh.lr, fresh.t) == (0.01, 0)


def test_load_state_dict_copies_the_arrays_and_rejects_odd_keys():
    opt = trained(tn.optimizers.RMSProp(), tn.mlp([3, 4, 2]))
    state = opt.state_dict()
    fresh = tn.optimizers.RMSProp()
    fresh.load_state_dict(state)
    state["s_dW/1"][...] = -5.0
    assert not np.any(fresh.s_dW[1] == -5.0)
    for key in ("s_dW/x", "s_dW/1/2", "s_dW"):
        with pytest.raises(ValueError, match="unknown optimizer state"):
            fresh.load_state_dict({**opt.state_dict(), key: np.zeros(1)})
    with pytest.raises(ValueError, match="SGD keeps no arrays"):
        tn.optimizers.SGD().load_state_dict({"s_dW/1": np.zeros(1)})
    with pytest.raises(ValueError, match=r"keeps s_dW/<l>, s_db/<l>"):
        fresh.load_state_dict({"v_dW/1": np.zeros(1)})


def test_load_state_dict_keeps_the_layers_it_knew():
    model = tn.mlp([3, 4, 2])
    opt = trained(tn.optimizers.RMSProp(), model)
    opt.load_state_dict(opt.state_dict())  # no model given: the layers it knew stay
    assert opt.effective_lr(2)["W"].shape == (4, 2)


def test_state_for_fewer_layers_is_rejected_even_when_one_key_is_empty():
    opt = trained(tn.optimizers.RMSProp(momentum=0.5), tn.mlp([3, 4, 2]))
    # s_* missing (checked, found empty, skipped), then buf_* for layer 1 only: refused.
    state = {k: v for k, v in opt.state_dict().items() if not k.startswith("s_")}
    state = {k: v for k, v in state.items() if not k.endswith("/2")}
    with pytest.raises(ValueError, match=r"buf_dW is for layers \[1\], but the model's layers "
                       r"with a parameter W are \[1, 2\]: it comes from another"):
        tn.optimizers.RMSProp(momentum=0.5).load_state_dict(state, tn.mlp([3, 4, 2]))


def test_register_names_and_decorator():
    @tn.optimizers.register("Shout")
    class Shout(tn.optimizers.SGD):
        pass

    try:
        assert Shout.name == "shout" and tn.optimizers.get("SHOUT").name == "shout"
        assert Shout.__name__ == "Shout"  # the decorator returns the class itself
    finally:
        tn.optimizers.unregister("shout")


@pytest.mark.parametrize("cls", [tn.optimizers.RMSProp, tn.optimizers.Adam,
                                 tn.optimizers.Adagrad])
def test_effective_lr_with_eps_zero_and_no_gradient_yet_is_inf_without_a_warning(cls):
    layer = tn.Dense(2, 1, rng=np.random.default_rng(0))
    layer.dW, layer.db = np.array([[1.0], [0.0]]), np.zeros(1)
    opt = cls(lr=0.1, eps=0.0)
    opt.step([layer])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eff = opt.effective_lr(1)
    assert np.isfinite(eff["W"][0, 0]) and eff["W"][1, 0] == np.inf and eff["b"][0] == np.inf


def test_schedule_config_and_repr():
    sched = schedules.Cosine(total_epochs=5, min_lr=0.01)
    assert sched.config() == {"total_epochs": 5, "min_lr": 0.01}
    assert repr(sched) == "Cosine(total_epochs=5, min_lr=0.01)"
    assert repr(schedules.Constant()) == "Constant()"


def test_an_optimizer_notices_new_layers_and_new_arrays():
    opt = tn.optimizers.SGD(lr=0.1)
    with pytest.raises(ValueError, match=r"it has seen 0\)"):
        opt.effective_lr(1)
    model = model_with_gradients()
    opt.step(model)
    b = model.dense_layers[1].b = model.dense_layers[1].b.copy()  # a new array: still stepped
    before = b.copy()
    opt.step(model)
    assert not np.array_equal(model.dense_layers[1].b, before)
    state_opt = tn.optimizers.RMSProp()
    state_opt.step(model)
    with pytest.raises(ValueError, match="another architecture"):
        state_opt.step(model_with_gradients(sizes=(6, 8, 4, 3)))
