"""Layers: each one does its own forward and backward pass.

Batches are rows: ``X`` has shape ``(B, n_in)``. A Dense layer computes

    Z = X @ W + b            W: (n_in, n_out), b: (n_out,)

and its backward pass, given dZ = dLoss/dZ, computes

    dW = X.T @ dZ            (B is already folded in: the loss divides by B)
    db = sum over the batch of dZ
    dX = dZ @ W.T            (handed to the layer below)

Activation layers have no parameters; they map dY to dX with their derivative.
"""

from __future__ import annotations

import numpy as np

from .validation import as_numeric_array, check_choice, check_dtype, check_number

INITS = ("he", "xavier", "normal")


class Layer:
    """The layer protocol: ``forward(X)`` caches what ``backward(dY)`` needs.

    ``params`` names the arrays an optimizer trains (Dense: ``("W", "b")``); ``backward``
    sets the gradient of each as ``d<name>`` (``dW``, ``db``). ``buffers`` names arrays
    that are not trained but saved with the model (BatchNorm's running statistics).
    ``config()`` returns the constructor arguments (JSON values) that rebuild the layer
    when a saved model is loaded. ``training`` tells layers that act differently when
    training (Dropout, BatchNorm) which mode they are in; ``Sequential.train()`` and
    ``.eval()`` set it for every layer.
    """

    params: tuple[str, ...] = ()
    buffers: tuple[str, ...] = ()
    training = True

    def forward(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dY: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # Checks shared by the layers: a clear error instead of a numpy traceback.
    def _input(self, X) -> np.ndarray:
        return X if isinstance(X, np.ndarray) else as_numeric_array(X, f"{self!r} input")

    def _gradient(self, dY, like: np.ndarray | None) -> np.ndarray:
        """``dY``, checked to be shaped like the output of the last forward pass."""
        if like is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        if not isinstance(dY, np.ndarray) or dY.shape != like.shape:
            shape = getattr(dY, "shape", type(dY).__name__)
            raise ValueError(f"{self!r}: backward() expects a gradient shaped like the forward "
                             f"output {like.shape}, got {shape}")
        return dY

    def config(self) -> dict:
        """Constructor arguments as JSON values, enough to rebuild the layer (save/load)."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Dense(Layer):
    """Fully connected layer ``Z = X @ W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Input and output widths.
    init : {"he", "xavier", "normal"}
        Weight initialisation: He ``N(0, 2/n_in)`` for ReLU-like activations, Xavier
        (Glorot) ``N(0, 2/(n_in+n_out))`` for tanh/sigmoid, or ``N(0, 0.01²)``.
        Biases start at zero.
    rng : numpy.random.Generator, optional
        Source of the initial weights (a fresh unseeded generator if omitted).
    dtype : float32 or float64
        Dtype of W, b and every array computed from them.

    Attributes
    ----------
    W, b : ndarray
        Parameters, shapes ``(n_in, n_out)`` and ``(n_out,)``.
    dW, db : ndarray or None
        Gradients of the loss, set by ``backward`` (None before the first backward).
    """

    params = ("W", "b")

    def __init__(
        self,
        n_in: int,
        n_out: int,
        init: str = "he",
        rng: np.random.Generator | None = None,
        dtype=np.float64,
    ):
        self.n_in = check_number("n_in", n_in, low=1, integer=True)
        self.n_out = check_number("n_out", n_out, low=1, integer=True)
        self.init = check_choice("init", init, INITS)
        self.dtype = check_dtype(dtype)
        if rng is None:
            rng = np.random.default_rng()
        elif not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        std = {
            "he": np.sqrt(2.0 / n_in),
            "xavier": np.sqrt(2.0 / (n_in + n_out)),
            "normal": 0.01,
        }[init]
        self.W = (rng.standard_normal((n_in, n_out)) * std).astype(self.dtype)
        self.b = np.zeros(n_out, dtype=self.dtype)
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self._X: np.ndarray | None = None

    def check_parameters(self, grads: bool = False) -> None:
        """A clear error if W, b (or dW, db) were replaced by arrays of the wrong shape,
        instead of numpy's broadcasting error at the next product."""
        names = ("dW", "db") if grads else ("W", "b")
        for name, shape in zip(names, ((self.n_in, self.n_out), (self.n_out,))):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.shape != shape:
                got = getattr(value, "shape", type(value).__name__)
                raise ValueError(f"{self!r}.{name} must be an array of shape {shape}, got {got}")

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = self._input(X)
        if self.W.shape != (self.n_in, self.n_out) or self.b.shape != (self.n_out,):
            self.check_parameters()  # someone assigned another array: say which
        if X.ndim != 2 or X.shape[1] != self.n_in:
            raise ValueError(f"{self!r} expects input of shape (batch, {self.n_in}), got {X.shape}")
        if X.dtype != self.dtype:  # the layer's dtype wins: a float32 layer stays float32
            X = X.astype(self.dtype)
        self._X = X
        Z = X @ self.W
        Z += self.b
        return Z

    def backward(self, dZ: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Set ``dW``, ``db`` and return ``dX`` (None with ``input_grad=False``, which the
        first layer of a model uses: nothing below it needs dX)."""
        if self._X is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")
        if not isinstance(dZ, np.ndarray) or dZ.shape != (len(self._X), self.n_out):
            shape = getattr(dZ, "shape", type(dZ).__name__)
            raise ValueError(f"{self!r}: backward() expects a gradient of shape "
                             f"({len(self._X)}, {self.n_out}), got {shape}")
        if self.dW is None:
            self.dW = np.empty_like(self.W)
            self.db = np.empty_like(self.b)
        elif self.dW.shape != self.W.shape or self.db.shape != self.b.shape:
            self.check_parameters(grads=True)
        # Written in place so the optimizer always sees the same gradient arrays.
        np.matmul(self._X.T, dZ, out=self.dW)  # dW = X.T @ dZ
        np.add.reduce(dZ, axis=0, out=self.db)  # db = sum of dZ over the batch
        return dZ @ self.W.T if input_grad else None

    def config(self) -> dict:
        return {"n_in": self.n_in, "n_out": self.n_out, "init": self.init}


class ReLU(Layer):
    """``Y = max(X, 0)``; ``dX = dY`` where ``X > 0``, else 0."""

    _mask = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = self._input(X)
        self._mask = X > 0  # which units are active: backward passes dY only through them
        return np.maximum(X, 0)  # +0.0 where X < 0 (X * mask would give -0.0 there)

    def backward(self, dY: np.ndarray) -> np.ndarray:
        dX = self._gradient(dY, self._mask) * self._mask
        dX += 0.0  # a negative dY times 0 is -0.0; show +0.0, as the math does
        return dX


class LeakyReLU(Layer):
    """``Y = X`` where ``X > 0``, else ``alpha * X``; the derivative is 1 or ``alpha``."""

    _slope = None

    def __init__(self, alpha: float = 0.01):
        self.alpha = check_number("alpha", alpha, low=0.0, high=1.0, high_open=True)

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = self._input(X)
        self._slope = np.where(X > 0, 1.0, self.alpha).astype(X.dtype, copy=False)
        return X * self._slope

    def backward(self, dY: np.ndarray) -> np.ndarray:
        return self._gradient(dY, self._slope) * self._slope

    def config(self) -> dict:
        return {"alpha": self.alpha}


class Tanh(Layer):
    """``Y = tanh(X)``; ``dX = dY * (1 - Y²)``."""

    _Y = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        self._Y = np.tanh(self._input(X))
        return self._Y

    def backward(self, dY: np.ndarray) -> np.ndarray:
        return self._gradient(dY, self._Y) * (1.0 - self._Y * self._Y)


class Sigmoid(Layer):
    """``Y = 1 / (1 + exp(-X))``; ``dX = dY * Y * (1 - Y)``.

    Computed as ``0.5 * (1 + tanh(X / 2))``, the same function, which never overflows.
    """

    _Y = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        self._Y = 0.5 * (1.0 + np.tanh(0.5 * self._input(X)))
        return self._Y

    def backward(self, dY: np.ndarray) -> np.ndarray:
        return self._gradient(dY, self._Y) * self._Y * (1.0 - self._Y)


class Identity(Layer):
    """``Y = X``; ``dX = dY``."""

    _Y = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        self._Y = self._input(X)
        return self._Y

    def backward(self, dY: np.ndarray) -> np.ndarray:
        return self._gradient(dY, self._Y)


class Softmax(Layer):
    """``Y = softmax(X)`` row by row; backward applies softmax's Jacobian.

    Per sample, dY_i/dX_j = Y_i (δ_ij - Y_j), so the vector-Jacobian product is::

        dX = Y ⊙ (dY - sum_j dY_j Y_j)          (the sum per row)

    Here to be studied with ``CrossEntropy``; for training, ``SoftmaxCrossEntropy`` fuses
    the two into ``dZ = (softmax(Z) - Y_onehot) / B``: one subtraction, no division by a
    probability that may be tiny.
    """

    _Y = None

    def forward(self, X: np.ndarray) -> np.ndarray:
        X = self._input(X)
        e = np.exp(X - X.max(axis=1, keepdims=True))  # shifted: exp never overflows
        self._Y = e / e.sum(axis=1, keepdims=True)
        return self._Y

    def backward(self, dY: np.ndarray) -> np.ndarray:
        Y = self._Y
        dY = self._gradient(dY, Y)
        return Y * (dY - (dY * Y).sum(axis=1, keepdims=True))


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "identity": Identity,
}
