"""check_layer: every built-in layer passes; each planted bug is caught with its message."""

import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet.testing import LAYER_CHECKS, LayerCheckError, check_layer

BUILTINS = [tn.Dense(4, 3, rng=np.random.default_rng(0)), tn.Dense(4, 4, dtype=np.float32),
            tn.ReLU(), tn.LeakyReLU(0.1), tn.Tanh(), tn.Sigmoid(), tn.Identity(), tn.Softmax(),
            tn.Dropout(0.3, rng=np.random.default_rng(0))]


@pytest.mark.parametrize("layer", BUILTINS, ids=lambda x: repr(x))
def test_builtin_layers_pass_every_check(layer):
    before = repr(layer), getattr(layer, "dW", None)
    assert check_layer(layer) == list(LAYER_CHECKS)
    assert (repr(layer), getattr(layer, "dW", None)) == before  # checked on copies


class TanhWithoutSquare(tn.Tanh):
    def backward(self, dY):
        return self._gradient(dY, self._Y) * (1.0 - self._Y)  # the bug: 1 - Y, not 1 - Y²


class DenseWithMeanBias(tn.Dense):
    def backward(self, dZ, input_grad=True):
        dX = super().backward(dZ, input_grad)
        self.db = dZ.mean(axis=0)  # the bug: an extra 1/B (the loss already divided by B)
        return dX


class DenseTransposed(tn.Dense):
    def backward(self, dZ, input_grad=True):
        dX = super().backward(dZ, input_grad)
        self.dW = dZ.T @ self._X  # the bug: the product the wrong way round
        return dX


class Centering(tn.Layer):
    """Y = X - mean over the batch; dX = dY - mean(dY) over the batch."""

    _B = None

    def forward(self, X):
        self._B = len(X)
        return X - X.mean(axis=0)

    def backward(self, dY):
        if self._B is None:
            raise RuntimeError("backward() called before forward()")
        return dY - dY.sum(axis=0)  # the bug: the mean's 1/B is missing


class ShapeShifter(tn.Identity):
    """Returns dX transposed: a shape error only finite differences can name."""

    def backward(self, dY):
        return super().backward(dY).T.copy()


class ReLUWithSharedBuffer(tn.ReLU):
    """Reuses one output buffer: the next forward overwrites what the last one returned."""

    def forward(self, X):
        self._mask = X > 0
        if getattr(self, "_out", None) is None or self._out.shape != X.shape:
            self._out = np.empty_like(X)
        np.multiply(X, self._mask, out=self._out)
        return self._out


class ReLUInPlace(tn.ReLU):
    def forward(self, X):
        self._mask = X > 0
        X *= self._mask  # the bug: the caller's X is changed
        return X


class TanhCachingByReference(tn.Tanh):
    """Keeps the caller's X and writes the next call's input into it: the first caller's
    array is overwritten (its own outputs and gradients stay right)."""

    def forward(self, X):
        if getattr(self, "_X", None) is None or self._X.shape != X.shape:
            self._X = X  # a reference to the caller's array
        else:
            self._X[...] = X  # the bug: writes into the caller's earlier input
        self._Y = np.tanh(self._X)
        return self._Y


class DenseKeepingFirstGradient(tn.Dense):
    """Accumulates dW (or db) over passes (+= instead of =): each pass alone looks right."""

    kept = "dW"

    def backward(self, dZ, input_grad=True):
        before = None if self.dW is None else getattr(self, self.kept).copy()
        dX = super().backward(dZ, input_grad)
        if before is not None:
            getattr(self, self.kept)[...] += before  # the bug: the earlier pass's gradient
        return dX


class DenseKeepingFirstBiasGradient(DenseKeepingFirstGradient):
    kept = "db"


class TanhCachingOncePerBackward(tn.Tanh):
    """Caches only while no forward awaits its backward: after a forward without a backward
    (a validation pass), the next training pass runs backward on the stale cache."""

    def forward(self, X):
        Y = np.tanh(X)
        if not getattr(self, "_waiting", False):
            self._Y, self._waiting = Y, True
        return Y

    def backward(self, dY):
        self._waiting = False
        return super().backward(dY)


class SigmoidKeepingFirstOutput(tn.Sigmoid):
    """Backward uses the first pass's output forever; each forward's own output is right."""

    def forward(self, X):
        Y = super().forward(X)
        self._Y = getattr(self, "_first", None)
        if self._Y is None:
            self._first = self._Y = Y
        return Y.copy()


class Stateless(tn.Identity):
    """Needs no cache, so backward() before forward() does not raise (it should)."""

    n_out = 3

    def backward(self, dY):
        if dY.shape[1] != self.n_out:
            raise ValueError(f"dY must have {self.n_out} columns")
        return dY * 1.0


class SaysNothingOfForward(tn.Tanh):
    def backward(self, dY):
        if getattr(self, "_Y", None) is None:
            raise ValueError("no cache")
        return super().backward(dY)


class ReturnsList(tn.Identity):
    def forward(self, X):
        return super().forward(X).tolist()


class ReturnsThreeDimensions(tn.Identity):
    def forward(self, X):
        return super().forward(X)[:, :, None]


class DropsAColumn(tn.Identity):
    def forward(self, X):
        return super().forward(X)[:, 1:]


class DenseOneWrongEntry(tn.Dense):
    def backward(self, dZ, input_grad=True):
        dX = super().backward(dZ, input_grad)
        self.dW[1, 2] += 1.0  # the bug: one entry off, at (1, 2)
        return dX


class CrashingForward(tn.Identity):
    def forward(self, X):
        raise ZeroDivisionError("oops")


class NoCacheCheck(tn.Layer):
    def forward(self, X):
        self._Y = np.tanh(X)
        return self._Y

    def backward(self, dY):
        return dY * (1.0 - self._Y ** 2)  # AttributeError before any forward


class UpcastingSigmoid(tn.Sigmoid):
    def forward(self, X):
        self._Y = 1.0 / (1.0 + np.exp(-np.asarray(X, dtype=np.float64)))
        return self._Y


@pytest.mark.parametrize("layer, message", [
    (TanhWithoutSquare(), "'gradients match finite differences': dX differs from central "
                          "finite differences (relative error"),
    (DenseWithMeanBias(4, 3, rng=np.random.default_rng(0)),
     "'gradients match finite differences': db differs from central finite differences"),
    (DenseTransposed(4, 3, rng=np.random.default_rng(0)),
     "'gradients match finite differences': dW has shape (3, 4), but W has (4, 3) "
     "(a transposed product?)"),
    (ShapeShifter(), "'gradients match finite differences': dX has shape (4, 5), but X has "
                     "(5, 4) (a transposed product?)"),
    (DenseTransposed(3, 3, rng=np.random.default_rng(0)),
     "'gradients match finite differences': dW differs from central finite differences"),
    (Centering(), "'gradients match finite differences': dX differs from central finite "
                  "differences"),
    (ReLUWithSharedBuffer(), "'second pass independent of the first': a second "
                             "forward/backward changed the arrays the first one returned: they "
                             "share memory with the layer's cache (return new arrays)"),
    (ReLUInPlace(), "'input not mutated': forward() or backward() changed its input X in place"),
    (TanhCachingByReference(), "'earlier input and gradients kept': a second forward() "
                               "changed the input of the first: the layer keeps the caller's X "
                               "by reference and writes the next input into it; keep the "
                               "reference without writing into it, or copy X into a buffer of "
                               "its own"),
    (DenseKeepingFirstGradient(3, 2, rng=np.random.default_rng(0)),
     "'earlier input and gradients kept': a pass, another forward(), then the first pass "
     "again gives another dW than a fresh layer does: something of an earlier pass is kept "
     "(a gradient added to with += instead of set?)"),
    (TanhCachingOncePerBackward(), "'earlier input and gradients kept': a pass, another "
                                   "forward(), then the first pass again gives another dX"),
    (DenseKeepingFirstBiasGradient(3, 2, rng=np.random.default_rng(0)),
     "'earlier input and gradients kept': a pass, another forward(), then the first pass "
     "again gives another db than a fresh layer does"),
    (NoCacheCheck(), "'backward before forward is an error': backward() before forward() "
                     "raised AttributeError"),
    (UpcastingSigmoid(), "'float32 stays float32': a float32 input should give float32 "
                         "arrays, but these are not: {'output': 'float64', 'dX': 'float64'}"),
    (SigmoidKeepingFirstOutput(), "'second pass independent of the first': forward/backward "
                                  "on a second batch gave other numbers than on a fresh layer: "
                                  "something of the first pass was kept"),
    (Stateless(), "'backward before forward is an error': backward() before forward() did not "
                  "raise; it must say forward() comes first"),
    (SaysNothingOfForward(), "'backward before forward is an error': backward() before "
                             "forward() raised ValueError: no cache (say 'forward')"),
    (ReturnsList(), "'output shape': forward() of a batch of shape (5, 4) returned list: one "
                    "row per sample expected"),
    (ReturnsThreeDimensions(), "'output shape': forward() of a batch of shape (5, 4) returned "
                               "(5, 4, 1): one row per sample expected"),
    (DropsAColumn(), "'output shape': forward() returned 3 columns, expected 4"),
    (DenseOneWrongEntry(3, 4, rng=np.random.default_rng(0)),
     "'gradients match finite differences': dW differs from central finite differences "
     "(relative error"),
    (CrashingForward(), "'output shape': raised ZeroDivisionError: oops"),
])
def test_each_planted_bug_is_caught_and_named(layer, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(LayerCheckError) as info:
            check_layer(layer)
    assert f"{type(layer).__name__} failed {message}" in str(info.value)


def test_the_mean_bias_bug_is_off_by_exactly_the_batch_size():
    # db = g/B instead of g: relative error |g/5 - g| / (|g/5| + |g|) = 4/6, ratio 1/5
    with pytest.raises(LayerCheckError, match=r"relative error 0\.67; .*"
                       r"\|\|backprop\|\| / \|\|fd\|\| = 0\.2\)"):
        check_layer(DenseWithMeanBias(4, 3, rng=np.random.default_rng(0)))  # B = 5


def test_the_gradient_message_names_where_the_largest_difference_is():
    with pytest.raises(LayerCheckError, match=r"dW differs .* at \(1, 2\): backprop "):
        check_layer(DenseOneWrongEntry(3, 4, rng=np.random.default_rng(0)))


class Silent(tn.Layer):
    """Y = 0: every gradient is exactly 0, in backprop and in finite differences."""

    def forward(self, X):
        self._n = X.shape
        return np.zeros_like(X)

    def backward(self, dY):
        if getattr(self, "_n", None) is None:
            raise RuntimeError("forward() must come first")
        return np.zeros_like(dY)


class SignedSqrt(tn.Layer):
    """Y = sign(X) sqrt(|X|), written so numpy warns (sqrt of the negatives np.where drops):
    correct, and the warning is no failure."""

    def forward(self, X):
        self._X = X
        return np.where(X > 0, np.sqrt(X), -np.sqrt(-X))

    def backward(self, dY):
        if getattr(self, "_X", None) is None:
            raise RuntimeError("forward() must come first")
        return dY * 0.5 / np.sqrt(np.abs(self._X))


def test_zero_gradients_and_harmless_numpy_warnings_pass():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_layer(Silent()) == list(LAYER_CHECKS)  # 0 vs 0 is no relative error
        assert check_layer(SignedSqrt()) == list(LAYER_CHECKS)


def test_the_checks_inputs_are_fixed_varied_away_from_zero_and_of_both_signs():
    from tinynet.layercheck import _inputs

    X1, X2 = _inputs(tn.Dense(3, 2))
    assert X1.shape == X2.shape == (5, 3) and not np.array_equal(X1, X2)
    assert np.abs(X1).min() >= 0.2 and (X1 > 0).any() and (X1 < 0).any()
    assert np.unique(np.abs(X1)).size == X1.size  # every entry its own value
    again = _inputs(tn.Dense(3, 2))
    assert np.array_equal(X1, again[0]) and np.array_equal(X2, again[1])  # a fixed seed
    assert _inputs(tn.ReLU())[0].shape == (5, 4)  # a layer without n_in: width 4


def test_check_layer_wants_an_instance():
    with pytest.raises(TypeError, match="takes a tinynet Layer instance"):
        check_layer(tn.ReLU)


def test_gradcheck_layer_returns_both_gradients(rng):
    layer = tn.Dense(3, 2, rng=rng)
    X = rng.standard_normal((4, 3))
    pairs = tn.gradcheck_layer(layer, X, arrays=True)
    assert sorted(pairs) == ["W", "X", "b"]
    for key, (grad, numeric) in pairs.items():
        np.testing.assert_allclose(grad, numeric, atol=1e-8, err_msg=key)
    assert layer.dW is None  # the layer itself was not touched
