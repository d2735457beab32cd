"""CSV datasets: the shipped files, label rules, and clear errors."""

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
    d = read_csv(write(tmp_path, "a,b,price\n1,2,3.5\n3,4,1.25\n\n5,6,2.0\n"))
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
