"""CSV datasets: the shipped files, label rules, and clear errors."""

import re
from pathlib import Path

import numpy as np
import pytest

import tinynet as tn
from tinynet.cli import main
from tinynet.csvdata import read_csv

DATA = Path(__file__).resolve().parents[1] / "data"


def test_shipped_wine_csv_matches_scikit_learn():
    from sklearn.datasets import load_wine

    data = read_csv(DATA / "wine.csv")
    wine = load_wine()
    assert data.task == "classification" and data.label_name == "target"
    assert data.classes == ["class_0", "class_1", "class_2"]
    np.testing.assert_allclose(data.X, wine.data, rtol=1e-6)
    assert np.array_equal(data.y, wine.target)


def test_shipped_moons_csv_trains(capsys):
    split = tn.datasets.load(str(DATA / "moons.csv"), seed=0)
    assert split.classes == [0, 1] and split[0].shape == (400, 2)
    assert main(["train", "--data", str(DATA / "moons.csv"), "--epochs", "40", "--hidden",
                 "32,32", "--lr", "0.01", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert float(out.split("test accuracy:")[1].split()[0]) >= 0.9


def write(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_label_rules(tmp_path):
    d = read_csv(write(tmp_path, "label,a,b\ncat,1,2\ndog,3,4\ncat,5,6\n"))
    assert d.label_name == "label" and d.feature_names == ["a", "b"]
    assert d.classes == ["cat", "dog"] and list(d.y) == [0, 1, 0]
    d = read_csv(write(tmp_path, "a,TARGET,b\n1,7,2\n3,3,4\n5,5,6\n"))
    assert d.label_name == "TARGET" and d.classes == [3, 5, 7] and list(d.y) == [2, 0, 1]
    d = read_csv(write(tmp_path, "a,b,price\n1,2,3.5\n3,4,1.25\n\n5,6,2.0\n"), label="price")
    assert d.task == "regression" and d.classes is None and list(d.y) == [3.5, 1.25, 2.0]
    np.testing.assert_array_equal(d.X, [[1, 2], [3, 4], [5, 6]])


@pytest.mark.parametrize("text, fragment", [
    ("only\n1\n2\n", "needs at least one feature column and a label column"),
    ("a,b,label\n1,x,0\n", r"line 2: column 'b' holds 'x', which is not a number"),
    ("a,b,label\n1,,0\n", "line 2: column 'b' is empty"),
    ("a,b,label\n1,2,0\n3,4\n", "line 3: expected 3 values like the header, got 2"),
    ("a,b,label\n", "has a header but no data rows"),
    ("", "is empty"),
    ("a,label\n1,\n", "line 2: the label column 'label' is empty"),
    ("a,label\ninf,1\n", "column 'a' is not finite"),
])
def test_bad_csv_files(tmp_path, text, fragment):
    with pytest.raises(ValueError, match=fragment):
        read_csv(write(tmp_path, text))


def test_missing_csv_and_cli_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="CSV file not found"):
        tn.datasets.load(str(tmp_path / "nope.csv"))
    path = write(tmp_path, "a,b,label\n1,x,0\n")
    assert main(["train", "--data", str(path), "--no-progress"]) == 2


def test_cli_regression_on_diabetes(capsys):
    assert main(["train", "--dataset", "diabetes", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "regression" in out and "MLP 10-16-1" in out
    assert float(out.split("train R²:")[1].split()[0]) > 0.4
    assert float(out.split("test R²:")[1].split()[0]) > 0.2


def test_excels_byte_order_mark_is_not_part_of_the_first_name(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffwidth,label\n1,a\n2,b\n".encode("utf-8"))
    assert read_csv(path).feature_names == ["width"]


def test_a_quoted_label_keeps_its_line_break_as_written(tmp_path):
    # csv needs newline="" to see a quoted "\r\n" as part of the value, not as a line end
    path = tmp_path / "quoted.csv"
    path.write_bytes(b'x,label\r\n1,"two\r\nlines"\r\n2,one\r\n')
    d = read_csv(path)
    assert d.classes == ["one", "two\r\nlines"] and list(d.y) == [1, 0]


@pytest.mark.parametrize("text, classes, y", [
    ("x,label\n1,b\n2,a\n3,b\n", ["a", "b"], [1, 0, 1]),       # text
    ("x,label\n1,7\n2,-3\n3,7\n", [-3, 7], [1, 0, 1]),          # integers
    ("x,label\n1,3.0\n2,1.0\n3,3.0\n", [1, 3], [1, 0, 1]),      # whole floats
    ("x,label\n1,200.0\n2,100.0\n", [100, 200], [1, 0]),
    ("x,label\n1,9007199254740991.0\n2,0.0\n", [0, 2**53 - 1], [1, 0]),
])
def test_class_labels_become_indices_in_sorted_order(tmp_path, text, classes, y):
    d = read_csv(write(tmp_path, text))
    assert d.task == "classification" and d.classes == classes and d.y.tolist() == y
    assert d.y.dtype == np.intp and all(type(c) is type(classes[0]) for c in d.classes)


@pytest.mark.parametrize("labels", ["1.5,2.5", "9007199254740992.0,0.0", "1e300,0"])
def test_fractional_or_huge_labels_are_regression_targets(tmp_path, labels):
    # from 2**53 up, floats skip whole numbers: no longer certain to be class labels
    a, b = labels.split(",")
    d = read_csv(write(tmp_path, f"x,target\n1,{a}\n2,{b}\n"))
    assert d.task == "regression" and d.classes is None
    assert d.y.tolist() == [float(a), float(b)] and d.y.dtype == np.float64


def test_every_error_names_the_file(tmp_path):
    for text in ("a,label\nx,1\n", "a,label\n1,nan\n2,1.5\n"):
        path = write(tmp_path, text)
        with pytest.raises(ValueError, match=f"^{re.escape(str(path))}, line 2: "):
            read_csv(path)
