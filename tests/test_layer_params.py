"""Layers with parameters, first class: a layer declares ``params``; every optimizer trains
every declared parameter (state ``<symbol>_d<param>[l]``), saves and resumes it; loading
finds a layer's class by name; BatchNorm is built on that contract."""

import re
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet.testing import LayerCheckError, check_layer


class Scale(tn.Layer):
    """``Y = X ⊙ a``: a user's layer with one parameter per feature."""

    params = ("a",)

    def __init__(self, n: int, dtype=np.float64):
        self.n, self.dtype = n, np.dtype(dtype)
        self.a = np.linspace(0.5, 1.5, n).astype(dtype)
        self.da = None
        self._X = None

    def forward(self, X):
        self._X = np.asarray(X, dtype=self.dtype)
        return self._X * self.a

    def backward(self, dY):
        if self._X is None:
            raise RuntimeError("backward() called before forward()")
        if self.da is None:
            self.da = np.empty_like(self.a)
        np.sum(dY * self._X, axis=0, out=self.da)  # in place: the one buffer keeps it
        return dY * self.a

    def config(self):
        return {"n": self.n}


def data(n=60, d=5, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(dtype)
    y = (X[:, 0] - X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    return X, y


def bn_model(dtype=np.float64):
    rng = np.random.default_rng(1)
    return tn.Sequential([tn.Dense(5, 7, rng=rng, dtype=dtype), Scale(7, dtype=dtype),
                          tn.BatchNorm(7, dtype=dtype), tn.ReLU(),
                          tn.Dense(7, 4, rng=rng, dtype=dtype), tn.Tanh(),
                          tn.Dense(4, 3, rng=rng, dtype=dtype)])


def fit(model, opt, epochs=2, seed=0, **kw):
    X, y = data(dtype=model.dtype)
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), opt, batch_size=8, seed=seed,
                         progress=False, teaching_warnings=False, **kw)
    trainer.fit(X, y, epochs=epochs)
    return trainer


# ----- the contract ------------------------------------------------------------------------

def test_layers_with_parameters_are_numbered_and_keep_state_per_parameter():
    model = bn_model()
    assert [type(x).__name__ for x in model.param_layers] == ["Dense", "Scale", "BatchNorm",
                                                              "Dense", "Dense"]
    before = {k: a.copy() for k, a in model.arrays().items()}
    opt = fit(model, tn.optimizers.RMSProp(lr=0.01)).optimizer
    assert opt.state_keys() == ["s_dW", "s_db", "s_da", "s_dgamma", "s_dbeta"]
    assert sorted(opt.s_dW) == [1, 4, 5] and sorted(opt.s_da) == [2]
    assert sorted(opt.s_dgamma) == sorted(opt.s_dbeta) == [3]
    assert opt.s_dgamma[3].shape == (7,) and (opt.s_dgamma[3] > 0).all()
    for key in ("W/1", "a/2", "gamma/3", "beta/3", "W/5"):  # every parameter was trained
        assert not np.array_equal(model.arrays()[key], before[key]), key
    assert set(opt.effective_lr(3)) == {"gamma", "beta"} and set(opt.effective_lr(2)) == {"a"}
    np.testing.assert_array_equal(opt.effective_lr(3)["gamma"],
                                  0.01 / (np.sqrt(opt.s_dgamma[3]) + opt.eps))
    assert model.n_params() == 5 * 7 + 7 + 7 + 7 + 7 + 7 * 4 + 4 + 4 * 3 + 3


def test_a_dense_only_model_keeps_the_articles_names():
    model = tn.mlp([5, 4, 3], seed=0)
    opt = fit(model, tn.optimizers.RMSProp()).optimizer
    assert opt.state_keys() == ["s_dW", "s_db"] and sorted(opt.s_dW) == [1, 2]
    assert list(opt.state_dict()) == ["name", "hyperparams", "t", "lr", "s_dW/1", "s_dW/2",
                                      "s_db/1", "s_db/2"]


def test_the_layer_by_layer_step_updates_each_declared_parameter_with_its_formula():
    model = bn_model()
    X, y = data()
    loss = tn.SoftmaxCrossEntropy()
    loss.forward(model.forward(X[:8]), y[:8])
    model.backward(loss.backward())
    old = {k: a.copy() for k, a in model.arrays().items()}
    grads = {f"{p}/{l}": getattr(layer, "d" + p).copy()
             for l, layer in enumerate(model.param_layers, start=1) for p in layer.params}
    opt = tn.optimizers.SGD(lr=0.1, weight_decay=0.5)
    opt.fused = False
    opt.step(model)
    for key, g in grads.items():  # weight decay on W only: not on b, a, gamma, beta
        decay = 0.5 * old[key] if key.startswith("W/") else 0.0
        np.testing.assert_array_equal(model.arrays()[key], old[key] - 0.1 * (g + decay))
    assert np.array_equal(model.arrays()["running_mean/3"], old["running_mean/3"])  # a buffer


def test_a_layer_that_rebinds_its_gradient_still_trains_the_same():
    class Rebinding(Scale):
        def backward(self, dY):
            self.da = np.sum(dY * self._X, axis=0)  # a new array every step
            return dY * self.a

    def run(cls):
        rng = np.random.default_rng(1)
        model = tn.Sequential([tn.Dense(5, 6, rng=rng), cls(6), tn.Dense(6, 3, rng=rng)])
        fit(model, tn.optimizers.Adam(lr=0.01))
        return model.arrays()

    plain, rebinding = run(Scale), run(Rebinding)
    assert all(np.array_equal(plain[k], rebinding[k]) for k in plain)


def test_layers_are_told_apart_by_identity_not_by_a_user_defined_eq():
    class Compared(Scale):  # a dataclass-style __eq__ would compare arrays: ambiguous
        def __eq__(self, other):
            raise AssertionError("the optimizer compared two layers with ==")

        __hash__ = tn.Layer.__hash__

    X = data()[0][:4]
    dense, first, second = tn.Dense(5, 6, rng=np.random.default_rng(1)), Compared(6), Compared(6)
    opt = tn.optimizers.SGD(lr=0.1)
    for scale in (first, second):  # other layers of the same shapes: the state still fits
        out = scale.forward(dense.forward(X))
        dense.backward(scale.backward(np.ones_like(out)))
        before = scale.a.copy()
        opt.step([dense, scale])
        assert np.array_equal(scale.a, before - 0.1 * scale.da)


def test_optimizer_state_of_every_parameter_round_trips_and_is_checked():
    model = bn_model()
    opt = fit(model, tn.optimizers.Adam(lr=0.01)).optimizer
    state = opt.state_dict()
    assert {"v_dgamma/3", "s_dbeta/3", "v_da/2"} <= set(state)
    fresh = tn.optimizers.Adam(lr=0.01)
    fresh.load_state_dict(state, model)
    assert all(np.array_equal(fresh.state_dict()[k], v) for k, v in state.items() if "/" in k)
    bad = {**state, "v_dgamma/3": np.zeros(6)}
    with pytest.raises(ValueError, match=re.escape(
            "optimizer state v_dgamma/3: expected shape (7,) float64 (layer 3's gamma), found "
            "(6,) float64")):
        tn.optimizers.Adam(lr=0.01).load_state_dict(bad, model)
    moved = {k.replace("dgamma/3", "dgamma/2"): v for k, v in state.items()}
    with pytest.raises(ValueError, match=r"v_dgamma is for layers \[2\], but the model's layers "
                       r"with a parameter gamma are \[3\]"):
        tn.optimizers.Adam(lr=0.01).load_state_dict(moved, model)
    with pytest.raises(ValueError, match="unknown optimizer state 'w_dgamma/3'"):
        tn.optimizers.Adam(lr=0.01).load_state_dict({**state, "w_dgamma/3": np.zeros(7)})


def test_a_checkpoint_resumes_every_parameter_and_the_running_statistics_exactly(tmp_path):
    X, y = data()
    straight = fit(bn_model(), tn.optimizers.RMSProp(lr=0.01, momentum=0.5), epochs=4)
    first = fit(bn_model(), tn.optimizers.RMSProp(lr=0.01, momentum=0.5), epochs=2)
    first.save_checkpoint(tmp_path / "run.npz")
    resumed = tn.Trainer.load_checkpoint(tmp_path / "run.npz")
    resumed.fit(X, y, epochs=2)
    for key, a in straight.model.arrays().items():
        assert np.array_equal(a, resumed.model.arrays()[key]), key
    assert not np.array_equal(straight.model.arrays()["running_var/3"], np.ones(7))


# ----- saving and loading ------------------------------------------------------------------

def test_a_model_with_a_user_layer_and_batchnorm_saves_and_loads(tmp_path):
    model = bn_model()
    fit(model, tn.optimizers.Adam(lr=0.01))
    model.save(tmp_path / "m.npz")
    loaded = tn.Sequential.load(tmp_path / "m.npz")
    assert [type(x) for x in loaded.layers] == [type(x) for x in model.layers]
    assert loaded.config() == model.config()
    for key, a in model.arrays().items():
        assert np.array_equal(loaded.arrays()[key], a), key
    X, _ = data()
    assert np.array_equal(loaded.eval().forward(X), model.eval().forward(X))


def test_loading_an_unknown_or_unbuildable_layer_says_what_to_do(tmp_path):
    from tinynet.files import json_array

    def saved(layers, **arrays):
        path = tmp_path / "m.npz"
        np.savez(path, format=np.array("tinynet-model"), version=np.array(1),
                 config=json_array({"layers": layers, "dtype": "float64"}), **arrays)
        return path

    with pytest.raises(ValueError, match=r"m.npz: unknown layer class 'SiLU': import the module "
                       r"that defines it before loading \(--import FILE on the command line\)$"):
        tn.Sequential.load(saved([{"type": "Dense", "n_in": 2, "n_out": 2}, {"type": "SiLU"}],
                                 **{"W/1": np.zeros((2, 2)), "b/1": np.zeros(2)}))

    class NoConfig(tn.Layer):
        def __init__(self, width):
            self.width = width

    with pytest.raises(ValueError, match=re.escape(
            "NoConfig(**{}) failed (") and "a layer's config\\(\\) must return"):
        tn.Sequential.load(saved([{"type": "Dense", "n_in": 2, "n_out": 2},
                                  {"type": "NoConfig"}],
                                 **{"W/1": np.zeros((2, 2)), "b/1": np.zeros(2)}))
    huge = [{"type": "Dense", "n_in": 2, "n_out": 3},
            {"type": "BatchNorm", "n_features": 10**12, "momentum": 0.1, "eps": 1e-5}]
    arrays = {"W/1": np.zeros((2, 3)), "b/1": np.zeros(3), "gamma/2": np.ones(3),
              "beta/2": np.zeros(3), "running_mean/2": np.zeros(3), "running_var/2": np.ones(3)}
    with pytest.raises(ValueError, match=r"layer 2 \(BatchNorm\) has n_features=1000000000000, "
                       r"more than the 3 numbers saved for it"):
        tn.Sequential.load(saved(huge, **arrays))
    huge[1]["n_features"] = 3
    arrays["gamma/2"] = np.ones(2)
    with pytest.raises(ValueError, match=r"m.npz: weights 'gamma/2' have shape \(2,\) and dtype "
                       r"float64, but the architecture needs \(3,\) float64"):
        tn.Sequential.load(saved(huge, **arrays))
    arrays["b/1"] = np.zeros(2)
    with pytest.raises(ValueError, match=r"m.npz: weights 'b/1' have shape \(2,\)"):
        tn.Sequential.load(saved(huge, **arrays))
    arrays["b/1"] = np.zeros(3)
    del arrays["running_var/2"]
    with pytest.raises(ValueError, match="m.npz: missing weights 'running_var/2'"):
        tn.Sequential.load(saved(huge, **arrays))
    with pytest.raises(ValueError, match="^<arrays>: unknown layer class 3"):
        tn.Sequential.from_arrays({"layers": [{"type": 3}], "dtype": "float64"}, {})


def test_a_layer_class_named_twice_is_refused():
    from tinynet.modelfile import layer_class

    assert layer_class("Dense") is tn.Dense and layer_class("BatchNorm") is tn.BatchNorm

    class Twin(tn.Layer):
        pass

    first = Twin

    class Twin(tn.Layer):  # noqa: F811  (a second class of the same name)
        pass

    with pytest.raises(ValueError, match=re.escape(
            f"several layer classes are named 'Twin' ({__name__}.test_a_layer_class_named_twice_"
            f"is_refused.<locals>.Twin, {__name__}.test_a_layer_class_named_twice_is_refused."
            f"<locals>.Twin): rename one")):
        layer_class("Twin")

    def ghost():
        class Ghost(tn.Layer):
            pass

        return Ghost

    ghost()  # dropped at once, yet it lingers among the subclasses until a collection
    alive = ghost()
    assert layer_class("Ghost") is alive

    class Dense(tn.Layer):  # a user's class named like a built-in: which one did a file mean?
        pass

    with pytest.raises(ValueError, match=re.escape(
            "several layer classes are named 'Dense' (tinynet.layers.Dense, ")):
        layer_class("Dense")
    del first, Dense
    assert layer_class("Dense") is tn.Dense


# ----- a layer that keeps a gradient it does not declare ------------------------------------

def test_an_undeclared_gradient_is_flagged_at_the_first_step():
    class Forgetful(Scale):
        params = ()  # keeps a and da, declares nothing

    rng = np.random.default_rng(1)
    model = tn.Sequential([tn.Dense(5, 6, rng=rng), Forgetful(6), tn.Dense(6, 3, rng=rng)])
    a = model.layers[1].a.copy()
    with pytest.warns(tn.optimizers.UndeclaredParameterWarning, match=re.escape(
            "Forgetful (layer 2 of the model) keeps a gradient da for its array a, which it "
            "does not declare, so no optimizer trains it: declare it in the class, params = "
            "('a',)")) as caught:
        fit(model, tn.optimizers.SGD(lr=0.1), epochs=1)
    assert caught[0].filename == __file__  # pointed at the caller's line
    assert np.array_equal(model.layers[1].a, a)  # as the warning says: never trained
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(bn_model(), tn.optimizers.SGD(lr=0.1), epochs=1)  # every gradient declared


def test_only_a_gradient_named_d_plus_an_array_is_flagged():
    class Plain(tn.Layer):
        params = ("W",)

        def __init__(self):
            self.W, self.dW = np.ones((3, 2)), np.zeros((3, 2))
            self.a, self.xa = np.ones(2), np.ones(2)  # xa is no gradient of a: no warning

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tn.optimizers.params.warn_undeclared([Plain()])
    layer = Plain()
    layer.gamma, layer.dgamma = np.ones(2), np.zeros(2)
    with pytest.warns(tn.optimizers.UndeclaredParameterWarning,
                      match=re.escape("params = ('W', 'gamma',)")):
        tn.optimizers.params.warn_undeclared([layer])


def _tinynet_layer_classes(cls=tn.Layer):
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("tinynet."):
            yield sub
        yield from _tinynet_layer_classes(sub)


def test_tinynets_own_layers_declare_every_gradient_they_keep():
    args = {tn.Dense: (4, 3), tn.BatchNorm: (4,)}  # the others take no required argument
    rng = np.random.default_rng(0)
    for cls in set(_tinynet_layer_classes()):
        layer = cls(*args.get(cls, ()))
        out = layer.forward(rng.standard_normal((5, 4)))
        layer.backward(rng.standard_normal(out.shape))
        assert tn.optimizers.params.undeclared(layer) == [], cls
        assert all(getattr(layer, "d" + p) is not None for p in layer.params), cls


def test_only_layers_defined_outside_tinynet_are_read_for_undeclared_gradients():
    class MyDense(tn.Dense):  # a user's class: checked
        pass

    mine, own = MyDense(3, 2), tn.Dense(3, 2)
    for layer in (mine, own):
        layer.scale, layer.dscale = np.ones(2), np.zeros(2)
    with pytest.warns(tn.optimizers.UndeclaredParameterWarning, match="MyDense .* dscale"):
        tn.optimizers.params.warn_undeclared([mine])
    with warnings.catch_warnings():  # tinynet's own layers declare all (the test above);
        warnings.simplefilter("error")  # vars() on them would slow training (params.py)
        tn.optimizers.params.warn_undeclared([own])


def test_a_parameter_name_with_d_inside_keeps_its_state_apart():
    class Wide(Scale):
        params = ("w_dense",)

        def __init__(self, n):
            super().__init__(n)
            self.w_dense, self.dw_dense = self.a, None

        def backward(self, dY):
            self.dw_dense = np.sum(dY * self._X, axis=0)
            return dY * self.w_dense

    rng = np.random.default_rng(1)
    model = tn.Sequential([tn.Dense(5, 6, rng=rng), Wide(6), tn.Dense(6, 3, rng=rng)])
    opt = fit(model, tn.optimizers.RMSProp(lr=0.01)).optimizer
    assert sorted(opt.s_dw_dense) == [2]
    fresh = tn.optimizers.RMSProp(lr=0.01)
    fresh.load_state_dict(opt.state_dict(), model)
    assert np.array_equal(fresh.s_dw_dense[2], opt.s_dw_dense[2])


def test_gradcheck_layer_hands_back_an_unset_gradient_as_none():
    class Unset(Scale):
        def backward(self, dY):
            return dY * self.a

    class NoAttribute(tn.Layer):
        params = ("w",)

        def __init__(self):
            self.w = np.ones(4)

        def forward(self, X):
            return X * self.w

        def backward(self, dY):
            return dY * self.w

    X = data()[0][:, :4]
    assert tn.gradcheck_layer(Unset(4), X, arrays=True)["a"][0] is None
    assert tn.gradcheck_layer(NoAttribute(), X, arrays=True)["w"][0] is None


def test_trace_keeps_dW_and_db_for_layers_that_have_both():
    class OnlyW(Scale):
        params = ("a",)

    model = bn_model()
    t = tn.trace(model, tn.SoftmaxCrossEntropy(), *data(n=8))
    assert 2 not in t.dW and 2 not in t.db and sorted(t.grads[2]) == ["da"]

    class HalfDense(tn.Dense):
        params = ("W",)  # b kept fixed

    rng = np.random.default_rng(0)
    half = tn.Sequential([HalfDense(5, 4, rng=rng), tn.ReLU(), tn.Dense(4, 3, rng=rng)])
    t = tn.trace(half, tn.SoftmaxCrossEntropy(), *data(n=8))
    assert sorted(t.grads[1]) == ["dW"] and 1 not in t.dW and sorted(t.dW) == [2]


def test_check_layer_fails_a_declared_gradient_left_unset():
    class Lazy(Scale):
        def backward(self, dY):
            if self._X is None:
                raise RuntimeError("backward() called before forward()")
            return dY * self.a  # da never set

    with pytest.raises(LayerCheckError, match=re.escape(
            "Lazy failed 'every declared gradient set': backward() left da unset, but the "
            "layer declares 'a' in params")):
        check_layer(Lazy(4))

    class Missing(tn.Layer):
        params = ("w",)

        def forward(self, X):
            return X

        def backward(self, dY):
            return dY

    with pytest.raises(LayerCheckError, match="Missing failed 'declared parameters are arrays': "
                       "it declares a parameter 'w' .* but has no array w"):
        check_layer(Missing())
    assert "every declared gradient set" in check_layer(Scale(4))


def test_the_optimizer_modules_import_one_way():
    import ast
    from pathlib import Path

    folder = Path(tn.__file__).parent / "optimizers"
    for name in ("state.py", "params.py", "fused.py"):
        tree = ast.parse((folder / name).read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "base" not in imported, name  # base imports them, never the other way


def test_a_parameter_of_another_dtype_is_refused():
    with pytest.raises(ValueError, match=re.escape(
            "layer 2 (BatchNorm)'s gamma is float64, but the model's dtype is float32")):
        tn.Sequential([tn.Dense(3, 4, dtype=np.float32), tn.BatchNorm(4), tn.Dense(4, 2,
                                                                              dtype=np.float32)])

    class NoArray(tn.Layer):
        params = ("w",)

    with pytest.raises(TypeError, match=re.escape(
            "layer 2 (NoArray) declares a parameter 'w' but holds no array w")):
        tn.Sequential([tn.Dense(3, 4), NoArray()])


# ----- trace, gradcheck, OptimizerStats -----------------------------------------------------

def test_trace_and_gradcheck_cover_every_declared_parameter():
    model = bn_model()
    X, y = data(n=9)
    loss = tn.SoftmaxCrossEntropy()
    errors = tn.gradcheck(model, loss, X, y, per_parameter=True)
    assert {"a/2", "gamma/3", "beta/3", "W/4"} <= set(errors)
    pairs = tn.gradcheck(model, loss, X, y, arrays=True)
    # BatchNorm takes away a shift and (but for eps) a scale of its input: the gradients of
    # the bias before it and of the scale a are 0 up to rounding, compared absolutely
    for key in ("b/1", "a/2"):
        backprop, numeric = pairs[key]
        assert np.abs(backprop - numeric).max() < 1e-8
    assert np.abs(tn.trace(model, loss, X, y).db[1]).max() < 1e-12  # the bias: exactly 0
    assert max(v for k, v in errors.items() if k not in ("b/1", "a/2")) < 1e-6
    t = tn.trace(model, loss, X, y)
    assert sorted(t.grads) == [1, 2, 3, 4, 5] and sorted(t.dW) == [1, 4, 5]
    assert sorted(t.grads[3]) == ["dbeta", "dgamma"]
    np.testing.assert_allclose(t.grads[3]["dgamma"], pairs["gamma/3"][1], atol=1e-8)
    np.testing.assert_allclose(t.grads[2]["da"], pairs["a/2"][1], atol=1e-8)
    assert t.Z[3].shape == (9, 7) and np.allclose(t.Z[3].mean(axis=0), model.layers[2].beta)


def test_optimizer_stats_reports_a_layer_without_W_by_its_first_parameter():
    model = bn_model()
    trainer = fit(model, tn.optimizers.RMSProp(lr=0.01), epochs=1,
                  callbacks=[tn.OptimizerStats(every=2)])
    steps = trainer.history.steps
    assert {"eff_lr_mean/3", "update_ratio/3", "eff_lr_mean/2", "update_ratio/5"} <= set(steps)
    assert min(steps["update_ratio/3"]) > 0 and len(steps["update_ratio/3"]) == 4


def test_the_eps_warning_judges_the_weights_of_layers_after_a_batchnorm():
    rng = np.random.default_rng(1)
    model = tn.Sequential([tn.Dense(5, 6, rng=rng), tn.BatchNorm(6), tn.ReLU(),
                           tn.Dense(6, 3, rng=rng)])
    X, y = data()
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), tn.optimizers.RMSProp(eps=1.0),
                         batch_size=8, progress=False)
    with pytest.warns(tn.TeachingWarning) as caught:
        trainer.fit(X, y, epochs=1)
    said = " ".join(str(w.message) for w in caught)
    assert "layer 1's weights" in said and "layer 3's weights" in said
    assert "layer 2's" not in said  # a BatchNorm's gamma is not judged


def test_a_first_layer_with_parameters_that_is_not_dense():
    model = tn.Sequential([tn.BatchNorm(5), tn.Dense(5, 3, rng=np.random.default_rng(0))])
    X, y = data()
    loss = tn.SoftmaxCrossEntropy()
    loss.forward(model.forward(X), y)
    g = loss.backward()
    assert model.backward(g, input_grad=False) is None  # as for a first Dense layer
    loss.forward(model.forward(X), y)
    assert model.backward(loss.backward()).shape == X.shape
    before = model.layers[0].gamma.copy()
    fit(model, tn.optimizers.SGD(lr=0.1), epochs=1)
    assert not np.array_equal(model.layers[0].gamma, before)


def test_a_layer_that_never_had_a_gradient_attribute_is_told_to_run_backward():
    class Bare(tn.Layer):
        params = ("w",)

        def __init__(self):
            self.w = np.ones(3)  # no dw at all until a backward

    with pytest.raises(ValueError, match=re.escape(
            "layer 1 (Bare) has no gradient dw yet: call model.backward(...) before step()")):
        tn.optimizers.SGD().step([Bare()])
