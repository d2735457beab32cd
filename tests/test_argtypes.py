"""The command line's argument types: the value each option's text becomes, and the message
a user reads when the text is wrong."""

import argparse

import pytest

from tinynet import argtypes


def rejects(parse, text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as err:
        parse(text)
    assert str(err.value) == message


def test_layer_widths():
    assert argtypes.int_list("128,64") == [128, 64]
    assert argtypes.int_list(" 3 , 1 ") == [3, 1] and argtypes.int_list("100000") == [100000]
    rejects(argtypes.int_list, "128;64",
            "expected comma-separated layer widths like 128,64, got '128;64'")
    rejects(argtypes.int_list, "8,0", "layer widths must be >= 1, got '8,0'")
    rejects(argtypes.int_list, "-1", "layer widths must be >= 1, got '-1'")
    rejects(argtypes.int_list, "100001",
            "layer widths above 100000 are not a small MLP, got '100001'")


def test_non_negative_whole_numbers():
    assert argtypes.non_negative_int("0") == 0 and argtypes.non_negative_int("7") == 7
    rejects(argtypes.non_negative_int, "1.5", "expected a whole number, got '1.5'")
    rejects(argtypes.non_negative_int, "-1", "must be >= 0, got '-1'")


def test_learning_rate_lists():
    assert argtypes.float_list("0.001,0.01") == [0.001, 0.01]
    assert argtypes.float_list("0.1,") == [0.1]  # a trailing comma is not a rate
    rejects(argtypes.float_list, "0.1,x",
            "expected comma-separated numbers like 0.001,0.01, got '0.1,x'")
    rejects(argtypes.float_list, ",", "learning rates must be > 0, got ','")
    rejects(argtypes.float_list, "0.1,0", "learning rates must be > 0, got '0.1,0'")
    rejects(argtypes.float_list, "nan", "learning rates must be > 0, got 'nan'")


def test_ports():
    assert argtypes.port("0") == 0 and argtypes.port("65535") == 65535
    rejects(argtypes.port, "65536", "a port is at most 65535, got '65536'")
    rejects(argtypes.port, "-1", "must be >= 0, got '-1'")


def test_positive_numbers_of_a_kind():
    assert argtypes.positive(int)("3") == 3 and type(argtypes.positive(int)("3")) is int
    assert argtypes.positive(float)("1e-3") == 0.001
    rejects(argtypes.positive(int), "2.5", "expected a number, got '2.5'")
    rejects(argtypes.positive(int), "0", "must be > 0, got '0'")
    rejects(argtypes.positive(float), "-0.1", "must be > 0, got '-0.1'")
    rejects(argtypes.positive(float), "nan", "must be > 0, got 'nan'")


def test_bounded_counts():
    steps = argtypes.bounded(10)
    assert steps("1") == 1 and steps("10") == 10
    rejects(steps, "11", "must be <= 10, got '11'")
    rejects(steps, "0", "must be > 0, got '0'")
    rejects(steps, "x", "expected a number, got 'x'")


def test_name_value_pairs_read_booleans_whole_numbers_then_floats():
    assert argtypes.key_value("amsgrad=true") == ("amsgrad", True)
    assert argtypes.key_value("amsgrad=False") == ("amsgrad", False)
    assert argtypes.key_value("rho=0.9") == ("rho", 0.9)
    n = argtypes.key_value("n=3")
    assert n == ("n", 3) and type(n[1]) is int
    assert argtypes.key_value("eps=1e-8") == ("eps", 1e-8)
    rejects(argtypes.key_value, "rho", "expected NAME=VALUE, got 'rho'")
    rejects(argtypes.key_value, "2rho=1", "expected NAME=VALUE, got '2rho=1'")
    rejects(argtypes.key_value, "rho=high", "rho: expected a number or true/false, got 'high'")
    rejects(argtypes.key_value, "lr=1=2", "lr: expected a number or true/false, got '1=2'")


def test_a_fraction_lies_strictly_between_0_and_1():
    assert argtypes.fraction("0.2") == 0.2 and argtypes.fraction("1e-3") == 0.001
    assert argtypes.fraction(" 0.999 ") == 0.999
    rejects(argtypes.fraction, "abc", "expected a fraction like 0.2, got 'abc'")
    for text in ("0", "1", "-0.1", "1.5", "nan", "inf"):
        rejects(argtypes.fraction, text, f"must be between 0 and 1 (exclusive), got {text!r}")
