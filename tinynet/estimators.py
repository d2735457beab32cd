"""scikit-learn estimators: TinyNetClassifier and TinyNetRegressor.

They follow scikit-learn's estimator API (``__init__`` only stores hyperparameters;
``fit`` validates them and the data; fitted attributes end in ``_``), so they work in
pipelines, grid searches and cross-validation, and pass scikit-learn's own estimator
checks. Underneath is an ordinary tinynet model, optimizer and Trainer, kept as
``model_``, ``optimizer_`` and ``trainer_``.

Unlike MLPClassifier, ``warm_start=True`` and ``partial_fit`` keep the optimizer's state
(``s_dW``, ``v_dW``, the step count, ...): training continues exactly where it stopped.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from . import optimizers
from .callbacks import EarlyStopping
from .layers import ACTIVATIONS
from .losses import MSE, SoftmaxCrossEntropy
from .model import mlp
from .trainer import Trainer
from .validation import check_choice, check_dtype, check_number


class _TinyNetBase(BaseEstimator):
    """Shared by the classifier and the regressor (see their docstrings)."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", optimizer="rmsprop",
                 lr=0.001, rho=0.9, beta=0.9, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay=0.0, batch_size=32, epochs=200, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, random_state=None,
                 verbose=False, dtype="float64", warm_start=False, optimizer_params=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.lr = lr
        self.rho = rho
        self.beta = beta
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype
        self.warm_start = warm_start
        self.optimizer_params = optimizer_params

    # ----- what the subclasses say ------------------------------------------------------

    def _prepare_targets(self, y, first: bool, classes=None) -> np.ndarray:
        raise NotImplementedError

    def _n_outputs(self) -> int:
        raise NotImplementedError

    # ----- building -----------------------------------------------------------------------

    def _validate_params(self) -> None:
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, (int, np.integer)) else tuple(sizes)
        for i, s in enumerate(sizes):
            check_number(f"hidden_layer_sizes[{i}]", s, low=1, integer=True)
        check_choice("activation", self.activation, ACTIVATIONS)
        if not isinstance(self.optimizer, str) or self.optimizer.lower() not in \
                optimizers.available():
            raise ValueError(f"optimizer must be one of {optimizers.available()}, "
                             f"got {self.optimizer!r}")
        check_number("batch_size", self.batch_size, low=1, integer=True)
        check_number("epochs", self.epochs, low=1, integer=True)
        check_number("validation_fraction", self.validation_fraction, low=0.0, high=1.0,
                     low_open=True, high_open=True)
        check_number("n_iter_no_change", self.n_iter_no_change, low=1, integer=True)
        check_dtype(self.dtype)
        self._optimizer_from_params()  # validates the optimizer's own hyperparameters

    def _optimizer_from_params(self) -> optimizers.Optimizer:
        """The optimizer, built from the estimator parameters its constructor names (lr,
        rho, ...) and ``optimizer_params`` (any other, e.g. a registered one's own)."""
        extra = self.optimizer_params or {}
        if not isinstance(extra, dict):
            raise TypeError(f"optimizer_params must be a dict such as {{'centered': True}}, "
                            f"got {type(extra).__name__}")
        own = self.get_params(deep=False)
        names = optimizers.lookup(self.optimizer).hyperparam_names()
        hp = {k: own[k] for k in names if k in own and k not in extra}
        return optimizers.get(self.optimizer, **hp, **extra)

    def _new_trainer(self, n_features: int) -> Trainer:
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, (int, np.integer)) else list(sizes)
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        classifier = isinstance(self, ClassifierMixin)
        model = mlp([n_features, *sizes, self._n_outputs()], activation=self.activation,
                    seed=seed, dtype=check_dtype(self.dtype),
                    head=None if classifier else "identity")
        loss = SoftmaxCrossEntropy() if classifier else MSE()
        return Trainer(model, loss, self._optimizer_from_params(), batch_size=self.batch_size,
                       seed=seed, progress=bool(self.verbose), teaching_warnings=False)

    def _fit(self, X, y, epochs: int, incremental: bool, classes=None):
        first = not (incremental and hasattr(self, "trainer_"))
        self._validate_params()
        X, y = validate_data(self, X, y, reset=first, dtype=[np.float64, np.float32],
                             multi_output=not isinstance(self, ClassifierMixin), y_numeric=False)
        y = self._prepare_targets(y, first, classes)
        if first:
            self.trainer_ = self._new_trainer(X.shape[1])
        trainer = self.trainer_
        validation, callbacks = None, []
        if self.early_stopping and not incremental:
            X, X_val, y, y_val = self._split_validation(X, y)
            validation = (X_val, y_val)
            callbacks = [EarlyStopping("val_loss", patience=self.n_iter_no_change)]
        trainer.fit(X, y, epochs=epochs, validation_data=validation, callbacks=callbacks)
        if trainer.history.interrupted:  # Ctrl-C must stop a grid search, not truncate a fit
            raise KeyboardInterrupt
        self.model_, self.optimizer_ = trainer.model, trainer.optimizer
        self.history_ = trainer.history
        self.loss_curve_ = list(trainer.history["loss"])
        self.n_epochs_ = trainer.epoch
        return self

    def _split_validation(self, X, y):
        from sklearn.model_selection import train_test_split

        stratify = y if isinstance(self, ClassifierMixin) and np.bincount(y).min() >= 2 else None
        seed = check_random_state(self.random_state).randint(2**31 - 1)
        return train_test_split(X, y, test_size=self.validation_fraction, stratify=stratify,
                                random_state=seed)

    def fit(self, X, y):
        """Train for ``epochs`` epochs (from scratch, unless ``warm_start`` and fitted)."""
        return self._fit(X, y, self.epochs, incremental=bool(self.warm_start))

    def _outputs(self, X) -> np.ndarray:
        check_is_fitted(self, "trainer_")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return self.trainer_._outputs(self.model_.check_input(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


class TinyNetClassifier(ClassifierMixin, _TinyNetBase):
    """A tinynet MLP as a scikit-learn classifier (softmax cross-entropy).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
    activation : {"relu", "leaky_relu", "tanh", "sigmoid", "identity"}, default="relu"
    optimizer : str, default="rmsprop"
        Any registered tinynet optimizer name.
    lr : float, default=0.001
    rho, beta, beta1, beta2, eps, weight_decay : float
        The optimizer's own hyperparameters; each is passed only to optimizers that take it
        (rho: RMSProp; beta: Momentum; beta1, beta2: Adam; eps: RMSProp, Adam, Adagrad).
    optimizer_params : dict, optional
        Any other constructor argument of the chosen optimizer, e.g. ``{"centered": True}``
        for RMSProp or a registered optimizer's own; wins over the parameters above.
    batch_size : int, default=32
    epochs : int, default=200
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its loss has not improved
        for ``n_iter_no_change`` epochs, restoring the best weights and optimizer state.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    random_state : int, RandomState or None
        Seeds the initial weights, the batch order and the validation split.
    verbose : bool, default=False
        Show tinynet's progress bar.
    dtype : {"float64", "float32"}, default="float64"
    warm_start : bool, default=False
        ``fit`` continues the fitted model AND its optimizer state.

    Attributes
    ----------
    classes_, n_features_in_, loss_curve_, history_, model_, optimizer_, trainer_, n_epochs_
    """

    def _n_outputs(self) -> int:
        return len(self.classes_)

    def _prepare_targets(self, y, first: bool, classes=None) -> np.ndarray:
        check_classification_targets(y)
        if first:
            encoder = LabelEncoder().fit(y if classes is None else classes)
            if len(encoder.classes_) < 2:
                raise ValueError(f"{type(self).__name__} needs at least 2 classes in y, got "
                                 f"1 class ({encoder.classes_[0]!r})")
            self.classes_ = encoder.classes_
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"y holds labels {unknown.tolist()} not among the classes "
                             f"{self.classes_.tolist()} seen before")
        return np.searchsorted(self.classes_, y)

    def partial_fit(self, X, y, classes=None):
        """One epoch over (X, y), continuing the model and optimizer state. The first call
        needs ``classes``, every label that will ever appear."""
        if not hasattr(self, "trainer_") and classes is None:
            raise ValueError("the first call to partial_fit needs classes=, all the labels")
        return self._fit(X, y, 1, incremental=True, classes=classes)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        return SoftmaxCrossEntropy.predict_proba(self._outputs(X))

    def predict(self, X) -> np.ndarray:
        """The most probable class, as one of the original labels."""
        out = self._outputs(X)  # checks that the estimator is fitted
        return self.classes_[out.argmax(axis=1)]


class TinyNetRegressor(RegressorMixin, _TinyNetBase):
    """A tinynet MLP as a scikit-learn regressor (mean squared error, identity output).

    Same parameters and attributes as TinyNetClassifier (no ``classes_``). ``y`` may have
    several columns (one output each). Scale the target for best results, for example with
    ``TransformedTargetRegressor(TinyNetRegressor(), transformer=StandardScaler())``.
    """

    def _n_outputs(self) -> int:
        return self.n_outputs_

    def _prepare_targets(self, y, first: bool, classes=None) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if first:
            self.n_outputs_, self._y_1d = n_outputs, y.ndim == 1
        elif n_outputs != self.n_outputs_:
            raise ValueError(f"y has {n_outputs} columns, but the model was fitted with "
                             f"{self.n_outputs_}")
        return y

    def partial_fit(self, X, y):
        """One epoch over (X, y), continuing the model and optimizer state."""
        return self._fit(X, y, 1, incremental=True)

    def predict(self, X) -> np.ndarray:
        out = self._outputs(X).astype(np.float64, copy=False)
        return out[:, 0] if self._y_1d else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
