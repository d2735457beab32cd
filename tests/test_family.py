"""The rest of the family (issue 17): each optimizer equals its formula written out here, on a
multi-layer, multi-step run whose layers see gradients 1e6 apart; and, where PyTorch is
installed, equals PyTorch's implementation (PyTorch is not a dependency: skipped without it)."""

import math

import numpy as np
import pytest

import tinynet as tn
from tinynet.testing import check_optimizer

o = tn.optimizers
STEPS = 6


def gradients(seed=0):
    """Per step, per array (W1, b1, W2, b2): layer 1's gradients ~1e3, layer 2's ~1e-3."""
    rng = np.random.default_rng(seed)
    shapes, scales = [(3, 4), (4,), (4, 2), (2,)], [1e3, 1e3, 1e-3, 1e-3]
    return [[rng.standard_normal(sh) * sc for sh, sc in zip(shapes, scales)]
            for _ in range(STEPS)]


def run_tinynet(opt, grads, fused=True):
    model = tn.mlp([3, 4, 2], seed=0)
    start = [a.copy() for a in model.arrays().values()]
    opt.fused = fused
    for step in grads:
        for d, l in zip(model.dense_layers, (0, 2)):
            if d.dW is None:
                d.dW, d.db = np.zeros_like(d.W), np.zeros_like(d.b)
            d.dW[...], d.db[...] = step[l], step[l + 1]
        opt.step(model)
    return start, list(model.arrays().values())


def reference(start, grads, formula, wd=0.0, decoupled=False, lr=None):
    """Run ``formula(p, g, state, t)`` (returning the new p) on each array separately."""
    params = [p.copy() for p in start]
    states = [{} for _ in params]
    for t, step in enumerate(grads, start=1):
        for i, (p, g) in enumerate(zip(params, step)):
            is_W = i % 2 == 0
            if wd and is_W and decoupled:
                p = p * (1 - lr * wd)
            elif wd and is_W:
                g = g + wd * p
            params[i] = formula(p, g, states[i], t)
    return params


def ema(state, key, beta, x):
    state[key] = beta * state.get(key, 0.0) + (1 - beta) * x
    return state[key]


def nesterov(lr, beta):
    def f(p, g, st, t):
        v = ema(st, "v", beta, g)
        return p - lr * (beta * v + (1 - beta) * g)
    return f


def adam(lr, b1, b2, eps, amsgrad=False):
    def f(p, g, st, t):
        v, s = ema(st, "v", b1, g), ema(st, "s", b2, g * g)
        if amsgrad:
            st["max"] = s = np.maximum(st.get("max", 0.0), s)
        return p - lr * (v / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
    return f


def nadam(lr, b1, b2, eps, psi):
    def mu(t):
        return b1 * (1 - 0.5 * 0.96 ** (t * psi))

    def f(p, g, st, t):
        v, s = ema(st, "v", b1, g), ema(st, "s", b2, g * g)
        prod = math.prod(mu(i) for i in range(1, t + 1))
        den = np.sqrt(s / (1 - b2**t)) + eps
        return (p - lr * (1 - mu(t)) / (1 - prod) * g / den
                - lr * mu(t + 1) / (1 - prod * mu(t + 1)) * v / den)
    return f


def adamax(lr, b1, b2, eps):
    def f(p, g, st, t):
        v = ema(st, "v", b1, g)
        st["u"] = u = np.maximum(b2 * st.get("u", 0.0), np.abs(g) + eps)
        return p - lr / (1 - b1**t) * v / u
    return f


def adadelta(lr, rho, eps):
    def f(p, g, st, t):
        s = ema(st, "s", rho, g * g)
        update = np.sqrt(st.get("d", 0.0) + eps) / np.sqrt(s + eps) * g
        ema(st, "d", rho, update * update)
        return p - lr * update
    return f


def radam(lr, b1, b2, eps):
    def f(p, g, st, t):
        v, s = ema(st, "v", b1, g), ema(st, "s", b2, g * g)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        v_hat = v / (1 - b1**t)
        if rho_t <= 5:
            return p - lr * v_hat
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        return p - lr * v_hat * r * math.sqrt(1 - b2**t) / (np.sqrt(s) + eps)
    return f


def lion(lr, b1, b2):
    def f(p, g, st, t):  # Algorithm 1 (the decay, decoupled, is applied by reference())
        c = b1 * st.get("v", 0.0) + (1 - b1) * g
        ema(st, "v", b2, g)
        return p - lr * np.sign(c)
    return f


def rmsprop_eps_inside(lr, rho, eps):
    def f(p, g, st, t):  # tf.keras RMSprop: lr * g / sqrt(ms + eps)
        s = ema(st, "s", rho, g * g)
        return p - lr * g / np.sqrt(s + eps)
    return f


# (optimizer built by tinynet, formula, decoupled weight decay?)
FAMILY = {
    "momentum nesterov": (lambda wd: o.Momentum(lr=0.05, beta=0.8, nesterov=True,
                                                weight_decay=wd), nesterov(0.05, 0.8), False),
    "adam amsgrad": (lambda wd: o.Adam(lr=0.01, amsgrad=True, weight_decay=wd),
                     adam(0.01, 0.9, 0.999, 1e-8, amsgrad=True), False),
    "adamw": (lambda wd: o.AdamW(lr=0.01, weight_decay=wd), adam(0.01, 0.9, 0.999, 1e-8), True),
    "adam decoupled": (lambda wd: o.Adam(lr=0.01, weight_decay=wd, decoupled_weight_decay=True),
                       adam(0.01, 0.9, 0.999, 1e-8), True),
    "nadam": (lambda wd: o.NAdam(lr=0.01, weight_decay=wd), nadam(0.01, 0.9, 0.999, 1e-8, 0.004),
              False),
    "adamax": (lambda wd: o.AdaMax(lr=0.01, weight_decay=wd), adamax(0.01, 0.9, 0.999, 1e-8),
               False),
    "adadelta": (lambda wd: o.Adadelta(lr=1.0, weight_decay=wd), adadelta(1.0, 0.9, 1e-6),
                 False),
    "radam": (lambda wd: o.RAdam(lr=0.01, weight_decay=wd), radam(0.01, 0.9, 0.999, 1e-8), False),
    "radam fast beta2": (lambda wd: o.RAdam(lr=0.01, beta2=0.5, weight_decay=wd),
                         radam(0.01, 0.9, 0.5, 1e-8), False),  # rectified from step 2
    "lion": (lambda wd: o.Lion(lr=0.01, weight_decay=wd), lion(0.01, 0.9, 0.99), True),
    "rmsprop eps inside": (lambda wd: o.RMSProp(lr=0.01, eps=1e-7, eps_inside=True,
                                                weight_decay=wd),
                           rmsprop_eps_inside(0.01, 0.9, 1e-7), False),
}


@pytest.mark.parametrize("wd", [0.0, 0.01])
@pytest.mark.parametrize("name", FAMILY)
def test_each_optimizer_is_its_formula(name, wd):
    make, formula, decoupled = FAMILY[name]
    grads = gradients()
    opt = make(wd)
    start, got = run_tinynet(opt, grads)
    want = reference(start, grads, formula, wd, decoupled, lr=opt.lr)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert not np.allclose(got[0], start[0]) and not np.allclose(got[2], start[2])
    _, unfused = run_tinynet(make(wd), grads, fused=False)  # the literal path: bit for bit
    assert all(np.array_equal(a, b) for a, b in zip(got, unfused))


@pytest.mark.parametrize("name", FAMILY)
def test_each_passes_check_optimizer_and_round_trips_its_state(name):
    make = FAMILY[name][0]
    opt = make(0.0)
    kwargs = {k: v for k, v in opt.hyperparams().items()}
    assert check_optimizer(type(opt), **kwargs) == list(tn.testing.CHECKS)
    grads = gradients()
    a = make(0.0)
    run_tinynet(a, grads[:3])
    b = make(0.0)
    b.load_state_dict(a.state_dict())
    assert b.t == 3 and all(np.array_equal(a.state_dict()[k], v)
                            for k, v in b.state_dict().items() if "/" in k)


def test_new_names_work_everywhere(tmp_path, capsys):
    from tinynet.cli import main
    from tinynet.estimators import TinyNetClassifier

    X, y = tn.datasets.load("iris", seed=0)[::2]
    for name in ("adamw", "nadam", "adamax", "adadelta", "radam", "lion"):
        clf = TinyNetClassifier(hidden_layer_sizes=(8,), epochs=2, optimizer=name,
                                random_state=0).fit(X, y)
        assert clf.optimizer_.name == name
    assert main(["compare", "--dataset", "iris", "--optimizers", "adamw,lion,radam",
                 "--epochs", "2", "--seeds", "1", "--lrs", "0.001,0.01"]) == 0
    out = capsys.readouterr().out
    assert all(n in out for n in ("AdamW", "Lion", "RAdam"))
    rng = np.random.default_rng(0)
    Xs, ys = rng.standard_normal((40, 4)), rng.integers(0, 3, 40)
    for name in ("nadam", "lion", "adadelta"):
        def trainer(name=name):
            return tn.Trainer(tn.mlp([4, 5, 3], seed=0), tn.SoftmaxCrossEntropy(), name,
                              batch_size=8, progress=False)

        straight, first = trainer(), trainer()
        straight.fit(Xs, ys, epochs=4)
        first.fit(Xs, ys, epochs=2)
        first.save_checkpoint(tmp_path / f"{name}.npz")
        resumed = tn.Trainer.load_checkpoint(tmp_path / f"{name}.npz")
        resumed.fit(Xs, ys, epochs=2)
        for key, W in straight.model.arrays().items():
            assert np.array_equal(resumed.model.arrays()[key], W), (name, key)


# ----- against PyTorch, when it is installed -----------------------------------------------

def torch_run(make_torch, grads, start, wd):
    torch = pytest.importorskip("torch", reason="PyTorch is not a tinynet dependency: "
                                "pip install torch to compare with it")
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # NAdam keeps its mu product in the default dtype
    params = [torch.tensor(p.copy(), dtype=torch.float64, requires_grad=True) for p in start]
    groups = [{"params": params[0::2], "weight_decay": wd},  # W: decayed, as tinynet
              {"params": params[1::2], "weight_decay": 0.0}]  # b: not
    opt = make_torch(torch, groups)
    for step in grads:
        for p, g in zip(params, step):
            p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    torch.set_default_dtype(default)
    return [p.detach().numpy() for p in params]


TORCH = {
    "momentum nesterov": lambda t, g: t.optim.SGD(g, lr=0.05 * (1 - 0.8), momentum=0.8,
                                                  nesterov=True),
    "adam amsgrad": lambda t, g: t.optim.Adam(g, lr=0.01, amsgrad=True),
    "adamw": lambda t, g: t.optim.AdamW(g, lr=0.01),
    "nadam": lambda t, g: t.optim.NAdam(g, lr=0.01),
    "adamax": lambda t, g: t.optim.Adamax(g, lr=0.01),
    "adadelta": lambda t, g: t.optim.Adadelta(g, lr=1.0),
    "radam": lambda t, g: t.optim.RAdam(g, lr=0.01),
    "radam fast beta2": lambda t, g: t.optim.RAdam(g, lr=0.01, betas=(0.9, 0.5)),
}


@pytest.mark.parametrize("wd", [0.0, 0.01])
@pytest.mark.parametrize("name", TORCH)
def test_equal_to_pytorch(name, wd):
    grads = gradients()
    start, got = run_tinynet(FAMILY[name][0](wd), grads)
    want = torch_run(TORCH[name], grads, start, wd)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
