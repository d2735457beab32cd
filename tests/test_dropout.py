"""Dropout and the training mode; Softmax's Jacobian against the fused loss."""

import numpy as np
import pytest

import tinynet as tn


def dropout_model(p=0.5, seed=0):
    rng = np.random.default_rng(seed)
    return tn.Sequential([tn.Dense(4, 16, rng=rng), tn.ReLU(),
                          tn.Dropout(p, rng=np.random.default_rng(seed + 1)),
                          tn.Dense(16, 3, rng=rng)])


def test_inverted_dropout_in_training_identity_in_evaluation():
    layer = tn.Dropout(0.25, rng=np.random.default_rng(0))
    X = np.ones((400, 50))
    Y = layer.forward(X)
    assert set(np.unique(Y)) == {0.0, 1 / 0.75}  # kept units are scaled by 1/(1-p)
    assert abs(np.mean(Y == 0) - 0.25) < 0.01 and abs(Y.mean() - 1.0) < 0.02
    dX = layer.backward(np.full_like(X, 2.0))
    assert np.array_equal(dX, 2.0 * Y)  # the same mask on the way back
    assert not np.array_equal(layer.forward(X), Y)  # a new mask for every pass
    layer.training = False
    assert layer.forward(X) is X and layer.backward(X) is X
    assert tn.Dropout(0.0).forward(X) is X


def test_dropout_keeps_float32_and_checks_its_arguments():
    Y = tn.Dropout(0.5, rng=np.random.default_rng(0)).forward(np.ones((3, 4), np.float32))
    assert Y.dtype == np.float32
    with pytest.raises(ValueError, match="p must be < 1"):
        tn.Dropout(1.0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        tn.Dropout(0.5, rng=3)
    with pytest.raises(RuntimeError, match="before forward"):
        tn.Dropout(0.5).backward(np.ones((2, 2)))


def test_model_modes_and_what_fit_evaluate_and_predict_use(rng):
    model = dropout_model(p=0.9)
    assert model.training and all(layer.training for layer in model.layers)
    model.eval()
    assert not model.training and not any(layer.training for layer in model.layers)
    X, y = rng.standard_normal((60, 4)), rng.integers(0, 3, 60)
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), tn.optimizers.Adam(lr=0.01),
                         progress=False, teaching_warnings=False)
    seen = []

    class Mode(tn.Callback):
        def on_batch_end(self, trainer, step, logs):
            seen.append(trainer.model.training)

    history = trainer.fit(X, y, epochs=2, validation_data=(X, y), callbacks=[Mode()])
    assert seen and all(seen)  # trained in training mode though the model was in eval mode
    assert not model.training  # and left in evaluation mode
    a, b = model.predict_proba(X), model.predict_proba(X)
    assert np.array_equal(a, b)  # deterministic after fit
    assert history["val_loss"][-1] == pytest.approx(trainer.evaluate(X, y)["loss"], rel=1e-12)
    model.train()
    assert trainer.evaluate(X, y) == trainer.evaluate(X, y)  # evaluation mode inside...
    assert model.training  # ... and the model's own mode given back


def test_gradcheck_and_trace_work_with_a_fixed_mask(rng):
    model = dropout_model(p=0.5)
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    assert tn.gradcheck(model, tn.SoftmaxCrossEntropy(), X, y) < 1e-6  # training mode
    assert tn.gradcheck(model.eval(), tn.SoftmaxCrossEntropy(), X, y) < 1e-6


def test_save_load_and_checkpoints_keep_dropout(tmp_path, rng):
    model = dropout_model(p=0.3)
    model.save(tmp_path / "m.npz")
    loaded = tn.Sequential.load(tmp_path / "m.npz")
    assert [type(x).__name__ for x in loaded.layers] == ["Dense", "ReLU", "Dropout", "Dense"]
    assert loaded.layers[2].p == 0.3
    X, y = rng.standard_normal((40, 4)), rng.integers(0, 3, 40)

    def trainer_for(m):
        return tn.Trainer(m, tn.SoftmaxCrossEntropy(), "adam", batch_size=8, progress=False,
                          teaching_warnings=False)

    straight = trainer_for(dropout_model(p=0.3))
    straight.fit(X, y, epochs=4)
    first = trainer_for(dropout_model(p=0.3))
    first.fit(X, y, epochs=2)
    first.save_checkpoint(tmp_path / "run.npz")
    resumed = tn.Trainer.load_checkpoint(tmp_path / "run.npz", progress=False)
    resumed.fit(X, y, epochs=2)
    for key, W in straight.model.arrays().items():  # the masks continue where they were
        assert np.array_equal(resumed.model.arrays()[key], W), key


def test_a_loaded_model_draws_the_same_masks_every_time_it_is_loaded(tmp_path, rng):
    """Sequential.load seeds each Dropout's generator: training a loaded model twice
    gives the same result (the checkpoint, not the model file, carries a run's own rng)."""
    dropout_model(p=0.5).save(tmp_path / "m.npz")
    X = rng.standard_normal((50, 4))
    outs = [tn.Sequential.load(tmp_path / "m.npz").train().forward(X) for _ in range(2)]
    assert np.array_equal(*outs)
    assert not np.array_equal(outs[0], tn.Sequential.load(tmp_path / "m.npz").eval().forward(X))


def test_softmax_layer_and_cross_entropy_give_the_fused_gradient(rng):
    Z = rng.standard_normal((6, 4)) * 3
    y = rng.integers(0, 4, 6)
    fused = tn.SoftmaxCrossEntropy()
    value_fused = fused.forward(Z, y)
    dZ_fused = fused.backward()
    softmax, ce = tn.Softmax(), tn.CrossEntropy()
    value = ce.forward(softmax.forward(Z), y)
    dZ = softmax.backward(ce.backward())  # through softmax's Jacobian
    assert value == pytest.approx(value_fused, rel=1e-12)
    np.testing.assert_allclose(dZ, dZ_fused, rtol=1e-10, atol=1e-15)


def test_a_model_ending_in_softmax_trains_and_reads_probabilities(rng):
    model = tn.Sequential([tn.Dense(2, 8, rng=rng), tn.Tanh(), tn.Dense(8, 2, rng=rng),
                           tn.Softmax()])
    assert model.head == "probabilities"
    X_train, X_test, y_train, y_test = tn.datasets.load("moons", seed=0)
    trainer = tn.Trainer(model, "cross_entropy", tn.optimizers.Adam(lr=0.01), progress=False)
    trainer.fit(X_train, y_train, epochs=20)
    assert trainer.evaluate(X_test, y_test)["accuracy"] > 0.85
    P = model.predict_proba(X_test)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert np.array_equal(model.predict(X_test), P.argmax(axis=1))


def test_dropout_defaults_bounds_and_signed_zeros():
    layer = tn.Dropout()  # p = 0.5 and a fresh generator by default
    assert layer.p == 0.5
    X = -np.ones((200, 5))
    Y = layer.forward(X)
    assert 0.3 < np.mean(Y == 0) < 0.7 and not np.signbit(Y[Y == 0]).any()  # +0.0, not -0.0
    dX = layer.backward(-np.ones_like(Y))
    assert not np.signbit(dX[dX == 0]).any()
    for p in (-0.1, 1.0):
        with pytest.raises(ValueError, match="p must be"):
            tn.Dropout(p)
    with pytest.raises(ValueError, match=r"expects a gradient shaped like the forward output "
                                         r"\(200, 5\), got \(5, 200\)"):
        layer.backward(np.ones((5, 200)))
    with pytest.raises(ValueError, match="got <class 'list'>"):
        layer.backward([[1.0] * 5] * 200)


def test_softmax_shifts_each_row_by_its_own_max():
    Z = np.array([[1000.0, 0.0], [-1000.0, -1001.0], [800.0, 799.0]])
    Y = tn.Softmax().forward(Z)
    e = np.exp(-1.0)
    np.testing.assert_allclose(Y, [[1.0, 0.0], [1 / (1 + e), e / (1 + e)],
                                   [1 / (1 + e), e / (1 + e)]], rtol=1e-12)
