"""The fast path (opt.fused = True) gives exactly the numbers of the literal formulas."""

import copy

import numpy as np
import pytest
from test_layer_params import bn_model, fit

import tinynet as tn
from tinynet.flatbuffer import FlatBuffer

opt = tn.optimizers
CONFIGS = [
    (opt.SGD, {}), (opt.SGD, {"weight_decay": 0.1}),
    (opt.Momentum, {}), (opt.Momentum, {"beta": 0.5, "weight_decay": 0.01}),
    (opt.RMSProp, {}), (opt.RMSProp, {"centered": True}), (opt.RMSProp, {"momentum": 0.9}),
    (opt.RMSProp, {"centered": True, "momentum": 0.5}), (opt.RMSProp, {"eps": 0.0}),
    (opt.RMSProp, {"weight_decay": 0.01}),
    (opt.Adam, {}), (opt.Adam, {"eps": 0.0}), (opt.Adam, {"weight_decay": 0.01}),
    (opt.Adagrad, {}), (opt.Adagrad, {"eps": 0.0}),
]


def ids(x):
    return x.__name__ if isinstance(x, type) else ",".join(f"{k}={v}" for k, v in x.items())


def train(cls, hp, fused, dtype, epochs=3):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 5)).astype(dtype)
    X[:, 4] = 0.0  # a feature that is always 0: its weights get exactly 0 gradient (eps = 0)
    y = (X[:, 0] - X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    model = tn.mlp([5, 7, 4, 3], seed=1, dtype=dtype)
    o = cls(lr=0.01, **hp)
    o.fused = fused
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), o, batch_size=8, progress=False,
                         teaching_warnings=False)
    history = trainer.fit(X, y, epochs=epochs)
    return model, o, history


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cls, hp", CONFIGS, ids=ids)
def test_fused_and_layer_by_layer_runs_are_equal_bit_for_bit(cls, hp, dtype):
    fast_model, fast, fast_hist = train(cls, hp, True, dtype)
    slow_model, slow, slow_hist = train(cls, hp, False, dtype)
    assert fast._fast is not None  # the fast path really ran ...
    assert fast._fast.update == fast.fused_update is not None  # ... with its variant
    for key, W in fast_model.arrays().items():
        assert W.dtype == dtype
        assert np.array_equal(W, slow_model.arrays()[key]), key
    state_fast, state_slow = fast.state_dict(), slow.state_dict()
    for key in state_fast:
        if "/" in key:
            assert np.array_equal(state_fast[key], state_slow[key]), key
    assert fast_hist["loss"] == slow_hist["loss"]
    assert fast_hist["loss"][-1] < fast_hist["loss"][0]  # and they did train


def test_layer_by_layer_step_calls_update_per_layer_with_its_own_state():
    model = tn.mlp([3, 4, 2], seed=0)
    loss = tn.SoftmaxCrossEntropy()
    loss.forward(model.forward(np.ones((2, 3))), [0, 1])
    model.backward(loss.backward())
    rms = opt.RMSProp()
    rms.fused = False
    calls = []
    original = rms.update

    def spy(W, dW, s):
        calls.append((W, dW, s))
        original(W, dW, s=s)

    rms.update = spy
    rms.step(model)
    expected = [(d.W, d.dW, rms.s_dW[l]) if p == "W" else (d.b, d.db, rms.s_db[l])
                for l, d in enumerate(model.dense_layers, start=1) for p in "Wb"]
    assert len(calls) == 4
    assert all(a is b for call, exp in zip(calls, expected) for a, b in zip(call, exp))
    assert all(not np.array_equal(s, 0) for _, _, s in calls)  # state filled in place


def test_a_replaced_gradient_array_falls_back_to_the_layer_loop():
    model = tn.mlp([3, 4, 2], seed=0)
    sgd = opt.SGD(lr=1.0)
    loss = tn.SoftmaxCrossEntropy()
    loss.forward(model.forward(np.ones((2, 3))), [0, 1])
    model.backward(loss.backward())
    sgd.step(model)
    assert sgd._fast is not None
    layer = model.dense_layers[0]
    layer.dW = np.full_like(layer.W, 2.0)  # a new array: the one buffer no longer covers it
    before = layer.W.copy()
    sgd.step(model)
    np.testing.assert_array_equal(layer.W, before - 2.0)
    assert sgd._fast is None


def test_a_deep_copied_model_keeps_one_buffer_of_its_own():
    model = tn.mlp([3, 4, 2], seed=0)
    twin = copy.deepcopy(model)
    assert twin.params.holds([a for d in twin.dense_layers for a in (d.W, d.b)])
    loss = tn.SoftmaxCrossEntropy()
    loss.forward(twin.forward(np.ones((2, 3))), [0, 1])
    twin.backward(loss.backward())
    before = {k: a.copy() for k, a in model.arrays().items()}
    sgd = opt.SGD(lr=1.0)
    sgd.step(twin)
    assert sgd._fast is not None
    assert not np.array_equal(twin.dense_layers[0].W, before["W/1"])  # the copy trained
    assert all(np.array_equal(a, before[k]) for k, a in model.arrays().items())  # not this


def test_a_subclass_that_rewrites_update_is_not_run_with_the_parents_fast_variant():
    class Halved(opt.RMSProp):
        def update(self, W, dW, s):
            super().update(W, dW / 2, s=s)

    runs = {}
    for fused in (True, False):
        model, o, _ = train(Halved, {}, fused, np.float64, epochs=1)
        assert o._fast is not None and o._fast.update == o.update
        runs[fused] = model.arrays()["W/1"]
    plain = train(opt.RMSProp, {}, True, np.float64, epochs=1)[0].arrays()["W/1"]
    assert np.array_equal(runs[True], runs[False]) and not np.array_equal(runs[True], plain)


def test_flat_buffer_packs_values_and_hands_out_views():
    a, b = np.arange(6.0).reshape(2, 3), np.array([7.0, 8.0])
    buf = FlatBuffer.pack([a, b])
    assert buf.flat.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 8.0]
    assert [v.shape for v in buf.views] == [(2, 3), (2,)]
    buf.flat *= 2.0
    assert buf.views[1].tolist() == [14.0, 16.0]  # a view, not a copy
    assert buf.holds(buf.views) and not buf.holds(buf.views[:1])
    assert not buf.holds([buf.views[0], buf.views[1].copy()])
    assert FlatBuffer([(2,), (1, 2)], np.float32).flat.dtype == np.float32


def test_flat_buffer_edge_cases():
    one = FlatBuffer.pack([np.arange(3, dtype=np.float32)])  # a single array, its dtype
    assert one.flat.dtype == np.float32 and one.views[0].tolist() == [0.0, 1.0, 2.0]
    twin = copy.deepcopy(one)  # its views are copies now, no longer views of its flat array
    assert twin.views[0].base is not twin.flat and not twin.holds(twin.views)
    other = one.flat[:]  # a view of the same numbers, but not the buffer's view
    assert other.base is one.flat and not one.holds([other])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", tn.optimizers.available())
def test_fused_equals_layer_by_layer_with_a_user_layer_and_batchnorm(name, dtype):
    runs = []
    for fused in (True, False):
        opt = tn.optimizers.get(name)
        opt.fused = fused
        model = bn_model(dtype)
        runs.append((model, fit(model, opt).optimizer))
    (fast_model, fast), (slow_model, slow) = runs
    assert (fast._fast is not None) == fast.elementwise  # one buffer for every parameter
    for key, a in fast_model.arrays().items():
        assert a.dtype == dtype and np.array_equal(a, slow_model.arrays()[key]), key
    for key, a in fast.state_dict().items():
        if "/" in key:
            assert np.array_equal(a, slow.state_dict()[key]), key
