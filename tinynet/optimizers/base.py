"""The Optimizer base class: what every optimizer shares, so a subclass is only its formula.

An optimizer changes every parameter a layer declares (Dense: ``W`` and ``b``; BatchNorm:
``gamma`` and ``beta``; params.py) in place, using the gradients ``dW``, ``db``, ...
that backward left on the layer, and its own state. State is named after the formulas: a
subclass declares its symbols (RMSProp: ``("s",)``) and the base class keeps one dict per
symbol and parameter name, keyed by layer number l = 1..L::

    opt.s_dW[l], opt.s_db[l]      # shaped like layer l's W and b; zeros at the first step
    opt.s_dgamma[l]               # a BatchNorm at position l

A subclass writes ``update``: the formula for one parameter of one layer. The base class
loops over the layers, applies weight decay, creates the state lazily, checks it against
the layers, runs the fast path (fused.py) when it can, and saves and restores the state.
"""

from __future__ import annotations

from operator import is_not

import numpy as np

from ..model import trainable_layers
from ..validation import check_number
from .fused import FusedStep
from .params import warn_undeclared
from .state import SavesState, check_state_matches

__all__ = ["Optimizer", "divide", "divide_into", "trainable_layers"]


class Optimizer(SavesState):
    """Base class for optimizers.

    A subclass provides:

    ``state_symbols``
        The names of its state, e.g. ``("s",)`` for RMSProp or ``("v", "s")`` for Adam.
        Each symbol ``x`` becomes two dicts, ``opt.x_dW`` and ``opt.x_db``, keyed by layer
        number ``l = 1..L``; the base class fills them with zeros at the first step.
    ``__init__``
        Its hyperparameters as named arguments with defaults, validated there (see
        ``decay_rate`` and ``non_negative``), then ``super().__init__(lr=lr, ...)``. The
        argument names become ``--NAME`` options of ``tinynet train`` and parameters of
        the scikit-learn estimators.
    ``update(W, dW, **state)``
        The formula for ONE parameter of ONE layer. It is called as
        ``update(layer.W, layer.dW, s=opt.s_dW[l])`` and ``update(layer.b, layer.db,
        s=opt.s_db[l])``: one keyword argument per state symbol, holding that
        parameter's state array. Change ``W`` and the state arrays IN PLACE
        (``W -= ...``, ``s[...] = ...``); rebinding a name (``s = ...``) changes nothing.
        ``self.t`` has already been incremented: it is 1 during the first step.
    ``elementwise`` (optional, default False)
        True when ``update`` treats every number on its own (no norms, no matrix
        products). Then the fast path may run the update once on all parameters at once.
    ``fused_update(param, grad, **state)`` (optional)
        A faster, allocation-free version of ``update`` for that one-buffer call; it must
        give the same numbers bit for bit (``tinynet.testing.check_optimizer`` checks).
        Without it the fast path calls ``update`` on the buffers.
    ``effective_lr(l)`` (optional)
        The per-parameter rate that multiplies layer ``l``'s gradient.

    The rest (``step``, the state dicts, ``state_dict``, checks) a subclass never touches.

    Parameters
    ----------
    lr : float
        Learning rate eta (> 0). ``opt.lr`` is always the rate the next step uses.
    weight_decay : float
        L2 penalty on W (not b): coupled, ``dW += weight_decay * W`` before the update, or
        decoupled (``decoupled_weight_decay``, AdamW), ``W *= 1 - lr * weight_decay``.

    Attributes
    ----------
    t : int
        Number of steps taken.
    fused : bool
        True (default): run the fast path when the model keeps its parameters in one
        buffer. False: the literal layer-by-layer loop over ``update``. The numbers are
        the same either way.
    """

    name: str | None = None  # set by ``register``
    state_symbols: tuple[str, ...] = ()
    elementwise: bool = False
    decoupled_weight_decay: bool = False  # True: W *= 1 - lr * weight_decay, not via dW
    fused_update = None  # a subclass may define ``fused_update(param, grad, **state)``

    def __init__(self, lr: float, weight_decay: float = 0.0):
        self.lr = check_number("lr", lr, low=0.0, low_open=True)
        self.initial_lr = self.lr
        self.weight_decay = check_number("weight_decay", weight_decay, low=0.0)
        self.t = 0
        self.fused = True
        self._param_names = ["W", "b"]  # grows with the parameter names the layers declare
        for key in self.state_keys():
            setattr(self, key, {})
        self._scratch_arrays: dict = {}
        self._layers: list = []  # the layers the state belongs to (for effective_lr)
        self._seen: tuple | None = None  # layers and arrays at the last check (None: check)
        self._fast: FusedStep | None = None

    # ----- what a subclass provides ---------------------------------------------------

    def update(self, W: np.ndarray, dW: np.ndarray, **state: np.ndarray) -> None:
        """Change one parameter ``W`` (a layer's W or b) in place from its gradient ``dW``
        and its state arrays (one keyword argument per symbol in ``state_symbols``)."""
        raise NotImplementedError

    def effective_lr(self, l: int) -> dict:
        """Per-parameter rate that multiplies layer ``l``'s gradient, for each parameter it
        declares: ``{"W": ..., "b": ...}`` for a Dense layer.

        Plain gradient descent uses one rate, ``lr``, for every parameter.
        """
        layer = self._layer(l)
        return {p: np.full_like(getattr(layer, p), self.lr) for p in layer.params}

    # ----- the step -------------------------------------------------------------------

    def step(self, model_or_layers) -> None:
        """Update, in place, every parameter a layer declares (a Sequential, or a list)."""
        layers = trainable_layers(model_or_layers)
        if self._seen is None or not _same_arrays(self._seen, layers):
            self._prepare(model_or_layers, layers)  # new layers, arrays or state: check first
        self.t += 1
        if self.weight_decay and self.decoupled_weight_decay:  # AdamW: W *= 1 - lr * wd
            for layer in self._decayed:
                layer.W *= 1 - self.lr * self.weight_decay
        elif self.weight_decay:  # coupled L2, W only: dW += weight_decay * W
            for layer in self._decayed:
                layer.dW += np.multiply(layer.W, self.weight_decay, out=self._scratch(layer.W))
        if self.fused and self._fast is not None:  # all layers in one call (fused.py)
            self._fast.update(self._fast.param, self._fast.grad, **self._fast.state)
            return
        for l, layer in enumerate(layers, start=1):  # the formulas, layer by layer
            for p in layer.params:  # Dense: W, then b
                self.update(getattr(layer, p), getattr(layer, "d" + p), **self.state_of(p, l))

    def state_of(self, p: str, l: int) -> dict:
        """Layer ``l``'s state for its parameter ``p`` ("W", "gamma"): ``{"s": opt.s_dW[l]}``."""
        return {sym: getattr(self, f"{sym}_d{p}")[l] for sym in self.state_symbols}

    def state_keys(self) -> list[str]:
        """Names of the state dicts, e.g. ``["s_dW", "s_db"]`` (and ``"s_dgamma"``, ... once
        the optimizer has seen layers that declare other parameters)."""
        return [f"{sym}_d{p}" for sym in self.state_symbols for p in self._param_names]

    def _prepare(self, model_or_layers, layers: list) -> None:
        """Check gradients and existing state against ``layers``, then create missing state."""
        for l, layer in enumerate(layers, start=1):
            unset = [f"d{p}" for p in layer.params if getattr(layer, "d" + p, None) is None]
            if unset:
                raise ValueError(f"layer {l} ({type(layer).__name__}) has no gradient "
                                 f"{unset[0]} yet: call model.backward(...) before step()")
            if hasattr(layer, "check_parameters"):  # a Dense: W, b, dW, db of its shape
                layer.check_parameters()
                layer.check_parameters(grads=True)
        warn_undeclared(getattr(model_or_layers, "layers", layers))
        for p in (p for layer in layers for p in layer.params):
            if p not in self._param_names:  # a BatchNorm's gamma: s_dgamma, from now on
                self._param_names.append(p)
                for sym in self.state_symbols:
                    setattr(self, f"{sym}_d{p}", {})
        states = {key: getattr(self, key) for key in self.state_keys()}
        check_state_matches(states, layers)
        for key, state in states.items():
            p = key.partition("_d")[2]
            if not state:  # lazy creation: zeros at the first step
                for l, layer in enumerate(layers, start=1):
                    if p in layer.params:
                        state[l] = np.zeros_like(getattr(layer, p))
        self._fast = FusedStep.build(self, model_or_layers, layers)
        if self._fast is not None:
            self._fast.update = self._fast_update()
        arrays = [(layer, n, getattr(layer, n))
                  for layer in layers for p in layer.params for n in (p, "d" + p)]
        self._seen = (list(layers), arrays)
        self._layers = layers
        self._decayed = [layer for layer in layers if "W" in layer.params]  # decay: W only

    def _fast_update(self):
        """``fused_update``, unless a subclass overrides ``update`` below the class that
        wrote it (a fast variant of someone else's formula); then ``update`` itself."""
        if self.fused_update is None:
            return self.update
        mro = type(self).__mro__
        wrote_update = next(c for c in mro if "update" in vars(c))
        wrote_fused = next((c for c in mro if "fused_update" in vars(c)), None)
        if wrote_fused is None or issubclass(wrote_fused, wrote_update):  # None: per instance
            return self.fused_update
        return self.update

    def _layer(self, l):
        layers = self._layers
        if isinstance(l, bool) or not isinstance(l, (int, np.integer)) or not 1 <= l <= len(layers):
            raise ValueError(
                f"no layer {l!r}: layers are numbered 1..L, and an optimizer knows them "
                f"after its first step (it has seen {len(layers)})"
            )
        return layers[l - 1]

    def _scratch(self, like: np.ndarray, n: int = 0) -> np.ndarray:
        """Reusable work array number ``n`` shaped like ``like``, so a step allocates nothing."""
        key = (like.shape, like.dtype, n)
        buf = self._scratch_arrays.get(key)
        if buf is None:
            buf = self._scratch_arrays[key] = np.empty_like(like)
        return buf

    # ----- validation helpers for constructors ------------------------------------------

    @staticmethod
    def decay_rate(name: str, value) -> float:
        """Check a decay rate such as rho or beta: a number in [0, 1)."""
        return check_number(name, value, low=0.0, high=1.0, high_open=True)

    @staticmethod
    def non_negative(name: str, value) -> float:
        """Check a number >= 0, such as eps."""
        return check_number(name, value, low=0.0)

    def set_moment_rates(self, beta1: float, beta2: float, eps: float) -> None:
        """Check and keep the Adam family's beta1, beta2 (in [0, 1)) and eps (>= 0)."""
        self.beta1 = self.decay_rate("beta1", beta1)
        self.beta2 = self.decay_rate("beta2", beta2)
        self.eps = self.non_negative("eps", eps)

    @staticmethod
    def flag(name: str, value) -> bool:
        """Check an option that is True or False."""
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {value!r}")
        return bool(value)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparams().items())
        return f"{type(self).__name__}({args})"


def divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` element-wise, where 0 / 0 gives 0: with eps = 0 a denominator
    ``sqrt(s) + eps`` is 0 only where no gradient has arrived yet, and there nothing moves."""
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


def divide_into(num: np.ndarray, den: np.ndarray, eps: float) -> np.ndarray:
    """``den <- num / den`` in place, as ``divide`` but writing into ``den`` (fast paths)."""
    if eps == 0:
        np.divide(num, den, out=den, where=den != 0)
    else:
        np.divide(num, den, out=den)
    return den


def _same_arrays(seen: tuple, layers: list) -> bool:
    """True while the same layers hold the very arrays seen at the last check."""
    known, arrays = seen  # other layers, or a user's ``layer.dW = ...``: check everything again
    if len(layers) != len(known) or any(map(is_not, layers, known)):
        return False
    for layer, name, array in arrays:  # a Dense: W, dW, b, db
        if getattr(layer, name) is not array:
            return False
    return True
