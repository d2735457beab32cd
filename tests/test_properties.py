"""Property tests (hypothesis): the promises hold for any architecture, data and sizes."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinynet as tn

ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "identity"]
OPTIMIZERS = [tn.optimizers.SGD, tn.optimizers.Momentum, tn.optimizers.RMSProp,
              tn.optimizers.Adam, tn.optimizers.Adagrad]
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def architectures(draw, max_hidden=3):
    n_in = draw(st.integers(1, 5))
    hidden = draw(st.lists(st.integers(1, 6), min_size=1, max_size=max_hidden))
    n_out = draw(st.integers(2, 4))
    return [n_in, *hidden, n_out], draw(st.sampled_from(ACTIVATIONS)), draw(st.integers(0, 999))


@SETTINGS
@given(arch=architectures(), batch=st.integers(1, 7), data_seed=st.integers(0, 999))
def test_gradcheck_passes_for_any_architecture_and_batch(arch, batch, data_seed):
    sizes, activation, seed = arch
    model = tn.mlp(sizes, activation=activation, seed=seed)
    rng = np.random.default_rng(data_seed)
    for d in model.dense_layers:  # nonzero biases: no pre-activation sits exactly on
        d.b[...] = rng.normal(0, 0.1, d.b.shape)  # ReLU's kink, where no derivative exists
    X = rng.standard_normal((batch, sizes[0]))
    y = rng.integers(0, sizes[-1], batch)
    # atol: a deep chain of width-1 layers can have gradients too small for a relative check
    assert tn.gradcheck(model, tn.SoftmaxCrossEntropy(), X, y, atol=1e-3) < 1e-6


@SETTINGS
@given(arch=architectures(), opt=st.sampled_from(OPTIMIZERS), steps=st.integers(1, 4),
       weight_decay=st.sampled_from([0.0, 0.05]))
def test_step_on_the_model_equals_step_on_its_dense_layers(arch, opt, steps, weight_decay):
    sizes, activation, seed = arch
    a, b = tn.mlp(sizes, activation=activation, seed=seed), tn.mlp(sizes, activation=activation,
                                                                  seed=seed)
    opt_a, opt_b = opt(weight_decay=weight_decay), opt(weight_decay=weight_decay)
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((6, sizes[0])), rng.integers(0, sizes[-1], 6)
    loss = tn.SoftmaxCrossEntropy()
    for _ in range(steps):
        for model, o, target in ((a, opt_a, a), (b, opt_b, list(b.dense_layers))):
            loss.forward(model.forward(X), y)
            model.backward(loss.backward())
            o.step(target)
    for x, z in zip(a.arrays().values(), b.arrays().values()):
        assert np.array_equal(x, z)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 200), batch_size=st.integers(1, 64), drop_last=st.booleans(),
       seed=st.integers(0, 2**31))
def test_batches_cover_every_sample_exactly_once(n, batch_size, drop_last, seed):
    trainer = tn.Trainer(tn.mlp([1, 2]), tn.SoftmaxCrossEntropy(), "sgd",
                         batch_size=batch_size, seed=seed, drop_last=drop_last, progress=False)
    X, y = np.arange(n, dtype=float).reshape(-1, 1), np.arange(n)
    batches = [yb for _, yb in trainer.batches(X, y)]
    seen = np.concatenate(batches)
    assert len(seen) == len(set(seen.tolist()))  # never twice
    if drop_last and n >= batch_size:
        assert all(len(b) == batch_size for b in batches) and len(seen) == n - n % batch_size
    else:
        assert sorted(seen.tolist()) == list(range(n))  # every sample once


@SETTINGS
@given(arch=architectures(), dtype=st.sampled_from([np.float32, np.float64]),
       head=st.sampled_from([None, "identity"]))
def test_save_load_round_trips_any_model(tmp_path_factory, arch, dtype, head):
    sizes, activation, seed = arch
    model = tn.mlp(sizes, activation=activation, seed=seed, dtype=dtype, head=head)
    path = tmp_path_factory.mktemp("m") / "m.npz"
    model.save(path)
    loaded = tn.Sequential.load(path)
    assert loaded.config() == model.config()
    X = np.random.default_rng(seed).standard_normal((3, sizes[0]))
    assert np.array_equal(loaded.forward(X), model.forward(X))


gradients = st.lists(st.floats(-1e3, 1e3, allow_nan=False).filter(lambda g: abs(g) > 1e-6),
                     min_size=1, max_size=8)


@settings(max_examples=100, deadline=None)
@given(g=gradients, lr=st.floats(1e-4, 1.0), rho=st.floats(0.0, 0.999))
def test_rmsprop_first_step_is_bounded_by_lr_over_sqrt_one_minus_rho(g, lr, rho):
    point = tn.surfaces.Point(np.zeros(len(g)))
    point.dW[...] = g
    tn.optimizers.RMSProp(lr=lr, rho=rho, eps=1e-8).step([point])
    # s = (1-rho) g², so the update is -lr g / (sqrt(1-rho)|g| + eps): never more than
    # lr / sqrt(1-rho) in size, and exactly that formula (a do-nothing update fails here).
    g = np.asarray(g, dtype=float)
    np.testing.assert_allclose(point.W, -lr * g / (np.sqrt((1 - rho) * g * g) + 1e-8),
                               rtol=1e-12, atol=0)
    assert np.all(np.abs(point.W) <= lr / np.sqrt(1 - rho) * (1 + 1e-12))


@settings(max_examples=100, deadline=None)
@given(g=gradients, scale=st.floats(1e-3, 1e3), steps=st.integers(1, 5),
       rho=st.floats(0.0, 0.99))
def test_rmsprop_without_eps_ignores_the_gradient_scale(g, scale, steps, rho):
    paths = []
    for c in (1.0, scale):
        point = tn.surfaces.Point(np.zeros(len(g)))
        opt = tn.optimizers.RMSProp(lr=0.01, rho=rho, eps=0)
        for t in range(steps):
            point.dW[...] = np.array(g) * c * (-1) ** t
            opt.step([point])
        paths.append(point.W.copy())
    np.testing.assert_allclose(paths[0], paths[1], rtol=1e-12, atol=1e-15)
