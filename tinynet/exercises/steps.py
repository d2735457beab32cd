"""The optimizer exercises: SGD, Momentum, RMSProp and Adam, each one step on one parameter
W, changing W and its state arrays IN PLACE and returning None (as ``Optimizer.update``).

Each is run for 4 steps from two starting points (state at zero, the first steps; and a
state from mid-training), with gradients whose columns differ in scale from 1e-3 to 100
(the article's unbalanced directions) and change sign and size from step to step, and one
weight that never gets a gradient (there ``s`` stays 0, and only eps keeps 0/0 away). The
right answers come from tinynet's own optimizer classes.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..optimizers import SGD, Adam, Momentum, RMSProp
from .grader import Exercise

SHAPE = (3, 4)
COLUMN_SCALES = np.array([1e-3, 1e-1, 1.0, 100.0])
STEP_FACTORS = (1.0, -3.0, 0.5, 10.0)


def _case(mid_training: bool):
    def make(symbols: tuple):
        rng = np.random.default_rng(11)
        W = rng.standard_normal(SHAPE)
        grads = [rng.standard_normal(SHAPE) * COLUMN_SCALES * f for f in STEP_FACTORS]
        for g in grads:
            g[0, 0] = 0.0  # a weight that never gets a gradient
        states = [np.zeros(SHAPE) for _ in symbols]
        if mid_training:
            for name, arr in zip(symbols, states):
                draw = rng.standard_normal(SHAPE) * COLUMN_SCALES
                arr[...] = draw if name == "v" else draw * draw  # s is an average of dW²
                arr[0, 0] = 0.0
        return W, grads, states, (10 if mid_training else 0)
    return make


CASES = [("from zero state", _case(False)), ("mid-training state", _case(True))]


def run_steps(symbols: tuple, hyper: dict, with_t: bool = False):
    """``run(fn, dtype)``: 4 steps of fn per case, W and the state fed back from step to
    step; every W after a step, and the final state, by name."""

    def run(fn, dtype) -> dict:
        results = {}
        for label, make in CASES:
            W, grads, states, t = make(symbols)
            W, states = W.astype(dtype), [s.astype(dtype) for s in states]
            for k, dW in enumerate(grads, start=1):
                fn(W, dW.astype(dtype), *states, *([t + k] if with_t else []), *hyper.values())
                results[f"W after step {k} ({label})"] = W.copy()
            for name, arr in zip(symbols, states):
                results[f"{name} after step {len(grads)} ({label})"] = arr.copy()
        return results

    return run


def _shapes(names: str, hyper: dict):
    return lambda dtype: (f"{names}: arrays of W's shape {SHAPE}; "
                          f"{', '.join(hyper)}: numbers")


def _exercise(name, symbols, hyper, reference, formula, mistakes, with_t=False):
    args = ", ".join(("W", "dW", *symbols, *(["t"] if with_t else []), *hyper))
    changed = " and ".join(", ".join(("W", *symbols)).rsplit(", ", 1))
    task = (f"One {TITLES[name]} step on a parameter W with gradient dW"
            f"{' at step number t (1 at the first step)' if with_t else ''}: change "
            f"{changed} in place and return None.")
    return Exercise(name=name, signature=f"{name}({args}) -> None", task=task, formula=formula,
                    run=run_steps(symbols, hyper, with_t), reference=reference,
                    shapes=_shapes(", ".join(("W", "dW", *symbols)), hyper),
                    mistakes=[(message, partial(wrong, **flags))
                              for message, wrong, flags in mistakes])


TITLES = {"sgd": "plain gradient descent", "momentum": "Momentum", "rmsprop": "RMSProp",
          "adam": "Adam"}


def _step(W, step, lr, rebind_W):
    """W -= lr * step, in place; or, the mistake, a new local W."""
    if rebind_W:
        W = W - lr * step  # noqa: F841 - the mistake: the caller's W never changes
    else:
        W -= lr * step


# ----- SGD -----------------------------------------------------------------------------------

def sgd(W, dW, lr):
    SGD(lr=lr).update(W, dW)


def _sgd(W, dW, lr, *, sign=1.0, scaled=True, rebind_W=False):
    _step(W, sign * dW, lr if scaled else 1.0, rebind_W)


W_REBOUND = "W was rebound, not updated in place: write W -= ..."

SGD_EXERCISE = _exercise(
    "sgd", (), {"lr": 0.1}, sgd, "W ← W - lr dW", [
        ("W moved up the gradient: W -= lr dW", _sgd, {"sign": -1.0}),
        ("the step forgot lr: W -= lr dW", _sgd, {"scaled": False}),
        (W_REBOUND, _sgd, {"rebind_W": True}),
    ])


# ----- Momentum ------------------------------------------------------------------------------

def momentum(W, dW, v, lr, beta):
    Momentum(lr=lr, beta=beta).update(W, dW, v=v)


def _momentum(W, dW, v, lr, beta, *, heavy=False, swap=False, old=False, rebind_v=False,
              with_dW=False, rebind_W=False):
    a, c = (1 - beta, beta) if swap else (beta, 1 - beta)
    new_v = a * v + (1.0 if heavy else c) * dW
    step = dW if with_dW else (v.copy() if old else new_v)
    if not rebind_v:
        v[...] = new_v
    _step(W, step, lr, rebind_W)


MOMENTUM_EXERCISE = _exercise(
    "momentum", ("v",), {"lr": 0.1, "beta": 0.9}, momentum,
    "v ← beta v + (1 - beta) dW\nW ← W - lr v", [
        ("heavy-ball momentum: here v is an average, v = beta v + (1 - beta) dW",
         _momentum, {"heavy": True}),
        ("beta and 1 - beta are swapped: v = beta v + (1 - beta) dW", _momentum, {"swap": True}),
        ("W was stepped with the old v: update v first", _momentum, {"old": True}),
        ("W was stepped with dW, not with v", _momentum, {"with_dW": True}),
        ("v was rebound, not updated in place: write v[...] = ...", _momentum,
         {"rebind_v": True}),
        (W_REBOUND, _momentum, {"rebind_W": True}),
    ])


# ----- RMSProp -------------------------------------------------------------------------------

def rmsprop(W, dW, s, lr, rho, eps):
    RMSProp(lr=lr, rho=rho, eps=eps).update(W, dW, s=s)


def _rmsprop(W, dW, s, lr, rho, eps, *, swap=False, square=True, decay=True, old=False,
             root=True, eps_inside=False, with_eps=True, divide=True, rebind_s=False,
             rebind_W=False):
    a, c = (1 - rho, rho) if swap else (rho, 1 - rho)
    g2 = dW * dW if square else dW
    new_s = a * s + c * g2 if decay else s + g2
    used = s if old else new_s
    if eps_inside:
        den = np.sqrt(used + eps)
    else:
        den = (np.sqrt(used) if root else used) + (eps if with_eps else 0.0)
    step = dW / den if divide else dW * den
    if not rebind_s:
        s[...] = new_s
    _step(W, step, lr, rebind_W)


S_REBOUND = "s was rebound, not updated in place: write s[...] = ..."

RMSPROP_EXERCISE = _exercise(
    "rmsprop", ("s",), {"lr": 0.01, "rho": 0.9, "eps": 1e-8}, rmsprop,
    "s ← rho s + (1 - rho) dW ⊙ dW      (element-wise)\nW ← W - lr dW / (sqrt(s) + eps)", [
        ("rho and 1 - rho are swapped: s = rho s + (1 - rho) dW²", _rmsprop, {"swap": True}),
        ("s averages dW, not dW²: s = rho s + (1 - rho) dW ⊙ dW", _rmsprop, {"square": False}),
        ("s is a running sum (AdaGrad): RMSProp decays it, s = rho s + (1 - rho) dW²",
         _rmsprop, {"decay": False}),
        ("W was stepped with the old s: update s first", _rmsprop, {"old": True}),
        ("no square root: divide by sqrt(s) + eps", _rmsprop, {"root": False}),
        ("eps is inside the square root: sqrt(s) + eps", _rmsprop, {"eps_inside": True}),
        ("eps is missing: where s is 0 (no gradient yet), dW / sqrt(s) is 0/0",
         _rmsprop, {"with_eps": False}),
        ("multiplied by sqrt(s) + eps: divide by it", _rmsprop, {"divide": False}),
        (S_REBOUND, _rmsprop, {"rebind_s": True}),
        (W_REBOUND, _rmsprop, {"rebind_W": True}),
    ])


# ----- Adam ----------------------------------------------------------------------------------

def adam(W, dW, v, s, t, lr, beta1, beta2, eps):
    opt = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    opt.t = t
    opt.update(W, dW, v=v, s=s)


def _adam(W, dW, v, s, t, lr, beta1, beta2, eps, *, swap=False, old=False, correct_v=True,
          correct_s=True, s_rate="beta2", t_shift=0, store=False, eps_inside=False,
          with_eps=True, rebind_v=False, rebind_s=False, rebind_W=False):
    b1, b2 = (beta2, beta1) if swap else (beta1, beta2)
    new_v, new_s = b1 * v + (1 - b1) * dW, b2 * s + (1 - b2) * dW * dW
    mv, ms = (v.copy(), s.copy()) if old else (new_v, new_s)
    t = t + t_shift
    v_hat = mv / (1 - b1**t) if correct_v else mv
    s_hat = ms / (1 - (b1 if s_rate == "beta1" else b2)**t) if correct_s else ms
    den = np.sqrt(s_hat + eps) if eps_inside else np.sqrt(s_hat) + (eps if with_eps else 0.0)
    if store:
        new_v, new_s = v_hat, s_hat
    if not rebind_v:
        v[...] = new_v
    if not rebind_s:
        s[...] = new_s
    _step(W, v_hat / den, lr, rebind_W)


OFF_BY_ONE = "bias correction off by one: t starts at 1 (the first step divides by 1 - beta1)"

ADAM_EXERCISE = _exercise(
    "adam", ("v", "s"), {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, adam,
    "v ← beta1 v + (1 - beta1) dW\ns ← beta2 s + (1 - beta2) dW ⊙ dW\n"
    "v̂ = v / (1 - beta1^t),   ŝ = s / (1 - beta2^t)      (t = 1 at the first step)\n"
    "W ← W - lr v̂ / (sqrt(ŝ) + eps)", [
        ("no bias correction: v̂ = v / (1 - beta1^t), ŝ = s / (1 - beta2^t)", _adam,
         {"correct_v": False, "correct_s": False}),
        ("ŝ is not bias-corrected: ŝ = s / (1 - beta2^t)", _adam, {"correct_s": False}),
        ("v̂ is not bias-corrected: v̂ = v / (1 - beta1^t)", _adam, {"correct_v": False}),
        ("ŝ was corrected with beta1: ŝ = s / (1 - beta2^t)", _adam, {"s_rate": "beta1"}),
        (OFF_BY_ONE, _adam, {"t_shift": 1}),
        (OFF_BY_ONE, _adam, {"t_shift": -1}),
        ("the bias-corrected v̂ and ŝ were stored in v and s: keep v and s as the running "
         "averages and correct copies", _adam, {"store": True}),
        ("beta1 and beta2 are swapped: v decays with beta1, s with beta2", _adam,
         {"swap": True}),
        ("W was stepped with the old v and s: update them first", _adam, {"old": True}),
        ("eps is inside the square root: sqrt(ŝ) + eps", _adam, {"eps_inside": True}),
        ("eps is missing: where s is 0 (no gradient yet), v̂ / sqrt(ŝ) is 0/0", _adam,
         {"with_eps": False}),
        ("v was rebound, not updated in place: write v[...] = ...", _adam, {"rebind_v": True}),
        (S_REBOUND, _adam, {"rebind_s": True}),
        (W_REBOUND, _adam, {"rebind_W": True}),
    ], with_t=True)

EXERCISES = [SGD_EXERCISE, MOMENTUM_EXERCISE, RMSPROP_EXERCISE, ADAM_EXERCISE]
