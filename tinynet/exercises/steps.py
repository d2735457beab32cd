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


# The cases are data, made once: the same arrays for every learner and every run.
_draw = np.random.default_rng(11)
W0 = _draw.standard_normal(SHAPE)
GRADS = [_draw.standard_normal(SHAPE) * COLUMN_SCALES * f for f in STEP_FACTORS]
for _g in GRADS:
    _g[0, 0] = 0.0  # a weight that never gets a gradient
_v = _draw.standard_normal(SHAPE) * COLUMN_SCALES           # a running average of dW
_s = (_draw.standard_normal(SHAPE) * COLUMN_SCALES) ** 2    # a running average of dW²
_v[0, 0] = _s[0, 0] = 0.0
_zero = np.zeros(SHAPE)
# (label, the state at the start, t before the first of the 4 steps)
CASES = [("from zero state", {"v": _zero, "s": _zero}, 0),
         ("mid-training state", {"v": _v, "s": _s}, 10)]


def run_steps(fn, dtype, *, symbols: tuple, hyper: dict, with_t: bool = False) -> dict:
    """4 steps of fn per case, W and the state fed back from step to step; every W after a
    step, and the final state, by name (``Exercise.run`` is this, with its settings bound)."""
    results = {}
    for label, start, t in CASES:
        W, states = W0.astype(dtype), [start[name].astype(dtype) for name in symbols]
        for k, dW in enumerate(GRADS, start=1):
            fn(W, dW.astype(dtype), *states, *([t + k] if with_t else []), *hyper.values())
            results[f"W after step {k} ({label})"] = W.copy()
        for name, arr in zip(symbols, states):
            results[f"{name} after step {len(GRADS)} ({label})"] = arr.copy()
    return results


def _step(W, step, lr, rebind_W):
    """W -= lr * step, in place; or, the mistake ``W = W - lr * step``, which only rebinds a
    local name: the caller's W stays as it was."""
    if not rebind_W:
        W -= lr * step


# ----- SGD -----------------------------------------------------------------------------------

def sgd(W, dW, lr):
    SGD(lr=lr).update(W, dW)


def _sgd(W, dW, lr, *, sign=1.0, scaled=True, rebind_W=False):
    _step(W, sign * dW, lr if scaled else 1.0, rebind_W)


W_REBOUND = "W was rebound, not updated in place: write W -= ..."

SGD_EXERCISE = Exercise(
    name="sgd", signature="sgd(W, dW, lr) -> None",
    task="One plain gradient descent step on a parameter W with gradient dW: change W in "
         "place and return None.",
    formula="W ← W - lr dW",
    run=partial(run_steps, symbols=(), hyper={"lr": 0.1}),
    reference=sgd,
    shapes=f"W, dW: arrays of W's shape {SHAPE}; lr: a number",
    mistakes=[(message, partial(wrong, **flags)) for message, wrong, flags in [
        ("W moved up the gradient: W -= lr dW", _sgd, {"sign": -1.0}),
        ("the step forgot lr: W -= lr dW", _sgd, {"scaled": False}),
        (W_REBOUND, _sgd, {"rebind_W": True}),
    ]])


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


MOMENTUM_EXERCISE = Exercise(
    name="momentum", signature="momentum(W, dW, v, lr, beta) -> None",
    task="One Momentum step on a parameter W with gradient dW: change W and v in place and "
    "return None.",
    formula="v ← beta v + (1 - beta) dW\nW ← W - lr v",
    run=partial(run_steps, symbols=("v",), hyper={"lr": 0.1, "beta": 0.8}),
    reference=momentum,
    shapes=f"W, dW, v: arrays of W's shape {SHAPE}; lr, beta: numbers",
    mistakes=[(message, partial(wrong, **flags)) for message, wrong, flags in [
        ("heavy-ball momentum: here v is an average, v = beta v + (1 - beta) dW",
         _momentum, {"heavy": True}),
        ("beta and 1 - beta are swapped: v = beta v + (1 - beta) dW", _momentum, {"swap": True}),
        ("W was stepped with the old v: update v first", _momentum, {"old": True}),
        ("W was stepped with dW, not with v", _momentum, {"with_dW": True}),
        ("v was rebound, not updated in place: write v[...] = ...", _momentum,
         {"rebind_v": True}),
        (W_REBOUND, _momentum, {"rebind_W": True}),
    ]])


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

RMSPROP_EXERCISE = Exercise(
    name="rmsprop", signature="rmsprop(W, dW, s, lr, rho, eps) -> None",
    task="One RMSProp step on a parameter W with gradient dW: change W and s in place and "
    "return None.",
    formula="s ← rho s + (1 - rho) dW ⊙ dW      (element-wise)\nW ← W - lr dW / (sqrt(s) + eps)",
    run=partial(run_steps, symbols=("s",), hyper={"lr": 0.01, "rho": 0.95, "eps": 1e-7}),
    reference=rmsprop,
    shapes=f"W, dW, s: arrays of W's shape {SHAPE}; lr, rho, eps: numbers",
    mistakes=[(message, partial(wrong, **flags)) for message, wrong, flags in [
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
    ]])


# ----- Adam ----------------------------------------------------------------------------------

def adam(W, dW, v, s, t, lr, beta1, beta2, eps):
    opt = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    opt.t = t
    opt.update(W, dW, v=v, s=s)


def _adam(W, dW, v, s, t, lr, beta1, beta2, eps, *, swap=False, old=False, correct_v=True,
          correct_s=True, s_with_beta1=False, t_shift=0, store=False, eps_inside=False,
          with_eps=True, rebind_v=False, rebind_s=False, rebind_W=False):
    b1, b2 = (beta2, beta1) if swap else (beta1, beta2)
    new_v, new_s = b1 * v + (1 - b1) * dW, b2 * s + (1 - b2) * dW * dW
    mv, ms = (v.copy(), s.copy()) if old else (new_v, new_s)
    t = t + t_shift
    v_hat = mv / (1 - b1**t) if correct_v else mv
    s_hat = ms / (1 - (b1 if s_with_beta1 else b2)**t) if correct_s else ms
    den = np.sqrt(s_hat + eps) if eps_inside else np.sqrt(s_hat) + (eps if with_eps else 0.0)
    if store:
        new_v, new_s = v_hat, s_hat
    if not rebind_v:
        v[...] = new_v
    if not rebind_s:
        s[...] = new_s
    _step(W, v_hat / den, lr, rebind_W)


OFF_BY_ONE = "bias correction off by one: t starts at 1"

ADAM_RATES = {"lr": 0.01, "beta1": 0.85, "beta2": 0.99, "eps": 1e-7}

ADAM_EXERCISE = Exercise(
    name="adam", signature="adam(W, dW, v, s, t, lr, beta1, beta2, eps) -> None",
    task="One Adam step on a parameter W with gradient dW at step number t (1 at the first "
    "step): change W, v and s in place and return None.",
    formula="v ← beta1 v + (1 - beta1) dW\ns ← beta2 s + (1 - beta2) dW ⊙ dW\n"
    "v̂ = v / (1 - beta1^t),   ŝ = s / (1 - beta2^t)      (t = 1 at the first step)\n"
    "W ← W - lr v̂ / (sqrt(ŝ) + eps)",
    run=partial(run_steps, symbols=("v", "s"), hyper=ADAM_RATES, with_t=True),
    reference=adam,
    shapes=f"W, dW, v, s: arrays of W's shape {SHAPE}; t: an integer; lr, beta1, beta2, "
           "eps: numbers",
    mistakes=[(message, partial(wrong, **flags)) for message, wrong, flags in [
        ("no bias correction: v̂ = v / (1 - beta1^t), ŝ = s / (1 - beta2^t)", _adam,
         {"correct_v": False, "correct_s": False}),
        ("ŝ is not bias-corrected: ŝ = s / (1 - beta2^t)", _adam, {"correct_s": False}),
        ("v̂ is not bias-corrected: v̂ = v / (1 - beta1^t)", _adam, {"correct_v": False}),
        ("ŝ was corrected with beta1: ŝ = s / (1 - beta2^t)", _adam, {"s_with_beta1": True}),
        (f"{OFF_BY_ONE}, and is not increased again (t + 1)", _adam, {"t_shift": 1}),
        (f"{OFF_BY_ONE} (t - 1 makes the first step divide by 1 - beta1^0 = 0)", _adam,
         {"t_shift": -1}),
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
    ]])

EXERCISES = [SGD_EXERCISE, MOMENTUM_EXERCISE, RMSPROP_EXERCISE, ADAM_EXERCISE]
