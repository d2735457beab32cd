"""Conformance checks for optimizers and layers, including the ones you write.

    from tinynet.testing import check_optimizer, check_layer
    check_optimizer(MyOptimizer, lr=0.01)     # raises OptimizerCheckError in plain words
    check_layer(MyLayer())                    # raises LayerCheckError (layercheck.py)

Every built-in optimizer and layer passes the same checks.
"""

from __future__ import annotations

import numpy as np

from . import surfaces
from .layercheck import LAYER_CHECKS, LayerCheckError, check_layer
from .losses import SoftmaxCrossEntropy
from .model import mlp
from .optimizers.base import Optimizer

__all__ = ["CHECKS", "LAYER_CHECKS", "LayerCheckError", "OptimizerCheckError", "check_layer",
           "check_optimizer"]


class OptimizerCheckError(AssertionError):
    """An optimizer broke one of the rules every tinynet optimizer follows."""


def _tiny_problem(seed: int = 0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((64, 4)).astype(dtype)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return mlp([4, 8, 2], seed=seed, dtype=dtype), SoftmaxCrossEntropy(), X, y


def _backprop(model, loss, X, y) -> float:
    value = loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    return value


def _state_arrays(opt: Optimizer) -> dict:
    return {f"{key}/{l}": a for key in opt.state_keys() for l, a in getattr(opt, key).items()}


def check_state_per_layer(cls, hparams):
    model, loss, X, y = _tiny_problem()
    opt = cls(**hparams)
    _backprop(model, loss, X, y)
    opt.step(model)
    for key in opt.state_keys():
        state = getattr(opt, key)
        if sorted(state) != [1, 2]:
            return f"state {key} should have one entry per layer, keyed 1 and 2: {sorted(state)}"
        for l, layer in enumerate(model.dense_layers, start=1):
            param = getattr(layer, key[-1])
            if state[l].shape != param.shape or state[l].dtype != param.dtype:
                return (f"state {key}[{l}] should be shaped like layer {l}'s {key[-1]} "
                        f"{param.shape} {param.dtype}, got {state[l].shape} {state[l].dtype}")
    return None


def check_zero_gradient_keeps_weights(cls, hparams):
    model, loss, X, y = _tiny_problem()
    if "weight_decay" in hparams:  # decay moves weights on purpose; test the update alone
        hparams = {**hparams, "weight_decay": 0.0}
    opt = cls(**hparams)
    _backprop(model, loss, X, y)
    for layer in model.dense_layers:
        layer.dW[...] = 0.0
        layer.db[...] = 0.0
    before = [a.copy() for a in model.arrays().values()]
    opt.step(model)
    for (key, a), b in zip(model.arrays().items(), before):
        if not np.array_equal(a, b):
            return (f"a zero gradient from zero state moved {key} (by up to "
                    f"{np.nanmax(np.abs(a - b)):.3g}); with nothing to learn, nothing should move")
    return None


def check_zero_gradient_entries_with_eps_zero(cls, hparams, steps: int = 20):
    """With ``eps = 0`` (where the optimizer takes it), entries whose gradient is always 0
    must stay where they are: every division there is 0 / 0, which must give 0, not NaN.
    20 steps pass any warm-up (RAdam is rectified from step 6 with beta2 = 0.999)."""
    import inspect

    zeroed = {k: 0.0 for k in ("eps", "weight_decay") if k in inspect.signature(cls).parameters}
    hparams = {**hparams, **zeroed}
    settings = "".join(f"{k}=0, " for k in zeroed)
    for fused in (False, True):
        model, loss, X, y = _tiny_problem()
        opt = cls(**hparams)
        opt.fused = fused
        first = model.dense_layers[0]
        W0, b0 = first.W[0].copy(), first.b[0].copy()
        for _ in range(steps):
            _backprop(model, loss, X, y)
            first.dW[0] = 0.0  # input 1's weights and unit 1's bias never get a gradient
            first.db[0] = 0.0
            opt.step(model)
        path = "the fused path" if fused else "layer by layer"
        broken = [k for k, a in {**model.arrays(), **_state_arrays(opt)}.items()
                  if not np.isfinite(a).all()]
        if broken:
            return (f"with {settings}some gradient entries always 0, {broken[0]} holds NaN "
                    f"or inf after {steps} steps ({path}): guard the division so that 0 / 0 "
                    f"gives 0 (tinynet.optimizers.base.divide)")
        if not (np.array_equal(first.W[0], W0) and first.b[0] == b0):
            return (f"with {settings}weights whose gradient is always 0 moved in {steps} "
                    f"steps ({path}); with nothing to learn, nothing should move")
    return None


def check_descends_on_quadratic(cls, hparams):
    traj = surfaces.run(cls(**hparams), surfaces.Quadratic(a=100.0), start=(1.0, 1.0), steps=100)
    if not np.isfinite(traj.losses[-1]) or traj.losses[-1] >= traj.losses[0]:
        return (f"on the ill-conditioned quadratic ½(100x² + y²) the loss went from "
                f"{traj.losses[0]:.4g} to {traj.losses[-1]:.4g} in 100 steps; it should "
                f"decrease (is the update's sign right? is lr too large?)")
    return None


def check_descends_on_mlp(cls, hparams):
    model, loss, X, y = _tiny_problem()
    opt = cls(**hparams)
    first = _backprop(model, loss, X, y)
    for _ in range(50):
        opt.step(model)
        last = _backprop(model, loss, X, y)
    if not np.isfinite(last) or last >= first:
        return (f"on a tiny MLP (full batch, 50 steps) the loss went from {first:.4g} to "
                f"{last:.4g}; it should decrease")
    return None


def check_state_dict_round_trip(cls, hparams):
    model_a, loss, X, y = _tiny_problem()
    model_b = _tiny_problem()[0]
    opt_a = cls(**hparams)
    for _ in range(3):
        _backprop(model_a, loss, X, y)
        opt_a.step(model_a)
    opt_b = cls(**hparams)
    opt_b.load_state_dict(opt_a.state_dict())
    for a, b in zip(model_a.arrays().values(), model_b.arrays().values()):
        b[...] = a
    for _ in range(3):
        for model, opt in ((model_a, opt_a), (model_b, opt_b)):
            _backprop(model, loss, X, y)
            opt.step(model)
    for key, a in model_a.arrays().items():
        if not np.array_equal(a, model_b.arrays()[key]):
            return (f"an optimizer restored with load_state_dict(state_dict()) did not continue "
                    f"identically: {key} differs after 3 more steps. Is some state kept "
                    f"outside the declared state_symbols?")
    return None


def check_float32_kept(cls, hparams):
    model, loss, X, y = _tiny_problem(dtype=np.float32)
    opt = cls(**hparams)
    for _ in range(2):
        _backprop(model, loss, X, y)
        opt.step(model)
    arrays = {**model.arrays(), **_state_arrays(opt)}
    wrong = {k: str(a.dtype) for k, a in arrays.items() if a.dtype != np.float32}
    if wrong:
        return f"a float32 model must stay float32, but after two steps these are not: {wrong}"
    return None


def check_updates_in_place(cls, hparams):
    model, loss, X, y = _tiny_problem()
    opt = cls(**hparams)
    opt.fused = False  # the formula itself, layer by layer
    ids = {k: id(a) for k, a in model.arrays().items()}
    before = model.arrays()["W/1"].copy()
    _backprop(model, loss, X, y)
    opt.step(model)
    moved = {k for k, a in model.arrays().items() if id(a) != ids[k]}
    if moved:
        return (f"parameters must be updated in place (W -= ..., not W = ...), "
                f"but these are new arrays: {sorted(moved)}")
    if np.array_equal(before, model.dense_layers[0].W):
        return ("a step with a non-zero gradient left W/1 unchanged: update() must change W "
                "in place (W -= ...); W = W - ... only rebinds a local name")
    return None


def check_state_changes_in_place(cls, hparams):
    model, loss, X, y = _tiny_problem()
    opt = cls(**hparams)
    opt.fused = False
    for _ in range(2):
        _backprop(model, loss, X, y)
        opt.step(model)
    for key in opt.state_keys():
        if all(not np.any(a) for a in getattr(opt, key).values()):
            sym = key.split("_d")[0]
            return (f"state {key} is still all zeros after 2 steps with non-zero gradients: "
                    f"update() must change its state in place ({sym}[...] = ..., {sym} *= ...); "
                    f"{sym} = ... only rebinds a local name")
    return None


def _three_steps(cls, hparams, fused: bool, fast_variant: bool = True) -> dict:
    model, loss, X, y = _tiny_problem()
    opt = cls(**hparams)
    opt.fused = fused
    if not fast_variant:
        opt.fused_update = None  # the fast path then runs update() on the whole buffer
    for _ in range(3):
        _backprop(model, loss, X, y)
        opt.step(model)
    return {**model.arrays(), **_state_arrays(opt)}


def _first_difference(a: dict, b: dict) -> str | None:
    for key in a:
        if not np.array_equal(a[key], b[key]):
            diff = np.nanmax(np.abs(a[key] - b[key])) if np.isfinite(b[key]).all() else np.nan
            return f"{key} differs by up to {diff:.3g} after 3 steps"
    return None


def check_elementwise_claim(cls, hparams):
    if not cls.elementwise:
        return None
    where = _first_difference(_three_steps(cls, hparams, fused=False),
                              _three_steps(cls, hparams, fused=True, fast_variant=False))
    if where:
        return (f"elementwise = True, but update() run once on all parameters gives other "
                f"numbers than run layer by layer ({where}): a model and a list of layers would "
                f"train differently. Does update() use a norm, a sum or a matrix product? "
                f"Then set elementwise = False")
    return None


def check_fast_variant_equals_update(cls, hparams):
    if not cls.elementwise or cls.fused_update is None:
        return None
    where = _first_difference(_three_steps(cls, hparams, fused=False),
                              _three_steps(cls, hparams, fused=True))
    if where:
        return (f"fused_update() gives other numbers than update() ({where}); the fast "
                f"variant must do update()'s operations in the same order, bit for bit")
    return None


CHECKS = {
    "state per layer": check_state_per_layer,
    "updates in place": check_updates_in_place,
    "state changes in place": check_state_changes_in_place,
    "zero gradient keeps weights": check_zero_gradient_keeps_weights,
    "descends on an ill-conditioned quadratic": check_descends_on_quadratic,
    "descends on a tiny MLP": check_descends_on_mlp,
    "state_dict round trip": check_state_dict_round_trip,
    "float32 stays float32": check_float32_kept,
    "elementwise claim holds": check_elementwise_claim,
    "fast variant equals update": check_fast_variant_equals_update,
    "zero-gradient entries stay put with eps=0": check_zero_gradient_entries_with_eps_zero,
}


def check_optimizer(cls: type, **hparams) -> list[str]:
    """Run every check on optimizer class ``cls`` built with ``hparams``.

    Returns the names of the checks (all passed); raises OptimizerCheckError naming the
    first check that failed and what went wrong.
    """
    if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
        raise TypeError(f"check_optimizer takes an Optimizer subclass, got {cls!r}")
    cls(**hparams)  # a bad hyperparameter is the user's error, not a failed check
    for name, check in CHECKS.items():
        try:
            with np.errstate(all="ignore"):
                problem = check(cls, hparams)
        except Exception as err:  # report the crash as the check's failure
            problem = f"raised {type(err).__name__}: {err}"
        if problem:
            raise OptimizerCheckError(f"{cls.__name__} failed '{name}': {problem}")
    return list(CHECKS)
