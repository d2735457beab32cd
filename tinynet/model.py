"""Sequential: layers applied in order; backward runs them in reverse.

The trainable layers of a model are numbered like the formulas' superscript [l]:
``model.dense_layers[l - 1]`` is layer ``l``, for ``l = 1..L``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .dropout import Dropout
from .files import from_json_array, json_array, load_npz, save_npz
from .flatbuffer import FlatBuffer
from .layers import ACTIVATIONS, Dense, Layer, Softmax
from .layers import LAYER_TYPES as _BASIC_TYPES
from .losses import HEADS
from .validation import check_choice, check_dtype, check_features, check_number

# Every layer type a saved model may name; loading builds only these.
LAYER_TYPES = {**_BASIC_TYPES, "Dropout": Dropout}
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
        if head is None and isinstance(layers[-1], Softmax):
            head = "probabilities"
        elif head is None:
            head = "softmax" if dense[-1].n_out > 1 else "sigmoid"
        self.head = check_choice("head", head, HEADS)
        self.layers = layers
        self.dense_layers = dense
        self._first_dense = layers.index(dense[0])
        # W1, b1, W2, b2, ... become views of one array (so do dW1, db1, ... at the first
        # backward): an element-wise optimizer then updates every layer in one call.
        self.params = FlatBuffer.pack([p for d in dense for p in (d.W, d.b)])
        self.grads: FlatBuffer | None = None
        _hand_out(dense, ("W", "b"), self.params)
        self.train()

    def __setstate__(self, state: dict) -> None:
        """After ``copy.deepcopy``: the copied W, b no longer share one buffer; pack again."""
        self.__dict__.update(state)
        self.params = FlatBuffer.pack([p for d in self.dense_layers for p in (d.W, d.b)])
        self.grads = None
        _hand_out(self.dense_layers, ("W", "b"), self.params)

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
        """Backpropagate dLoss/doutput; every Dense layer ends up holding ``dW``, ``db``.

        Returns dLoss/dX, or None with ``input_grad=False``: training does not need the
        gradient of the data, and the first Dense layer then skips one matrix product.
        """
        if self.grads is None:  # the first backward: dW, db get their one buffer too
            self.grads = FlatBuffer([p.shape for p in self.params.views], self.dtype)
            _hand_out(self.dense_layers, ("dW", "db"), self.grads)
        first = self._first_dense
        for i in range(len(self.layers) - 1, first, -1):
            dout = self.layers[i].backward(dout)
        dout = self.layers[first].backward(dout, input_grad=input_grad)
        if input_grad:
            for layer in reversed(self.layers[:first]):
                dout = layer.backward(dout)
        return dout

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
        return sum(d.W.size + d.b.size for d in self.dense_layers)

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
        """Weights keyed ``W/l`` and ``b/l`` (layer number l = 1..L)."""
        out = {}
        for l, d in enumerate(self.dense_layers, start=1):
            out[f"{prefix}W/{l}"] = d.W
            out[f"{prefix}b/{l}"] = d.b
        return out

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
        """Build a model from ``config`` and copy in the weights found in ``data``.

        The saved weights are checked against the architecture (names, shapes, dtypes,
        finite values) before any layer is built, so a file cannot make the loader
        allocate more than the arrays it holds.
        """
        try:
            dtype = check_dtype(config["dtype"])
            specs = [dict(spec) for spec in config["layers"]]
            _check_saved_weights(specs, dtype, data, path, prefix)
            layers = []
            for spec in specs:
                kind = LAYER_TYPES[spec.pop("type")]
                if kind is Dense:
                    spec["dtype"] = dtype
                if kind in (Dense, Dropout):
                    spec["rng"] = np.random.default_rng(0)
                layers.append(kind(**spec))
            model = cls(layers, head=config.get("head"))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError,
                RecursionError) as err:
            if str(path) in str(err):
                raise
            raise ValueError(f"{path}: the saved architecture is invalid "
                             f"({type(err).__name__}: {err})") from err
        for key, param in model.arrays().items():
            param[...] = data[prefix + key]
        return model


def _check_saved_weights(specs: list, dtype, data: dict, path, prefix: str) -> None:
    """Every Dense layer of ``specs`` has its W and b in ``data``: right shape and dtype,
    finite. Checked from the numbers alone, before a layer allocates anything."""
    dense = [spec for spec in specs if isinstance(spec, dict) and spec.get("type") == "Dense"]
    for l, spec in enumerate(dense, start=1):
        n_in = check_number(f"layer {l}'s n_in", spec.get("n_in"), low=1, integer=True)
        n_out = check_number(f"layer {l}'s n_out", spec.get("n_out"), low=1, integer=True)
        for key, shape in ((f"W/{l}", (n_in, n_out)), (f"b/{l}", (n_out,))):
            if prefix + key not in data:
                raise ValueError(f"{path}: missing weights {prefix + key!r}")
            saved = data[prefix + key]
            if saved.shape != shape or saved.dtype != dtype:
                raise ValueError(
                    f"{path}: weights {prefix + key!r} have shape {saved.shape} and dtype "
                    f"{saved.dtype}, but the architecture needs {shape} {dtype}")
            if not np.isfinite(saved).all():
                raise ValueError(f"{path}: weights {prefix + key!r} hold NaN or infinite values")


def _hand_out(dense: list, names: tuple, buf: FlatBuffer) -> None:
    """Set ``names`` (W, b or dW, db) of every Dense layer to the buffer's views, in order."""
    views = iter(buf.views)
    for d in dense:
        for name in names:
            setattr(d, name, next(views))


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
) -> Sequential:
    """A multilayer perceptron: Dense layers of the given ``sizes`` with activations between.

    ``mlp([64, 128, 64, 10])`` is ``Dense(64,128), ReLU, Dense(128,64), ReLU, Dense(64,10)``.
    No activation follows the last layer: the loss applies softmax or sigmoid itself.
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
            layers.append(ACTIVATIONS[activation]())
        layers.append(Dense(n_in, n_out, init=init, rng=rng, dtype=dtype))
    return Sequential(layers, head=head)
