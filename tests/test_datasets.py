"""Datasets: what each name loads, how load splits and scales, and its errors."""

import re
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets as skd

import tinynet as tn
from tinynet import datasets


@pytest.mark.parametrize("name, shape, classes", [
    ("digits", (1797, 64), 10), ("iris", (150, 4), 3), ("wine", (178, 13), 3),
    ("breast_cancer", (569, 30), 2), ("moons", (1000, 2), 2), ("circles", (1000, 2), 2),
    ("blobs", (1000, 2), 3), ("diabetes", (442, 10), None),
])
def test_each_name_is_the_dataset_its_description_says(name, shape, classes):
    X, y = datasets.raw(name, seed=4)
    assert X.shape == shape and len(y) == shape[0]
    description, task = datasets.DATASETS[name]
    assert f"{shape[0]} samples, {shape[1]} features" in description
    if classes is None:
        assert task == "regression" and y.dtype == np.float64 and len(np.unique(y)) > 100
    else:
        assert task == "classification" and sorted(set(y.tolist())) == list(range(classes))


def test_the_generated_ones_are_scikit_learns_with_the_seed():
    for name, make in (("moons", lambda s: skd.make_moons(n_samples=1000, noise=0.2,
                                                            random_state=s)),
                       ("circles", lambda s: skd.make_circles(n_samples=1000, noise=0.1,
                                                              factor=0.5, random_state=s)),
                       ("blobs", lambda s: skd.make_blobs(n_samples=1000, centers=3,
                                                          random_state=s))):
        for got, expected in zip(datasets.raw(name, seed=7), make(7)):
            np.testing.assert_array_equal(got, expected)
    assert not np.array_equal(datasets.raw("moons", 1)[0], datasets.raw("moons", 2)[0])


def test_names_and_paths():
    assert datasets.available() == sorted(datasets.DATASETS) and "digits" in datasets.available()
    for path in ("a.csv", "A.CSV", "data/x", Path("x")):
        assert datasets.is_path(path), path
    for name in ("digits", "csv", 3, None):
        assert not datasets.is_path(name), name
    with pytest.raises(ValueError, match="unknown dataset 'mnist'; available: blobs, "
                                         "breast_cancer, circles, diabetes, digits"):
        datasets.raw("mnist")
    with pytest.raises(ValueError, match=re.escape("unknown dataset 3; available: blobs") +
                       ".*" + re.escape("(or a path to a .csv file)")):
        datasets.load(3)


def test_load_splits_stratified_and_scales_with_the_training_split_only():
    data = datasets.load("iris", test_size=0.2, seed=0)
    X_train, X_test, y_train, y_test = data
    assert (len(X_train), len(X_test)) == (120, 30)
    assert np.bincount(y_test).tolist() == [10, 10, 10]  # each class in proportion
    np.testing.assert_allclose(X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X_train.std(axis=0), 1, rtol=1e-12)
    assert np.abs(X_test.mean(axis=0)).max() > 1e-3  # scaled by the training statistics
    raw = datasets.load("iris", test_size=0.2, seed=0, scale=False)
    X, _ = datasets.raw("iris")
    mean, std = raw[0].mean(axis=0), raw[0].std(axis=0)
    np.testing.assert_allclose(X_test, (raw[1] - mean) / std, rtol=1e-12)
    assert set(map(tuple, raw[0])) <= set(map(tuple, X))  # unscaled: the raw rows
    assert data.task == "classification" and data.classes is None and data.feature_names is None
    assert (data.y_mean, data.y_std) == (0.0, 1.0)
    other = datasets.load("iris", test_size=0.2, seed=1)
    assert not np.array_equal(other[1], X_test)


def test_regression_targets_are_standardised_and_say_how_to_undo_it():
    data = datasets.load("diabetes", seed=0)
    _, _, y_train, y_test = data
    assert data.task == "regression"
    assert abs(y_train.mean()) < 1e-12 and y_train.std() == pytest.approx(1.0, rel=1e-12)
    plain = datasets.load("diabetes", seed=0, scale=False)
    np.testing.assert_allclose(y_test * data.y_std + data.y_mean, plain[3], rtol=1e-12)
    assert data.y_mean == pytest.approx(plain[2].mean()) and data.y_std == pytest.approx(
        plain[2].std())
    assert (plain.y_mean, plain.y_std) == (0.0, 1.0)
    constant = datasets.split(np.arange(20.0)[:, None], np.full(20, 5.0), 0.25, 0, True,
                              "regression")
    assert constant.y_std == 1.0 and np.all(constant[2] == 0.0)  # std 0: only centred


@pytest.mark.parametrize("kwargs, error, message", [
    ({"test_size": 0.0}, ValueError, "test_size must be > 0.0"),
    ({"test_size": 1.0}, ValueError, "test_size must be < 1.0"),
    ({"seed": -1}, ValueError, "seed must be >= 0"),
    ({"seed": 1.5}, TypeError, "seed must be an integer"),
    ({"scale": "yes"}, TypeError, "scale must be True or False, got 'yes'"),
])
def test_load_checks_its_arguments(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        datasets.load("iris", **kwargs)
    assert len(datasets.load("iris", scale=np.bool_(False))[0]) == 120


def test_a_class_with_one_sample_is_named_before_splitting():
    X = np.arange(10.0)[:, None]
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 0, 2])
    with pytest.raises(ValueError, match="class 2 has a single sample; a train/test split "
                                         "needs at least 2 of each class"):
        datasets.split(X, y, 0.3, 0, True)
    with pytest.raises(ValueError, match="class 'cat' has a single sample"):
        datasets.split(X, y, 0.3, 0, True, classes=["ant", "bee", "cat"])
    split = datasets.split(X, y, 0.5, 0, False, task="regression")  # no classes: no check
    assert len(split[0]) == 5


def test_a_column_that_overflows_when_standardised_is_named():
    X = np.c_[np.arange(20.0), np.linspace(-1e300, 1e300, 20)]
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=r"feature column 'big' \(largest \|value\| 1e\+300\) "
                                         r"overflows when standardised: rescale it, or pass "
                                         r"scale=False"):
        datasets.split(X, y, 0.25, 0, True, feature_names=["small", "big"])
    with pytest.raises(ValueError, match=r"feature column 1 \(largest"):
        datasets.split(X, y, 0.25, 0, True)
    assert datasets.split(X, y, 0.25, 0, False)[0].shape == (15, 2)
    # only the variance overflows (1e160 squared): scikit-learn would scale by 1, silently
    X[:, 1] = np.linspace(-1e160, 1e160, 20)
    with pytest.raises(ValueError, match=r"feature column 1 \(largest \|value\| 1e\+160\)"):
        datasets.split(X, y, 0.25, 0, True)


def test_a_split_is_the_four_arrays_and_carries_what_the_data_is():
    data = datasets.split(np.zeros((8, 2)), np.array([0, 1] * 4), 0.5, 0, False,
                          classes=["no", "yes"], feature_names=("a", "b"))
    X_train, X_test, y_train, y_test = data
    assert isinstance(data, tuple) and len(data) == 4 and X_train.dtype == np.float64
    assert data.classes == ["no", "yes"] and data.feature_names == ("a", "b")
    assert data.task == "classification" and tn.datasets.Split.task == "classification"


def test_the_seed_defaults_to_0_and_reaches_the_generated_data():
    for got, expected in zip(datasets.raw("moons"), datasets.raw("moons", seed=0)):
        np.testing.assert_array_equal(got, expected)
    for got, expected in zip(datasets.load("moons"), datasets.load("moons", seed=0)):
        np.testing.assert_array_equal(got, expected)
    seeded = datasets.load("moons", seed=3, scale=False)
    rows = {tuple(r) for r in np.r_[seeded[0], seeded[1]]}
    assert rows == {tuple(r) for r in datasets.raw("moons", seed=3)[0]}  # seed 3's points
    with pytest.raises(ValueError, match=re.escape("unknown dataset 'mnist'; available: ") +
                       ".*" + re.escape("(or a path to a .csv file)")):
        datasets.load("mnist")


def test_a_split_is_float64_and_standardising_warns_about_nothing():
    ints = datasets.split(np.arange(40).reshape(20, 2), np.arange(20) % 2, 0.25, 0, False)
    assert ints[0].dtype == np.float64
    import warnings

    X = np.c_[np.arange(20.0), np.linspace(-1e300, 1e300, 20)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's overflow warnings would escape otherwise
        with pytest.raises(ValueError, match="feature column 1 "):
            datasets.split(X, np.arange(20) % 2, 0.25, 0, True)
