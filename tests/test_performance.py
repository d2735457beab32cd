"""What the speed work must never break: no upcasts, no growth (fused == reference:
test_fused.py)."""

import tracemalloc

import numpy as np
import pytest

import tinynet as tn

OPTIMIZERS = [tn.optimizers.SGD, tn.optimizers.Momentum, tn.optimizers.RMSProp,
              tn.optimizers.Adam, tn.optimizers.Adagrad]


def arrays_in(obj, seen=None, depth=0):
    """Every numpy array reachable from obj's attributes (and dicts/lists of them)."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 4:
        return
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from arrays_in(v, seen, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from arrays_in(v, seen, depth + 1)
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("tinynet"):
        for v in vars(obj).values():
            yield from arrays_in(v, seen, depth + 1)


@pytest.mark.parametrize("opt_cls", OPTIMIZERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("loss_cls, n_out", [(tn.SoftmaxCrossEntropy, 3),
                                             (tn.BinaryCrossEntropy, 1), (tn.MSE, 2)])
def test_float32_step_touches_only_float32(opt_cls, loss_cls, n_out):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 5))  # float64 on purpose: converted once, at the boundary
    y = rng.integers(0, max(n_out, 2), 40) if n_out != 2 else rng.standard_normal((40, 2))
    model = tn.Sequential([tn.Dense(5, 8, dtype=np.float32), tn.ReLU(),
                           tn.Dense(8, 8, dtype=np.float32), tn.Tanh(),
                           tn.Dense(8, 8, dtype=np.float32), tn.Sigmoid(),
                           tn.Dense(8, 8, dtype=np.float32), tn.LeakyReLU(),
                           tn.Dense(8, n_out, dtype=np.float32)],
                          head="identity" if loss_cls is tn.MSE else None)
    flowing = []  # every array passed between layers, forward and backward
    for layer in model.layers:
        for name in ("forward", "backward"):
            method = getattr(layer, name)

            def spy(*args, _m=method, **kw):
                out = _m(*args, **kw)
                flowing.extend(a for a in (*args, out) if isinstance(a, np.ndarray))
                return out
            setattr(layer, name, spy)
    trainer = tn.Trainer(model, loss_cls(), opt_cls(weight_decay=0.01), batch_size=16,
                         progress=False, callbacks=[tn.OptimizerStats(every=1)])
    trainer.fit(X, y, epochs=2, validation_data=(X, y))
    touched = [*flowing, *arrays_in(model), *arrays_in(trainer.loss),
               *arrays_in(trainer.optimizer)]
    floats = [a for a in touched if a.dtype.kind == "f"]
    assert len(floats) > 40
    assert {a.dtype for a in floats} == {np.dtype(np.float32)}, \
        sorted({str(a.dtype) + str(a.shape) for a in floats if a.dtype != np.float32})


def test_memory_stays_flat_over_epochs(digits):
    X_train, _, y_train, _ = digits
    model = tn.mlp([64, 128, 64, 10], seed=0)
    current, peaks = [], []

    class Measure(tn.Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            now, peak = tracemalloc.get_traced_memory()
            current.append(now)
            peaks.append(peak)
            tracemalloc.reset_peak()

    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), "rmsprop", progress=True,
                         callbacks=[Measure()])
    tracemalloc.start()
    try:
        trainer.fit(X_train, y_train, epochs=12)
    finally:
        tracemalloc.stop()
    # after the first epoch nothing accumulates: memory held and the per-epoch peak are flat
    assert max(current[1:]) - min(current[1:]) < 64 * 1024, current
    assert max(peaks[1:]) < 1.2 * min(peaks[1:]), peaks
