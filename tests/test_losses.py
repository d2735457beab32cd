"""Losses, their heads and metrics, with values computed here by hand."""

import numpy as np
import pytest

import tinynet as tn
from tinynet.losses import _rows, score

Z1 = np.array([[2.0], [-1.0], [0.0], [0.5]])  # one logit per sample
y1 = np.array([1, 1, 0, 0])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_binary_cross_entropy_value_gradient_and_head():
    loss = tn.BinaryCrossEntropy()
    p = sigmoid(Z1[:, 0])
    expected = -np.mean(y1 * np.log(p) + (1 - y1) * np.log(1 - p))
    assert loss.forward(Z1, y1) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(loss.backward()[:, 0], (p - y1) / 4, rtol=1e-12)
    np.testing.assert_allclose(tn.BinaryCrossEntropy.predict_proba(Z1),
                               np.column_stack([1 - p, p]), rtol=1e-12)
    np.testing.assert_array_equal(tn.BinaryCrossEntropy.predict(Z1), [1, 0, 0, 1])
    assert tn.BinaryCrossEntropy.predict(Z1).dtype == np.intp  # class labels, not floats


def test_binary_cross_entropy_keeps_float32():
    loss = tn.BinaryCrossEntropy()
    loss.forward(Z1.astype(np.float32), y1)
    assert loss.backward().dtype == np.float32


def test_one_output_model_uses_the_sigmoid_head_and_accuracy():
    model = tn.mlp([2, 3, 1], seed=0)
    assert model.head == "sigmoid"
    X = np.array([[0.5, -1.0], [2.0, 0.3], [-1.0, -1.0]])
    out = model.forward(X)
    p = sigmoid(out[:, 0])
    np.testing.assert_allclose(model.predict_proba(X), np.column_stack([1 - p, p]), rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), (p > 0.5).astype(int))
    labels = np.array([1, 0, 1])
    assert score("accuracy", out, labels) == np.mean((p > 0.5) == labels)
    assert score("accuracy", Z1, y1) == 0.5  # predictions 1, 0, 0, 1 against 1, 1, 0, 0


def test_softmax_accuracy_and_r2():
    Z = np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert score("accuracy", Z, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    y = np.array([[1.0], [2.0], [3.0]])
    out = np.array([[1.5], [2.0], [2.5]])
    assert score("r2", out, y) == pytest.approx(1 - 0.5 / 2.0)


def test_mse_value_gradient_and_predictions():
    out = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 3.0]])
    y = np.array([[0.0, 2.0], [1.0, 1.0], [3.0, 0.0]])
    loss = tn.MSE()
    assert loss.forward(out, y) == pytest.approx((1 + 0 + 1 + 4 + 0 + 9) / 6, rel=1e-15)
    np.testing.assert_array_equal(loss.backward(), 2 * (out - y) / 6)
    np.testing.assert_array_equal(tn.MSE.predict(out), out)  # several outputs: unchanged
    np.testing.assert_array_equal(tn.MSE.predict(out[:, :1]), [1.0, 0.0, 3.0])  # one: 1-D


def test_mse_takes_1d_targets_for_one_output_and_names_them():
    loss = tn.MSE()
    assert loss.forward(np.array([[1.0], [3.0]]), [0.0, 1.0]) == pytest.approx((1 + 4) / 2)
    assert loss.check_target([1, 2, 3], 1).shape == (3, 1)
    with pytest.raises(ValueError, match=r"y must have shape \(n_samples, 2\)"):
        loss.check_target([1.0, 2.0], 2)
    with pytest.raises(TypeError, match="^y must be numeric"):
        loss.check_target(["a"], 1)
    with pytest.raises(ValueError, match="y_val must have shape"):
        loss.check_target([[1.0, 2.0]], 1, name="y_val")
    with pytest.raises(ValueError, match="y contains 1 NaN or infinite"):
        loss.check_target([1.0, np.inf], 1)
    with pytest.raises(ValueError, match="y contains 2 NaN or infinite"):
        loss.check_target(np.array([np.nan, np.nan], dtype=np.float32), 1)


@pytest.mark.parametrize("loss, n_outputs", [(tn.SoftmaxCrossEntropy(), 3),
                                             (tn.BinaryCrossEntropy(), 1),
                                             (tn.CrossEntropy(), 3)])
def test_labels_are_checked_and_named(loss, n_outputs):
    np.testing.assert_array_equal(loss.check_target([[1], [0]], n_outputs), [1, 0])  # a column
    np.testing.assert_array_equal(loss.check_target([1.0, 0.0], n_outputs), [1, 0])
    assert loss.check_target(np.array([1.0, 0.0]), n_outputs).dtype == np.intp
    with pytest.raises(ValueError, match="y must hold integer class labels"):
        loss.check_target([0.5, 1.0], n_outputs)
    with pytest.raises(ValueError, match="y contains 1 NaN or infinite"):
        loss.check_target([np.nan, 1.0], n_outputs)
    with pytest.raises(ValueError, match=r"y must be 1-D class labels.*\(2, 2\)"):
        loss.check_target([[0, 1], [1, 0]], n_outputs)
    with pytest.raises(ValueError, match=r"y must be 1-D class labels.*\(1, 1, 2\)"):
        loss.check_target([[[0, 1]]], n_outputs)
    with pytest.raises(ValueError, match=r"y_val holds labels from 0 to 7"):
        loss.check_target([0, 7], n_outputs, name="y_val")
    with pytest.raises(ValueError, match=r"y holds labels from -1 to 1"):
        loss.check_target([-1, 1], n_outputs)
    assert loss.check_target(np.array([], dtype=float), n_outputs).shape == (0,)


def test_outputs_are_checked_and_named():
    loss = tn.SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match=r"must be a 2-D array \(batch, n_outputs\), got list"):
        loss.forward([[1.0, 2.0]], [0])
    with pytest.raises(ValueError, match=r"got \(2,\)"):
        loss.forward(np.array([1.0, 2.0]), [0])
    with pytest.raises(TypeError, match="output must be a float array, got dtype int"):
        loss.forward(np.array([[1, 2]]), [0])
    with pytest.raises(ValueError, match="different lengths: 1 and 2"):
        loss.forward(np.array([[1.0, 2.0]]), [0, 1])


def test_backward_before_forward_and_twice():
    for loss in (tn.SoftmaxCrossEntropy(), tn.BinaryCrossEntropy(), tn.MSE()):
        with pytest.raises(RuntimeError, match=f"{type(loss).__name__}: backward"):
            loss.backward()
    loss = tn.SoftmaxCrossEntropy()
    loss.forward(np.array([[1.0, 2.0]]), [0])
    loss.backward()
    with pytest.raises(RuntimeError, match="or twice for one forward"):
        loss.backward()


def test_row_index_cache_is_shared_and_read_only():
    from tinynet.losses import _ROWS

    _ROWS.pop(7, None)  # start from an empty cache entry
    rows = _rows(7)
    np.testing.assert_array_equal(rows, np.arange(7))
    assert _rows(7) is rows and not rows.flags.writeable


def test_identity_head_has_no_probabilities():
    with pytest.raises(TypeError, match="predict_proba is for classifiers"):
        tn.MSE.predict_proba(np.zeros((2, 1)))
    assert repr(tn.MSE()) == "MSE()"


def test_a_loss_is_callable_and_the_base_class_is_abstract():
    loss = tn.MSE()
    out, y = np.array([[1.0], [2.0]]), np.array([[0.0], [0.0]])
    assert loss(out, y) == loss.forward(out, y) == 2.5
    with pytest.raises(NotImplementedError):
        tn.Loss().check_target([0], 1)
    with pytest.raises(NotImplementedError):
        tn.Loss()._forward(out, y)


@pytest.mark.parametrize("loss", [tn.MSE(), tn.SoftmaxCrossEntropy(), tn.BinaryCrossEntropy()],
                         ids=lambda x: type(x).__name__)
def test_a_non_finite_output_gives_a_non_finite_loss_not_an_error(loss):
    # A diverging network's outputs overflow; the Trainer's guard needs the loss to say so.
    out = np.array([[np.nan, 1.0]]) if isinstance(loss, tn.SoftmaxCrossEntropy) \
        else np.array([[np.inf]])
    y = [0] if not isinstance(loss, tn.MSE) else [1.0]
    with np.errstate(all="ignore"):
        assert not np.isfinite(loss.forward(out, y))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_of_a_probability_of_exactly_0_is_large_but_finite(dtype):
    """log(0) is clipped at the dtype's smallest normal number, in float32 as in float64."""
    P = np.array([[1.0, 0.0], [0.5, 0.5]], dtype=dtype)
    loss = tn.CrossEntropy()
    value = loss.forward(P, np.array([1, 0]))
    tiny = np.finfo(dtype).tiny
    assert np.isfinite(value) and value == pytest.approx((-np.log(tiny) - np.log(0.5)) / 2,
                                                        rel=1e-6)
    dP = loss.backward()
    assert dP.dtype == dtype and np.all(np.isfinite(dP))
    assert dP[0, 1] == pytest.approx(-1 / (2 * tiny), rel=1e-6) and dP[1, 0] == -1.0
