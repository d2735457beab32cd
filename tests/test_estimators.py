"""TinyNetClassifier / TinyNetRegressor: scikit-learn's own checks, labels, warm starts."""

import re

import numpy as np
import pytest
from joblib.externals.loky import get_reusable_executor
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import tinynet as tn
from tinynet.estimators import TinyNetClassifier, TinyNetRegressor


# No expected failures: every check applies and passes (pandas-based ones are skipped by
# scikit-learn itself when pandas is not installed).
@parametrize_with_checks([TinyNetClassifier(), TinyNetRegressor()])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("labels", [
    np.array(["setosa", "versicolor", "virginica"]),
    np.array([-7, 3, 42]),
    np.array([10, 20, 30], dtype=np.int8),
])
def test_any_label_type_round_trips(iris, labels):
    X, y = iris
    clf = TinyNetClassifier(epochs=40, random_state=0).fit(X, labels[y])
    assert list(clf.classes_) == sorted(labels)
    pred = clf.predict(X)
    assert pred.dtype == labels.dtype and set(pred) <= set(labels)
    assert np.mean(pred == labels[y]) > 0.9
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(clf.classes_[proba.argmax(axis=1)], pred)


def test_binary_and_fitted_attributes(iris):
    X, y = iris
    yb = np.where(y == 0, "a", "b")
    clf = TinyNetClassifier(hidden_layer_sizes=(8, 4), epochs=20, lr=0.01,
                            random_state=0).fit(X, yb)
    assert clf.n_features_in_ == 4 and list(clf.classes_) == ["a", "b"]
    assert clf.predict_proba(X).shape == (150, 2) and clf.score(X, yb) > 0.95
    assert len(clf.loss_curve_) == 20 and clf.loss_curve_ == clf.history_["loss"]
    assert isinstance(clf.model_, tn.Sequential) and clf.model_.n_outputs == 2
    assert [d.n_out for d in clf.model_.dense_layers] == [8, 4, 2]
    assert isinstance(clf.optimizer_, tn.optimizers.RMSProp) and clf.optimizer_.t == 20 * 5


def test_get_set_params_and_clone():
    clf = TinyNetClassifier(lr=0.01, optimizer="adam", beta1=0.8)
    assert clf.get_params()["beta1"] == 0.8
    clf.set_params(lr=0.05, hidden_layer_sizes=(7,))
    twin = clone(clf)
    assert twin.get_params() == clf.get_params() and twin is not clf


def test_optimizer_hyperparameters_reach_the_optimizer(iris):
    X, y = iris
    clf = TinyNetClassifier(optimizer="adam", lr=0.01, beta1=0.8, beta2=0.99, eps=1e-7,
                            epochs=2, random_state=0).fit(X, y)
    opt = clf.optimizer_
    assert (opt.lr, opt.beta1, opt.beta2, opt.eps) == (0.01, 0.8, 0.99, 1e-7)
    with pytest.raises(ValueError, match="rho must be < 1"):
        TinyNetClassifier(rho=1.0).fit(X, y)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        TinyNetClassifier(optimizer="lbfgs").fit(X, y)


def fitted_copy_state(est):
    return {k: v for k, v in est.optimizer_.state_dict().items() if "/" in k}


@pytest.mark.parametrize("est_cls", [TinyNetClassifier, TinyNetRegressor])
def test_warm_start_keeps_the_optimizer_state_and_continues_exactly(iris, est_cls):
    X, y = iris
    y = y if est_cls is TinyNetClassifier else X[:, 0] * 2 - X[:, 1]
    straight = est_cls(epochs=6, random_state=0).fit(X, y)
    warm = est_cls(epochs=3, random_state=0, warm_start=True).fit(X, y)
    t_after_first = warm.optimizer_.t
    s_after_first = warm.optimizer_.s_dW[1].copy()
    warm.fit(X, y)
    assert warm.optimizer_.t == 2 * t_after_first == straight.optimizer_.t
    assert not np.array_equal(warm.optimizer_.s_dW[1], s_after_first)
    for key, arr in straight.model_.arrays().items():
        assert np.array_equal(arr, warm.model_.arrays()[key]), key
    a, b = fitted_copy_state(straight), fitted_copy_state(warm)
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_partial_fit_keeps_state_unlike_mlpclassifier_warm_start(iris):
    X, y = iris
    clf = TinyNetClassifier(random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    t1 = clf.optimizer_.t
    clf.partial_fit(X, y)
    assert clf.optimizer_.t == 2 * t1 and clf.n_epochs_ == 2
    with pytest.raises(ValueError, match="needs classes="):
        TinyNetClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match=r"labels \[7\] not among the classes"):
        clf.partial_fit(X[:2], [0, 7])
    # For contrast: MLPClassifier's warm start begins a fresh Adam (its step count restarts).
    mlp = MLPClassifier(max_iter=1, warm_start=True, random_state=0)
    with pytest.warns(Warning):
        mlp.fit(X, y)
    first_t = mlp._optimizer.t
    with pytest.warns(Warning):
        mlp.fit(X, y)
    assert mlp._optimizer.t == first_t  # reset: the moments were thrown away


def test_early_stopping_holds_out_validation(iris):
    X, y = iris
    clf = TinyNetClassifier(early_stopping=True, validation_fraction=0.2, n_iter_no_change=3,
                            epochs=500, lr=0.05, random_state=0).fit(X, y)
    h = clf.history_
    assert "val_loss" in h and len(h) < 500
    assert clf.trainer_.history is h


def test_regressor_multi_output(iris):
    X, _ = iris
    Y = np.c_[X[:, 0] - X[:, 1], 0.5 * X[:, 2]]
    reg = TinyNetRegressor(epochs=60, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (150, 2) and reg.score(X, Y) > 0.95
    assert reg.model_.head == "identity"


def test_pipeline_grid_search_and_cross_validation(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), TinyNetClassifier(hidden_layer_sizes=(16,), lr=0.01,
                                                             epochs=15, random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.85
    search = GridSearchCV(pipe, {"tinynetclassifier__lr": [1e-3, 3e-2],
                                 "tinynetclassifier__rho": [0.9, 0.99]}, cv=3, n_jobs=2)
    try:
        search.fit(X, y)  # in two worker processes: the estimator crosses a pickle boundary
    finally:
        # joblib keeps its workers alive to reuse them; stop them now so that no child of
        # this process exits later on its own (mutmut's runner reaps every child it sees)
        get_reusable_executor().shutdown(wait=True)
    assert set(search.best_params_) == {"tinynetclassifier__lr", "tinynetclassifier__rho"}
    assert search.best_score_ > 0.85


def split_counts(est, X, y):
    X_train, X_val, y_train, y_val = est._split_validation(X, y)
    return len(X_train), len(X_val), np.bincount(y_val, minlength=3).tolist()


def test_the_validation_split_is_stratified_sized_and_seeded():
    """early_stopping holds out validation_fraction of the data: every class in proportion
    (a class of two puts one in each part), the same rows for the same random_state."""
    y = np.array([0] * 20 + [1] * 20 + [2] * 2)
    X = np.arange(len(y), dtype=float)[:, None]
    for seed in (0, 2, 3):  # seeds whose plain random split is not proportional
        clf = TinyNetClassifier(validation_fraction=0.5, random_state=seed)
        assert split_counts(clf, X, y)[1:] == (21, [10, 10, 1])
    clf = TinyNetClassifier(validation_fraction=0.1, random_state=0)
    assert split_counts(clf, X, y)[:2] == (37, 5)
    again = [TinyNetClassifier(random_state=4)._split_validation(X, y)[1] for _ in range(2)]
    assert np.array_equal(*again)
    other = TinyNetClassifier(random_state=5)._split_validation(X, y)[1]
    assert not np.array_equal(again[0], other)


def test_a_class_too_small_to_stratify_is_split_at_random_not_refused():
    y = np.array([0] * 20 + [1] * 20 + [2])
    X = np.arange(len(y), dtype=float)[:, None]
    assert sum(split_counts(TinyNetClassifier(random_state=0), X, y)[2]) == 5
    clf = TinyNetClassifier(early_stopping=True, epochs=3, random_state=0).fit(X, y)
    assert "val_loss" in clf.history_


def test_the_regressor_holds_out_validation_without_stratifying(iris):
    X, _ = iris
    y = X[:, 0] * 0.5 + 0.25  # continuous: nothing to stratify by
    reg = TinyNetRegressor(early_stopping=True, validation_fraction=0.2, epochs=3,
                           random_state=0).fit(X, y)
    assert "val_loss" in reg.history_ and len(reg.history_["val_loss"]) == 3
    X_train, X_val, _, _ = reg._split_validation(X, y)
    assert (len(X_train), len(X_val)) == (120, 30)


SMALL = (np.random.default_rng(0).standard_normal((30, 3)), np.arange(30) % 2)


@pytest.mark.parametrize("params, error, message", [
    ({"hidden_layer_sizes": (0,)}, ValueError, "hidden_layer_sizes[0] must be >= 1, got 0"),
    ({"hidden_layer_sizes": (4, 2.5)}, TypeError, "hidden_layer_sizes[1] must be an integer"),
    ({"hidden_layer_sizes": -3}, ValueError, "hidden_layer_sizes[0] must be >= 1, got -3"),
    ({"activation": "gelu"}, ValueError, "activation must be one of"),
    ({"optimizer": 3}, ValueError, "optimizer must be one of ['adadelta',"),
    ({"optimizer": "adamm"}, ValueError, "got 'adamm'"),
    ({"batch_size": 0}, ValueError, "batch_size must be >= 1, got 0"),
    ({"epochs": 0}, ValueError, "epochs must be >= 1, got 0"),
    ({"epochs": 1.5}, TypeError, "epochs must be an integer"),
    ({"validation_fraction": 0.0}, ValueError, "validation_fraction must be > 0.0, got 0.0"),
    ({"validation_fraction": 1.0}, ValueError, "validation_fraction must be < 1.0, got 1.0"),
    ({"n_iter_no_change": 0}, ValueError, "n_iter_no_change must be >= 1, got 0"),
    ({"dtype": "float16"}, TypeError, "dtype must be float32 or float64, got float16"),
    ({"optimizer_params": [1]}, TypeError,
     "optimizer_params must be a dict such as {'centered': True}, got list"),
    ({"rho": 1.5}, ValueError, "rho must be < 1.0, got 1.5"),
    ({"optimizer_params": {"centered": "yes"}}, TypeError, "centered must be True or False"),
])
def test_every_parameter_is_checked_at_fit_with_a_message_naming_it(params, error, message):
    for cls in (TinyNetClassifier, TinyNetRegressor):
        est = cls(**params)
        with pytest.raises(error, match=re.escape(message)):
            est.fit(SMALL[0], SMALL[1])
        assert not hasattr(est, "trainer_")  # nothing fitted


def test_the_bounds_themselves_are_accepted_and_an_int_is_one_layer():
    X, y = SMALL
    clf = TinyNetClassifier(hidden_layer_sizes=np.int64(5), batch_size=1, epochs=1,
                            validation_fraction=0.5, n_iter_no_change=1, early_stopping=True,
                            random_state=0).fit(X, y)
    assert [d.n_out for d in clf.model_.dense_layers] == [5, 2]
    reg = TinyNetRegressor(hidden_layer_sizes=4, epochs=1).fit(X, y)
    assert [d.n_out for d in reg.model_.dense_layers] == [4, 1]


def test_what_fit_builds_from_the_parameters():
    X, y = SMALL
    clf = TinyNetClassifier(hidden_layer_sizes=(6,), activation="tanh", optimizer="momentum",
                            lr=0.05, beta=0.8, rho=0.5, batch_size=7, epochs=2, dtype="float32",
                            random_state=0).fit(X, y)
    opt = clf.optimizer_
    assert isinstance(opt, tn.optimizers.Momentum) and (opt.lr, opt.beta) == (0.05, 0.8)
    assert clf.model_.dtype == np.float32 and clf.model_.head == "softmax"
    assert type(clf.model_.layers[1]).__name__ == "Tanh"
    assert clf.trainer_.batch_size == 7 and clf.trainer_.progress is False
    assert clf.trainer_.teaching_warnings is False  # sklearn users get no teaching asides
    assert clf.n_epochs_ == 2 and len(clf.loss_curve_) == 2
    assert clf.trainer_.optimizer.t == 2 * 5  # 30 samples in batches of 7
    reg = TinyNetRegressor(optimizer="rmsprop", optimizer_params={"lr": 0.5, "centered": True},
                           lr=0.01, verbose=True, epochs=1).fit(X, y.astype(float))
    assert reg.optimizer_.lr == 0.5 and reg.optimizer_.centered is True  # params win
    assert reg.model_.head == "identity" and reg.trainer_.progress is True
    same = [TinyNetClassifier(epochs=1, random_state=3).fit(X, y).model_.arrays()["W/1"]
            for _ in range(2)]
    assert np.array_equal(*same)
    other = TinyNetClassifier(epochs=1, random_state=4).fit(X, y).model_.arrays()["W/1"]
    assert not np.array_equal(same[0], other)


def test_partial_fit_never_holds_out_validation_and_a_ctrl_c_stops_the_search(monkeypatch):
    X, y = SMALL
    clf = TinyNetClassifier(early_stopping=True, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    assert "val_loss" not in clf.history_
    assert clf.trainer_.optimizer.t == 1  # 30 samples: one batch of 32
    with pytest.raises(ValueError, match="the first call to partial_fit needs classes="):
        TinyNetClassifier().partial_fit(X, y)

    def interrupted_fit(self, *args, **kwargs):
        self.history.interrupted = True
        return self.history

    monkeypatch.setattr(tn.Trainer, "fit", interrupted_fit)
    with pytest.raises(KeyboardInterrupt):
        TinyNetClassifier(epochs=1).fit(X, y)


def test_regressor_predictions_keep_the_shape_of_y():
    X, y = SMALL
    one = TinyNetRegressor(epochs=1, random_state=0).fit(X, y.astype(float))
    assert one.predict(X).shape == (30,) and one.predict(X).dtype == np.float64
    column = TinyNetRegressor(epochs=1, random_state=0, dtype="float32").fit(X, y[:, None] * 1.0)
    assert column.predict(X).shape == (30, 1) and column.predict(X).dtype == np.float64
    with pytest.raises(ValueError, match="y has 2 columns, but the model was fitted with 1"):
        column.partial_fit(X, np.c_[y, y] * 1.0)


def test_partial_fit_takes_every_class_at_the_first_call_and_runs_one_epoch():
    X, y = SMALL  # labels 0 and 1 only
    clf = TinyNetClassifier(random_state=0, batch_size=8).partial_fit(X, y, classes=[0, 1, 2])
    assert clf.classes_.tolist() == [0, 1, 2] and clf.model_.n_outputs == 3
    assert clf.optimizer_.t == 4  # one epoch: 30 samples in batches of 8
    clf.partial_fit(X, np.full(30, 2))  # a class first seen now is known already
    assert clf.optimizer_.t == 8
    reg = TinyNetRegressor(random_state=0, batch_size=8).partial_fit(X, y * 1.0)
    assert reg.optimizer_.t == 4 and reg.n_epochs_ == 1


def test_n_iter_no_change_is_an_integer_and_is_the_patience():
    X, y = SMALL
    with pytest.raises(TypeError, match="n_iter_no_change must be an integer"):
        TinyNetClassifier(n_iter_no_change=1.5).fit(X, y)
    epochs = [TinyNetClassifier(early_stopping=True, n_iter_no_change=n, epochs=300, lr=0.05,
                                random_state=0).fit(X, y).n_epochs_ for n in (1, 4)]
    assert epochs[0] < epochs[1] < 300


def test_an_estimator_gives_no_teaching_warnings():
    import warnings

    X, y = SMALL
    with warnings.catch_warnings():
        warnings.simplefilter("error", tn.TeachingWarning)
        TinyNetClassifier(eps=0.5, lr=0.01, epochs=3, random_state=0).fit(X, y)
