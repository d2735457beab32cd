"""Reading a dataset from a CSV file (format: data/README.md)."""

from __future__ import annotations

import csv
from typing import NamedTuple

import numpy as np

from .files import check_path

LABEL_NAMES = ("label", "target")


class CSVData(NamedTuple):
    X: np.ndarray              # (n_samples, n_features) float64
    y: np.ndarray              # int class indices 0..K-1, or float targets (regression)
    task: str                  # "classification" or "regression"
    classes: list | None       # original label of each class index
    feature_names: list[str]
    label_name: str


def read_csv(path) -> CSVData:
    """Read a CSV with a header row; every error names the file, the line and the column."""
    path = check_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"CSV file not found: {path}")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = [(n, row) for n, row in enumerate(csv.reader(f), start=1) if any(row)]
    except (UnicodeDecodeError, csv.Error) as err:
        raise ValueError(f"{path} is not a readable CSV text file: {err}") from err
    if not rows:
        raise ValueError(f"{path} is empty: expected a header row and data rows")
    header = [h.strip() for h in rows[0][1]]
    if len(header) < 2:
        raise ValueError(f"{path}: needs at least one feature column and a label column, "
                         f"found {len(header)} column(s) {header}")
    lower = [h.lower() for h in header]
    label_col = next((lower.index(n) for n in LABEL_NAMES if n in lower), len(header) - 1)
    body = rows[1:]
    if not body:
        raise ValueError(f"{path} has a header but no data rows")
    features = [i for i in range(len(header)) if i != label_col]
    X = np.empty((len(body), len(features)))
    labels = []
    for r, (line, row) in enumerate(body):
        if len(row) != len(header):
            raise ValueError(f"{path}, line {line}: expected {len(header)} values like the "
                             f"header, got {len(row)}")
        for j, col in enumerate(features):
            X[r, j] = _number(row[col], path, line, header[col])
        labels.append(row[label_col].strip())
    if not np.isfinite(X).all():
        r, j = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(f"{path}, line {body[r][0]}: column {header[features[j]]!r} is not finite")
    y, task, classes = _encode_labels(labels, path, header[label_col])
    return CSVData(X, y, task, classes, [header[i] for i in features], header[label_col])


def _number(text: str, path, line: int, column: str) -> float:
    text = text.strip()
    if text == "":
        raise ValueError(f"{path}, line {line}: column {column!r} is empty (missing values "
                         f"are not supported)")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{path}, line {line}: column {column!r} holds {text!r}, which is not "
                         f"a number (features must be numeric; the label column is "
                         f"'label', 'target' or the last one)") from None


def _encode_labels(labels: list[str], path, name: str) -> tuple:
    if any(v == "" for v in labels):
        raise ValueError(f"{path}: the label column {name!r} has empty values")
    try:
        values = np.array([float(v) for v in labels])
    except ValueError:  # text labels: classes in sorted order
        classes = sorted(set(labels))
        index = {c: i for i, c in enumerate(classes)}
        return np.array([index[v] for v in labels], dtype=np.intp), "classification", classes
    if np.all(values == np.round(values)):  # integer labels: classes, mapped to 0..K-1
        classes, y = np.unique(values.astype(np.int64), return_inverse=True)
        return y.astype(np.intp), "classification", [int(c) for c in classes]
    return values, "regression", None
