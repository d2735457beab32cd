"""The checks every public boundary shares, message by message and bound by bound."""

import re

import numpy as np
import pytest

from tinynet.validation import (
    as_numeric_array,
    check_choice,
    check_dtype,
    check_features,
    check_finite,
    check_number,
    check_same_length,
)


def fails(error, message, fn, *args, **kwargs):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        fn(*args, **kwargs)


def test_numbers_are_returned_as_float_or_int():
    assert check_number("lr", 1) == 1.0 and type(check_number("lr", 1)) is float
    assert type(check_number("n", np.int64(3), integer=True)) is int
    assert check_number("x", np.float32(0.5)) == 0.5


def test_booleans_and_non_numbers_are_type_errors():
    fails(TypeError, "lr must be a number, got True (bool)", check_number, "lr", True)
    with pytest.raises(TypeError, match=r"^lr must be a number, got (np\.)?True_? \(bool_?\)$"):
        check_number("lr", np.True_)  # numpy 1 and 2 spell it differently
    fails(TypeError, "lr must be a number, got '0.1' (str)", check_number, "lr", "0.1")
    fails(TypeError, "n must be an integer, got 2.0 (float)", check_number, "n", 2.0,
          integer=True)


def test_non_finite_floats_are_value_errors():
    fails(ValueError, "lr must be finite, got nan", check_number, "lr", float("nan"))
    fails(ValueError, "lr must be finite, got inf", check_number, "lr", np.inf, low=0.0)


@pytest.mark.parametrize("kwargs, value, message", [
    ({"low": 0.0}, -1e-9, "x must be >= 0.0, got -1e-09"),
    ({"low": 0.0, "low_open": True}, 0.0, "x must be > 0.0, got 0.0"),
    ({"high": 1.0}, 1.5, "x must be <= 1.0, got 1.5"),
    ({"high": 1.0, "high_open": True}, 1.0, "x must be < 1.0, got 1.0"),
    ({"low": 1, "integer": True}, 0, "x must be >= 1, got 0"),
    ({"high": 3, "integer": True}, 4, "x must be <= 3, got 4"),
])
def test_bounds_open_and_closed(kwargs, value, message):
    fails(ValueError, message, check_number, "x", value, **kwargs)


@pytest.mark.parametrize("kwargs, value", [
    ({"low": 0.0}, 0.0), ({"high": 1.0}, 1.0), ({"low": 0.0, "low_open": True}, 1e-300),
    ({"high": 1.0, "high_open": True}, 0.9999), ({"low": 1, "high": 1, "integer": True}, 1),
])
def test_values_on_a_closed_bound_or_just_inside_an_open_one_pass(kwargs, value):
    assert check_number("x", value, **kwargs) == value


def test_dtypes_are_float32_or_float64():
    assert check_dtype("float32") == np.float32 and check_dtype(float) == np.float64
    assert check_dtype(np.dtype(np.float64)) == np.float64
    fails(TypeError, "dtype must be float32 or float64, got int32", check_dtype, "int32")
    fails(TypeError, "dtype must be float32 or float64, got 'nonsense'", check_dtype,
          "nonsense")


def test_a_choice_lists_the_options_sorted():
    assert check_choice("activation", "relu", ("tanh", "relu")) == "relu"
    fails(ValueError, "activation must be one of ['relu', 'tanh'], got 'gelu'", check_choice,
          "activation", "gelu", ("tanh", "relu"))
    fails(ValueError, "activation must be one of ['relu'], got 1", check_choice,
          "activation", 1, {"relu": None})


def test_features_are_2d_of_the_models_dtype_with_the_right_width():
    X = np.ones((3, 2))
    assert check_features(X, 2, np.float64) is X  # already right: no copy
    assert check_features([1, 2, 3], 1, np.float64).shape == (3, 1)  # one feature: a column
    as32 = check_features(X, 2, np.float32)
    assert as32.dtype == np.float32 and X.dtype == np.float64
    assert check_features(np.ones((2, 2), dtype=int), 2, np.float64).dtype == np.float64
    fails(ValueError, "X must be 2-D (n_samples, n_features), got an array of shape (3,)",
          check_features, [1, 2, 3], 2, np.float64)
    fails(ValueError, "X must be 2-D (n_samples, n_features), got an array of shape (1, 1, 2)",
          check_features, [[[1, 2]]], 2, np.float64)
    fails(ValueError, "X is empty: got 0 samples", check_features, np.ones((0, 2)), 2,
          np.float64)
    fails(ValueError, "X_val: expected 64 features, got 10", check_features, np.ones((2, 10)),
          64, np.float64, name="X_val")
    fails(ValueError, "X contains 1 NaN or infinite value(s), the first at index (1, 0)",
          check_features, np.array([[1.0, 2.0], [np.nan, 1.0]]), 2, np.float64)
    fails(ValueError, "X contains 2 NaN or infinite value(s), the first at index (0, 1)",
          check_features, np.array([[1.0, np.inf], [np.nan, 1.0]], dtype=np.float32), 2,
          np.float32)


def test_values_beyond_float32_are_an_error_for_a_float32_model():
    big = np.array([[1e39, 1.0]])
    fails(ValueError, "X holds values up to 1e+39, beyond float32's range (3.4e+38): rescale "
          "it, or use a float64 model", check_features, big, 2, np.float32)
    assert check_features(big, 2, np.float64)[0, 0] == 1e39
    limit = float(np.finfo(np.float32).max)
    assert check_features(np.array([[limit, 1.0]]), 2, np.float32)[0, 0] == np.float32(limit)
    assert check_features(np.array([[2**62, 1]]), 2, np.float32).dtype == np.float32


def test_arrays_must_be_real_numbers_in_a_rectangle():
    fails(TypeError, "y must be an array, got None", as_numeric_array, None, "y")
    with pytest.raises(ValueError, match="^y must be a rectangular numeric array: "):
        as_numeric_array([[1, 2], [3]], "y")
    flags = as_numeric_array([True, False], "y")
    assert flags.dtype == np.float64 and flags.tolist() == [1.0, 0.0]
    fails(TypeError, "y must be numeric, got an array of dtype <U1", as_numeric_array,
          ["a"], "y")
    fails(TypeError, "y must be real, got an array of dtype complex128", as_numeric_array,
          [1j], "y")
    ints = np.array([1, 2])
    assert as_numeric_array(ints, "y") is ints


def test_finite_checks_only_floats_and_lengths_must_agree():
    check_finite(np.array([1, 2]), "y")  # integers cannot be NaN
    fails(ValueError, "y contains 1 NaN or infinite value(s), the first at index (2,)",
          check_finite, np.array([0.0, 1.0, -np.inf]), "y")
    check_same_length(np.ones(3), np.ones(3))
    fails(ValueError, "X and y have different lengths: 3 samples and 2 targets",
          check_same_length, np.ones(3), np.ones(2))
    fails(ValueError, "X_val and y_val have different lengths: 1 samples and 2 targets",
          check_same_length, np.ones(1), np.ones(2), names="X_val and y_val")
