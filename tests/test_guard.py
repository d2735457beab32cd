"""The divergence guard's report, exactly: which epoch, step, optimizer step and layer, its
message, and the weights it leaves, on every path (a weight broken mid-epoch, at an epoch's
last step, an output overflowing, a loss that no update caused). Warnings are errors here:
the guard reports, numpy does not warn."""

import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet.optimizers import trainable_layers


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    return X, (X[:, 0] > 0).astype(int)


def breaking(steps, layer, param, how):
    """SGD that, after its update at each step in ``steps``, breaks ``param`` of ``layer``:
    ``how`` is "inf" (one entry set to inf) or "scale" (every entry times 1e300)."""

    class Breaks(tn.optimizers.SGD):
        elementwise = False

        def step(self, model):
            super().step(model)
            if self.t in steps:
                array = getattr(trainable_layers(model)[layer - 1], param)
                if how == "inf":
                    array.flat[0] = np.inf
                else:
                    array *= 1e300  # the second time, this overflows (numpy would warn)

    return Breaks(lr=0.01)


class Weights(tn.Callback):
    """The weights after every optimizer step, to compare with what the guard leaves."""

    def __init__(self):
        self.after = {}

    def on_batch_end(self, trainer, step, logs):
        self.after[step] = {k: a.copy() for k, a in trainer.model.arrays().items()}


def fit_until_it_breaks(optimizer, X, y, epochs=3, loss=None, head=None):
    weights = Weights()
    t = tn.Trainer(tn.mlp([X.shape[1], 6, 2 if head is None else 1], seed=0, head=head),
                   loss or tn.SoftmaxCrossEntropy(), optimizer, batch_size=8, seed=0,
                   progress=False, teaching_warnings=False, callbacks=[weights])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(tn.DivergenceError) as info:
            t.fit(X, y, epochs=epochs)
    return t, info.value, weights.after


HINT = "the learning rate (lr=0.01) is probably too large"
KEPT = "The weights are as they were before that step."


@pytest.mark.parametrize("layer, param", [(2, "b"), (1, "W")])
def test_a_weight_broken_mid_epoch_is_named_with_its_step(layer, param):
    # 40 samples, batch 8: 5 steps per epoch; step 7 is epoch 2, step 2. Step 8's loss is
    # NaN, and the replay of epoch 2 finds step 2 broke the weight.
    t, err, after = fit_until_it_breaks(breaking({7}, layer, param, "inf"), *data())
    assert str(err) == (f"training diverged in epoch 2, step 2 (optimizer step 7): layer "
                        f"{layer}'s {param} became non-finite; {HINT}. {KEPT}")
    assert (err.epoch, err.step, err.global_step, err.layer) == (2, 2, 7, layer)
    assert t.optimizer.t == 6 and t.epoch == 1
    for key, a in t.model.arrays().items():
        assert np.array_equal(a, after[6][key]), key  # as after step 6


def test_a_weight_broken_at_an_epochs_last_step_is_found_at_the_epochs_end():
    # Step 5 ends epoch 1 with a finite loss (computed before the update): only the
    # end-of-epoch weight check sees it.
    t, err, after = fit_until_it_breaks(breaking({5}, 1, "W", "inf"), *data())
    assert str(err) == (f"training diverged in epoch 1, step 5 (optimizer step 5): layer 1's "
                        f"W became non-finite; {HINT}. {KEPT}")
    assert (err.epoch, err.step, err.global_step, err.layer) == (1, 5, 5, 1)
    assert t.optimizer.t == 4 and t.epoch == 0
    for key, a in t.model.arrays().items():
        assert np.array_equal(a, after[4][key]), key


def test_an_update_that_overflows_is_replayed_without_a_numpy_warning():
    # W1 *= 1e300 at steps 6 and 7: finite after 6, inf after 7 (an overflow numpy would
    # warn about, in the training step and again in the guard's replay).
    t, err, after = fit_until_it_breaks(breaking({6, 7}, 1, "W", "scale"), *data())
    assert (err.epoch, err.step, err.global_step, err.layer) == (2, 2, 7, 1)
    assert "layer 1's W became non-finite" in str(err)
    assert np.array_equal(t.model.dense_layers[0].W, after[6]["W/1"])


def test_an_output_that_overflows_names_its_layer_without_a_numpy_warning():
    X, y = data()
    t = tn.Trainer(tn.mlp([3, 6, 6, 2], seed=0), tn.SoftmaxCrossEntropy(), "sgd",
                   batch_size=8, progress=False, teaching_warnings=False)
    t.model.dense_layers[1].W[...] = 1e308  # finite, but layer 2's output overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(tn.DivergenceError) as info:
            t.fit(X, y, epochs=1)
    assert str(info.value).startswith("training diverged in epoch 1, step 1 (optimizer step "
                                      "1): layer 2's output overflowed; no update has happened")
    assert info.value.layer == 2


def test_a_loss_that_no_update_caused_points_at_the_data():
    X = np.full((40, 3), -2.0)
    y = np.full(len(X), 1e200)  # (output - y)² overflows; every output stays finite
    t, err, _ = fit_until_it_breaks(tn.optimizers.SGD(lr=0.01), X, y, loss=tn.MSE(),
                                    head="identity")
    assert str(err) == ("training diverged in epoch 1, step 1 (optimizer step 1): the loss is "
                        "not finite; no update has happened yet, so not the learning rate: "
                        "look at the data (largest |X| 2, largest |y| 1e+200). " + KEPT)
    assert (err.epoch, err.step, err.global_step, err.layer) == (1, 1, 1, None)
