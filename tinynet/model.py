"""Sequential: layers applied in order; backward runs them in reverse.

The layers that declare parameters (``params``: Dense's W and b, BatchNorm's gamma and
beta) are numbered like the formulas' superscript [l]: ``model.param_layers[l - 1]`` is
layer ``l``, for ``l = 1..L``. In a Dense-only model those are ``model.dense_layers``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .batchnorm import BatchNorm
from .dropout import Dropout  # noqa: F401  (a built-in layer: loading finds it by name)
from .files import from_json_array, json_array, load_npz, save_npz
from .flatbuffer import FlatBuffer
from .layers import ACTIVATIONS, Dense, Layer, Softmax
from .losses import HEADS
from .validation import check_choice, check_features, check_number

FORMAT = "tinynet-model"
FORMAT_VERSION = 1


class Sequential:
    """A stack of layers.

    Parameters
    ----------
    layers : list of Layer
        Applied in order; at least one must be Dense, and consecutive Dense widths
        must agree.
    head : {"softmax", "sigmoid", "identity", "probabilities"}, optional
        How ``predict``/``predict_proba`` read the outputs. By default "softmax" for
        several outputs and "sigmoid" for one ("probabilities" when the last layer is a
        Softmax layer); use "identity" for regression.

    Attributes
    ----------
    training : bool
        The mode: True after ``train()`` (the default), False after ``eval()``. Only
        layers such as Dropout act differently; ``Trainer.fit`` trains in training mode
        and leaves the model in evaluation mode.
    """

    def __init__(self, layers: Sequence[Layer], head: str | None = None):
        layers = list(layers) if isinstance(layers, (list, tuple)) else layers
        if not isinstance(layers, list) or not layers:
            raise ValueError("Sequential needs a non-empty list of layers")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] is a {type(layer).__name__}, not a tinynet Layer")
        for i, layer in enumerate(layers):
            first = next(j for j, other in enumerate(layers) if other is layer)
            if first != i:  # it would cache two inputs in one place: wrong gradients
                raise ValueError(f"layers[{i}] is the same {type(layer).__name__} object as "
                                 f"layers[{first}]; a layer caches its input for backward, so "
                                 f"each position needs its own layer object")
        dense = [layer for layer in layers if isinstance(layer, Dense)]
        if not dense:
            raise ValueError("Sequential needs at least one Dense layer")
        for l, (a, b) in enumerate(zip(dense, dense[1:]), start=1):
            if a.n_out != b.n_in:
                raise ValueError(
                    f"Dense layer {l} has {a.n_out} outputs but layer {l + 1} expects "
                    f"{b.n_in} inputs"
                )
            if a.dtype != b.dtype:
                raise ValueError(f"Dense layers {l} and {l + 1} differ in dtype: "
                                 f"{a.dtype} and {b.dtype}")
        param_layers = [layer for layer in layers if layer.params]
        _check_declared(param_layers, dense[0].dtype)
        if head is None and isinstance(layers[-1], Softmax):
            head = "probabilities"
        elif head is None:
            head = "softmax" if dense[-1].n_out > 1 else "sigmoid"
        self.head = check_choice("head", head, HEADS)
        self.layers = layers
        self.dense_layers = dense
        self.param_layers = param_layers
        self._first_param = layers.index(param_layers[0])
        self._dense_first = isinstance(param_layers[0], Dense)
        # W1, b1, W2, b2, ... (every declared parameter) become views of one array (so do
        # dW1, db1, ... at the first backward): an element-wise optimizer then updates
        # every layer in one call.
        self.params = FlatBuffer.pack(param_arrays(param_layers))
        self.grads: FlatBuffer | None = None
        _hand_out(param_layers, "", self.params)
        self.train()

    def __setstate__(self, state: dict) -> None:
        """After ``copy.deepcopy``: the copied W, b no longer share one buffer; pack again."""
        self.__dict__.update(state)
        self.params = FlatBuffer.pack(param_arrays(self.param_layers))
        self.grads = None
        _hand_out(self.param_layers, "", self.params)

    def train(self, mode: bool = True) -> Sequential:
        """Training mode (``mode=False``: evaluation mode) for the model and every layer."""
        self.training = bool(mode)
        for layer in self.layers:
            layer.training = self.training
        return self

    def eval(self) -> Sequential:
        """Evaluation mode: Dropout passes its input through unchanged."""
        return self.train(False)

    @property
    def n_features(self) -> int:
        return self.dense_layers[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.dense_layers[-1].n_out

    @property
    def dtype(self) -> np.dtype:
        return self.dense_layers[0].dtype

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Outputs (logits for classifiers) for a batch ``X`` of shape (B, n_features).

        The arithmetic only: each layer checks the shape it receives, and a NaN in X gives
        NaN outputs, as numpy would. ``predict``, ``evaluate`` and ``fit`` reject bad data.
        """
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate dLoss/doutput: every layer then holds its parameters' gradients
        (``dW``, ``db``, ...). Returns dLoss/dX, or None with ``input_grad=False`` (training
        needs no gradient of the data: a first Dense layer skips one matrix product)."""
        if self.grads is None:  # the first backward: dW, db get their one buffer too
            self.grads = FlatBuffer([p.shape for p in self.params.views], self.dtype)
            _hand_out(self.param_layers, "d", self.grads)
        first = self._first_param
        for i in range(len(self.layers) - 1, first, -1):
            dout = self.layers[i].backward(dout)
        layer = self.layers[first]  # a Dense layer there may skip dX's matrix product
        dout = (layer.backward(dout, input_grad=input_grad) if self._dense_first
                else layer.backward(dout))
        if input_grad:
            for layer in reversed(self.layers[:first]):
                dout = layer.backward(dout)
        return dout if input_grad else None

    def check_input(self, X) -> np.ndarray:
        """``X`` as a finite 2-D array of this model's dtype, or a clear error."""
        return check_features(X, self.n_features, self.dtype)

    def predict(self, X) -> np.ndarray:
        """Class labels (softmax/sigmoid head) or values (identity head)."""
        return HEADS[self.head].predict(self.forward(self.check_input(X)))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes)."""
        return HEADS[self.head].predict_proba(self.forward(self.check_input(X)))

    def n_params(self) -> int:
        return sum(a.size for a in param_arrays(self.param_layers))

    def __repr__(self) -> str:
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n    {inner},\n], head={self.head!r})"

    # ----- saving and loading (.npz, no pickle) -------------------------------------

    def config(self) -> dict:
        """Architecture as plain data: layer types and constructor arguments, dtype, head."""
        return {
            "layers": [{"type": type(x).__name__, **x.config()} for x in self.layers],
            "dtype": str(self.dtype),
            "head": self.head,
        }

    def arrays(self, prefix: str = "") -> dict:
        """Every declared parameter and buffer keyed ``<name>/l`` (layer number l = 1..L):
        ``W/1``, ``b/1``, ..., a BatchNorm's ``gamma/2``, ``running_mean/2``."""
        return {f"{prefix}{name}/{l}": getattr(layer, name)
                for l, layer in enumerate(self.param_layers, start=1)
                for name in (*layer.params, *layer.buffers)}

    def save(self, path) -> None:
        """Write architecture and weights to ``path`` (an .npz), atomically."""
        save_npz(path, {"format": np.array(FORMAT), "version": np.array(FORMAT_VERSION),
                        "config": json_array(self.config()), **self.arrays()})

    @classmethod
    def load(cls, path) -> Sequential:
        """Rebuild a model saved with ``save``; raises a clear error for any other file."""
        data = load_npz(path, "tinynet model file")
        if str(data.get("format", "")) != FORMAT:
            raise ValueError(f"{path} is not a tinynet model file (no '{FORMAT}' marker)")
        if "config" not in data:
            raise ValueError(f"{path}: not a usable tinynet model file (no 'config' entry)")
        config = from_json_array(data["config"], path, "config")
        if not isinstance(config, dict):
            raise ValueError(f"{path}: the saved architecture is invalid (not a mapping)")
        return cls.from_arrays(config, data, path)

    def load_weights(self, path) -> None:
        """Copy the weights saved in ``path`` into this model, whose architecture must match
        the saved one exactly; on any mismatch nothing is changed."""
        loaded = type(self).load(path)
        if loaded.config() != self.config():
            raise ValueError(f"{path} holds a different architecture: saved "
                             f"{_describe(loaded)}, this model {_describe(self)}")
        for key, param in self.arrays().items():
            param[...] = loaded.arrays()[key]

    @classmethod
    def from_arrays(cls, config: dict, data: dict, path="<arrays>", prefix: str = "") -> Sequential:
        """Build a model from ``config`` and copy in the arrays found in ``data`` (the
        layers' classes found by name, everything checked first: modelfile.py)."""
        from .modelfile import from_arrays

        return from_arrays(cls, config, data, path, prefix)


def trainable_layers(model_or_layers) -> list:
    """The layers an optimizer updates, numbered 1..L in order: ``model.param_layers``, or
    those of a list that declare parameters."""
    if hasattr(model_or_layers, "param_layers"):
        return model_or_layers.param_layers
    if isinstance(model_or_layers, (list, tuple)):
        layers = [x for x in model_or_layers if getattr(x, "params", ())]
        if layers:
            return layers
        raise ValueError("step() needs at least one layer that declares parameters "
                         "(params = ('W', 'b'), as Dense does)")
    raise TypeError(f"step() takes a Sequential or a list of layers, got "
                    f"{type(model_or_layers).__name__}")


def param_arrays(layers: list, prefix: str = "") -> list:
    """Every parameter the layers declare, in order: W1, b1, gamma2, beta2, W3, ...
    (``prefix="d"``: their gradients)."""
    return [getattr(layer, prefix + p) for layer in layers for p in layer.params]


def _check_declared(layers: list, dtype) -> None:
    """Each declared parameter is an array of the model's dtype (the first Dense layer's):
    the one buffer holds them all."""
    for l, layer in enumerate(layers, start=1):
        for p in layer.params:
            value = getattr(layer, p, None)
            if not isinstance(value, np.ndarray):
                raise TypeError(f"layer {l} ({type(layer).__name__}) declares a parameter {p!r} "
                                f"but holds no array {p}")
            if value.dtype != dtype:
                raise ValueError(f"layer {l} ({type(layer).__name__})'s {p} is {value.dtype}, "
                                 f"but the model's dtype is {dtype}")


def _hand_out(layers: list, prefix: str, buf: FlatBuffer) -> None:
    """Set every declared parameter (``prefix="d"``: its gradient) of the layers to the
    buffer's views, in order."""
    views = iter(buf.views)
    for layer in layers:
        for p in layer.params:
            setattr(layer, prefix + p, next(views))


def _describe(model: Sequential) -> str:
    layers = " ".join(f"{type(x).__name__}({x.n_in},{x.n_out})" if isinstance(x, Dense)
                      else type(x).__name__ for x in model.layers)
    return f"[{layers}] {model.dtype}"


def mlp(
    sizes: Sequence[int],
    activation: str = "relu",
    seed: int | None = 0,
    dtype=np.float64,
    init: str | None = None,
    head: str | None = None,
    batchnorm: bool = False,
) -> Sequential:
    """A multilayer perceptron: Dense layers of the given ``sizes`` with activations between.

    ``mlp([64, 128, 64, 10])`` is ``Dense(64,128), ReLU, Dense(128,64), ReLU, Dense(64,10)``.
    No activation follows the last layer: the loss applies softmax or sigmoid itself.
    ``batchnorm=True`` puts a BatchNorm after each hidden Dense, before its activation.
    ``init`` defaults to "he" for ReLU-like activations and "xavier" otherwise.
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output width, got {sizes!r}")
    sizes = [check_number(f"sizes[{i}]", s, low=1, integer=True) for i, s in enumerate(sizes)]
    check_choice("activation", activation, ACTIVATIONS)
    if seed is not None:
        check_number("seed", seed, low=0, integer=True)
    if init is None:
        init = "he" if activation in ("relu", "leaky_relu") else "xavier"
    rng = np.random.default_rng(seed)
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        if i > 0:
            if batchnorm:
                layers.append(BatchNorm(n_in, dtype=dtype))
            layers.append(ACTIVATIONS[activation]())
        layers.append(Dense(n_in, n_out, init=init, rng=rng, dtype=dtype))
    return Sequential(layers, head=head)
