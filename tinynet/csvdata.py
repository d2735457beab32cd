"""Reading a dataset from a CSV file (format: data/README.md)."""

from __future__ import annotations

import csv
import re
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
    if not path.exists():
        raise FileNotFoundError(f"CSV file not found: {path}")
    if not path.is_file():  # a folder, a FIFO (reading it could block forever), a device
        raise ValueError(f"{path} is not a regular file")
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark, which would
        # otherwise become part of the first column's name
        with open(path, newline="", encoding="utf-8-sig") as f:
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
        labels.append((line, row[label_col].strip()))
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


INTEGER = re.compile(r"[+-]?\d+")


def _encode_labels(labels: list[tuple[int, str]], path, name: str) -> tuple:
    """Class indices 0..K-1 (text or integer labels) or float targets; every bad label is
    reported with its line."""
    for line, v in labels:
        if v == "":
            raise ValueError(f"{path}, line {line}: the label column {name!r} is empty")
    texts = [v for _, v in labels]
    if all(INTEGER.fullmatch(v) for v in texts):  # integer classes, exactly (no float cast)
        classes = sorted({int(v) for v in texts})
        index = {c: i for i, c in enumerate(classes)}
        return (np.array([index[int(v)] for v in texts], dtype=np.intp), "classification",
                classes)
    try:
        values = np.array([float(v) for v in texts])
    except ValueError:  # text labels: classes in sorted order
        classes = sorted(set(texts))
        index = {c: i for i, c in enumerate(classes)}
        return np.array([index[v] for v in texts], dtype=np.intp), "classification", classes
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        line, v = labels[bad[0]]
        raise ValueError(f"{path}, line {line}: label {v!r} in column {name!r} is not a finite "
                         f"number")
    if np.all(values == np.round(values)) and np.all(np.abs(values) < 2**53):
        classes, y = np.unique(values, return_inverse=True)  # 1.0, 2.0: classes 1 and 2
        return y.astype(np.intp), "classification", [int(c) for c in classes]
    return values, "regression", None
