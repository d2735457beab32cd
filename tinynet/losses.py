"""Losses: a batch mean in ``forward``, its gradient in ``backward``.

Every loss is a mean over the batch, so ``backward()`` returns the gradient already
divided by the batch size B. Backpropagated through a Dense layer, that makes ``dW``
the article's mini-batch gradient ``g_t = (1/B) sum_i grad l_i``.

Each loss also knows the output "head" that goes with it, which turns raw outputs into
predictions: softmax for SoftmaxCrossEntropy, sigmoid for BinaryCrossEntropy, identity
for MSE.
"""

from __future__ import annotations

import numpy as np

from .validation import as_numeric_array, check_finite


def _as_labels(y, n_classes: int, name: str = "y") -> np.ndarray:
    """Integer class labels in ``[0, n_classes)`` as a 1-D intp array."""
    if type(y) is np.ndarray and y.dtype == np.intp and y.ndim == 1 and y.size:
        # Already right (every training batch): one pass, as a negative label read as
        # unsigned is huge. Anything else takes the slow path below and its clear error.
        if y.view(np.uintp).max() < n_classes:
            return y
    _refuse_text_labels(y, name)
    y = as_numeric_array(y, name)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D class labels, got an array of shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        check_finite(y, name)
        if not np.array_equal(y, np.round(y)):
            raise ValueError(f"{name} must hold integer class labels, got non-integer values")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"{name} holds labels from {y.min():g} to {y.max():g}, but the model has "
            f"{n_classes} outputs, so labels must lie in [0, {n_classes - 1}]"
        )
    return y.astype(np.intp, copy=False)


def _refuse_text_labels(y, name: str) -> None:
    """Class names ('cat', 'dog') are not class indices: say how to encode them, in the
    sorted order TinyNetClassifier and the CSV reader use, rather than guess."""
    try:
        arr = np.asarray(y)
    except ValueError:  # ragged: as_numeric_array says so
        return
    kind = arr.dtype.kind
    if kind in ("U", "S") or (kind == "O" and any(isinstance(v, (str, bytes))
                                                  for v in arr.ravel())):
        raise TypeError(
            f"{name} holds class names, but a Trainer needs class indices 0..K-1: encode them "
            f"with classes, {name} = np.unique({name}, return_inverse=True) and read "
            f"predictions as classes[trainer.predict(X)] (TinyNetClassifier does both)"
        )


_ROWS: dict[int, np.ndarray] = {}


def _rows(n: int) -> np.ndarray:
    """``np.arange(n)``, cached: every batch of the same size indexes the same rows."""
    rows = _ROWS.get(n)
    if rows is None:
        rows = _ROWS[n] = np.arange(n)
        rows.flags.writeable = False
    return rows


def _check_output(output, name: str = "output") -> np.ndarray:
    if not isinstance(output, np.ndarray) or output.ndim != 2:
        shape = getattr(output, "shape", type(output).__name__)
        raise ValueError(f"{name} must be a 2-D array (batch, n_outputs), got {shape}")
    if output.dtype.kind != "f":
        raise TypeError(f"{name} must be a float array, got dtype {output.dtype}")
    return output  # NaN or inf is allowed: it gives a non-finite loss, which fit reports


class Loss:
    """Base class. Subclasses implement ``_forward``, ``backward`` and ``check_target``."""

    head = "identity"
    metric_name = "r2"

    def forward(self, output: np.ndarray, y) -> float:
        """Mean loss over the batch; caches what ``backward`` needs."""
        output = _check_output(output)
        y = self.check_target(y, output.shape[1])
        if len(y) != len(output):
            raise ValueError(
                f"output and y have different lengths: {len(output)} and {len(y)} samples"
            )
        return self._forward(output, y)

    def __call__(self, output: np.ndarray, y) -> float:
        return self.forward(output, y)

    def _forward(self, output: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """Gradient of the batch-mean loss w.r.t. the output (already divided by B)."""
        raise NotImplementedError

    def _forwarded(self, name: str):
        """What forward cached for backward, or a clear error if forward has not run."""
        value = getattr(self, name, None)
        if value is None:
            raise RuntimeError(f"{type(self).__name__}: backward() called before forward() "
                               f"(or twice for one forward)")
        return value

    def check_target(self, y, n_outputs: int, name: str = "y") -> np.ndarray:
        """Validate targets for a model with ``n_outputs`` outputs; return them as an array."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SoftmaxCrossEntropy(Loss):
    """Softmax and cross-entropy fused, for integer class labels.

    With logits Z (B, K) and labels y, using the log-sum-exp trick for stability::

        log p = Z - max(Z) - log(sum(exp(Z - max(Z))))
        loss  = -(1/B) sum_i log p[i, y_i]
        dZ    = (softmax(Z) - onehot(y)) / B
    """

    head = "softmax"
    metric_name = "accuracy"

    def check_target(self, y, n_outputs: int, name: str = "y") -> np.ndarray:
        if n_outputs < 2:
            raise ValueError(
                "SoftmaxCrossEntropy needs at least 2 outputs (one per class); "
                "for a single output use BinaryCrossEntropy"
            )
        return _as_labels(y, n_outputs, name)

    def _forward(self, output: np.ndarray, y: np.ndarray) -> float:
        z = output - output.max(axis=1, keepdims=True)  # shifted logits, max 0
        e = np.exp(z)
        total = e.sum(axis=1, keepdims=True)
        e /= total
        self._probs, self._y = e, y  # softmax(Z), kept for backward
        self._rows = _rows(len(y))
        # -log p[i, y_i] = log(sum_j exp(z_ij)) - z[i, y_i]
        return float((np.log(total[:, 0]) - z[self._rows, y]).sum()) / len(y)

    def backward(self) -> np.ndarray:
        d, self._probs = self._forwarded("_probs"), None  # softmax(Z) becomes the gradient
        d[self._rows, self._y] -= 1.0
        d *= 1.0 / len(self._y)
        return d

    @staticmethod
    def predict_proba(output: np.ndarray) -> np.ndarray:
        shifted = output - output.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        return e / e.sum(axis=1, keepdims=True)

    @staticmethod
    def predict(output: np.ndarray) -> np.ndarray:
        return output.argmax(axis=1)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 0.5 * (1 + tanh(z/2)) is the logistic function and never overflows.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy from one logit per sample, for labels 0/1.

    With logit z and label y, written so that ``exp`` never overflows::

        loss = (1/B) sum_i  max(z, 0) - z*y + log(1 + exp(-|z|))
        dz   = (sigmoid(z) - y) / B
    """

    head = "sigmoid"
    metric_name = "accuracy"

    def check_target(self, y, n_outputs: int, name: str = "y") -> np.ndarray:
        if n_outputs != 1:
            raise ValueError(
                f"BinaryCrossEntropy needs a model with 1 output, got {n_outputs}; "
                "for several classes use SoftmaxCrossEntropy"
            )
        return _as_labels(y, 2, name)

    def _forward(self, output: np.ndarray, y: np.ndarray) -> float:
        z = output[:, 0]
        self._z, self._y = output, y
        per_sample = np.maximum(z, 0) - z * y.astype(z.dtype) + np.log1p(np.exp(-np.abs(z)))
        return float(per_sample.mean())

    def backward(self) -> np.ndarray:
        d = _sigmoid(self._forwarded("_z"))
        d[:, 0] -= self._y
        d /= len(self._y)
        return d

    @staticmethod
    def predict_proba(output: np.ndarray) -> np.ndarray:
        p = _sigmoid(output[:, :1])
        return np.hstack([1.0 - p, p])

    @staticmethod
    def predict(output: np.ndarray) -> np.ndarray:
        return (output[:, 0] > 0).astype(np.intp)


class MSE(Loss):
    """Mean squared error over the batch and the K outputs, for regression::

    loss = (1/(B*K)) sum_i ||out_i - y_i||²
    dout = 2 (out - y) / (B*K)
    """

    head = "identity"
    metric_name = "r2"

    def check_target(self, y, n_outputs: int, name: str = "y") -> np.ndarray:
        y = as_numeric_array(y, name)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_outputs:
            raise ValueError(
                f"{name} must have shape (n_samples, {n_outputs}) to match the model's "
                f"{n_outputs} output(s), got {y.shape}"
            )
        check_finite(y.astype(float, copy=False), name)
        return y

    def _forward(self, output: np.ndarray, y: np.ndarray) -> float:
        self._diff = output - y.astype(output.dtype, copy=False)
        return float(np.mean(self._diff * self._diff))

    def backward(self) -> np.ndarray:
        diff = self._forwarded("_diff")
        return diff * (2.0 / diff.size)

    @staticmethod
    def predict_proba(output: np.ndarray) -> np.ndarray:
        raise TypeError("predict_proba is for classifiers; this model has an identity head")

    @staticmethod
    def predict(output: np.ndarray) -> np.ndarray:
        return output[:, 0] if output.shape[1] == 1 else output


class CrossEntropy(Loss):
    """Cross-entropy of probabilities P (a Softmax layer's output) and class labels::

        loss = -(1/B) sum_i log P[i, y_i]
        dP[i, j] = -1 / (B P[i, y_i])  where j = y_i, else 0

    With a Softmax layer before it, backprop through softmax's Jacobian gives the same dZ
    as ``SoftmaxCrossEntropy``, which computes it in one stable step and is the one to
    train with: here the gradient divides by a probability that can be tiny.
    """

    head = "probabilities"
    metric_name = "accuracy"

    def check_target(self, y, n_outputs: int, name: str = "y") -> np.ndarray:
        if n_outputs < 2:
            raise ValueError("CrossEntropy needs at least 2 outputs (one probability per class)")
        return _as_labels(y, n_outputs, name)

    def _forward(self, output: np.ndarray, y: np.ndarray) -> float:
        rows = _rows(len(y))
        self._P, self._y, self._rows = output, y, rows
        picked = np.maximum(output[rows, y], np.finfo(output.dtype).tiny)  # log(0) -> finite
        return float(-np.log(picked).sum()) / len(y)

    def backward(self) -> np.ndarray:
        P, self._P = self._forwarded("_P"), None
        d = np.zeros_like(P)
        picked = np.maximum(P[self._rows, self._y], np.finfo(P.dtype).tiny)
        d[self._rows, self._y] = -1.0 / (len(self._y) * picked)
        return d

    @staticmethod
    def predict_proba(output: np.ndarray) -> np.ndarray:
        return output

    @staticmethod
    def predict(output: np.ndarray) -> np.ndarray:
        return output.argmax(axis=1)


HEADS = {cls.head: cls for cls in (SoftmaxCrossEntropy, BinaryCrossEntropy, MSE, CrossEntropy)}
LOSSES = {
    "softmax_cross_entropy": SoftmaxCrossEntropy,
    "binary_cross_entropy": BinaryCrossEntropy,
    "mse": MSE,
    "cross_entropy": CrossEntropy,
}


def score(metric: str, output: np.ndarray, y: np.ndarray) -> float:
    """Accuracy (predictions vs labels) or R² (outputs vs targets) for the History."""
    if metric == "accuracy":
        head = SoftmaxCrossEntropy if output.shape[1] > 1 else BinaryCrossEntropy
        return float(np.mean(head.predict(output) == y))
    from sklearn.metrics import r2_score

    return float(r2_score(y, output))
