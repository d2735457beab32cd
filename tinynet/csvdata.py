"""Reading a dataset from a CSV file (format: data/README.md).

The file is read as text, the header checked, the label found and its task decided by
``csvlabels`` (never guessed silently), and every other column parsed as a number. Every
error is one line naming the file, the line or column, and the fix.
"""

from __future__ import annotations

import csv
from typing import NamedTuple

import numpy as np

from . import csvlabels
from .csvlabels import LABEL_NAMES, TASKS  # noqa: F401  (re-exported: the format's names)
from .files import check_path

NO_HEADER = "add a header row, or pass --no-header (header=False)"


class CSVData(NamedTuple):
    X: np.ndarray              # (n_samples, n_features) float64
    y: np.ndarray              # int class indices 0..K-1, or float targets (regression)
    task: str                  # "classification" or "regression"
    classes: list | None       # original label of each class index
    feature_names: list[str]
    label_name: str
    summary: str               # which column is the label, what task, and why (one line)


def read_csv(path, label: str | None = None, task: str | None = None,
             header: bool = True) -> CSVData:
    """Read a CSV file of numeric features and one label.

    Parameters
    ----------
    path : str or PathLike
    label : str, optional
        The label column's name (or the stem of one-hot columns ``NAME_a, NAME_b``).
        By default the one column named label, target, class or y (any case).
    task : {"classification", "regression"}, optional
        By default from the labels: text or integers are classes, mostly non-integers a
        regression; anything in between is refused.
    header : bool
        False: every row is data, columns are named x1..xn, the last one the label.
    """
    path = check_path(path)
    if label is not None and (not isinstance(label, str) or not label.strip()):
        raise TypeError(f"label must be a column name, got {label!r}")
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    if not isinstance(header, (bool, np.bool_)):
        raise TypeError(f"header must be True or False, got {header!r}")
    rows = _rows(path)
    names, body = _header(rows, bool(header), path)
    for line, row in body:
        if len(row) != len(names):
            raise ValueError(f"{path}, line {line}: expected {len(names)} values like the "
                             f"{'header' if header else 'first row'}, got {len(row)}")
    found = csvlabels.find_label(names, body, label and label.strip(), bool(header), path)
    features = [j for j in range(len(names)) if j not in found.columns]
    if not features:
        raise ValueError(f"{path}: every column is the label {found.name!r}; a feature "
                         f"column is needed too")
    X = np.empty((len(body), len(features)))
    for r, (line, row) in enumerate(body):
        for i, j in enumerate(features):
            X[r, i] = _number(row[j], path, line, names[j])
    if not np.isfinite(X).all():
        r, i = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(f"{path}, line {body[r][0]}: column {names[features[i]]!r} is not finite")
    if len(found.columns) > 1:
        labels = csvlabels.decode_one_hot(found, names, body, task, path)
    else:
        j = found.columns[0]
        labels = csvlabels.encode([(line, row[j].strip()) for line, row in body], found.name,
                                  task, path)
    summary = f"label {found.name!r} ({found.why}): {labels.why}"
    return CSVData(X, labels.y, labels.task, labels.classes, [names[j] for j in features],
                   found.name, summary)


def _rows(path) -> list[tuple[int, list[str]]]:
    """``(line number, cells)`` of every non-blank row."""
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
    return rows


def _header(rows: list, header: bool, path) -> tuple[list[str], list]:
    """Column names and data rows; a header that is data, or names that are empty or
    repeated, are refused (the label is found by name)."""
    first = [cell.strip() for cell in rows[0][1]]
    if header:
        names, body = first, rows[1:]
        if all(_is_number(n) for n in names):
            raise ValueError(f"{path}, line {rows[0][0]}: the first row looks like data, not a "
                             f"header ({', '.join(names[:4])}{', ...' * (len(names) > 4)}): "
                             f"{NO_HEADER}")
    else:
        names, body = [f"x{j + 1}" for j in range(len(first))], rows
    if len(names) < 2:
        raise ValueError(f"{path}: needs at least one feature column and a label column, "
                         f"found {len(names)} column(s) {names}")
    for j, name in enumerate(names):
        if not name:
            raise ValueError(f"{path}, line {rows[0][0]}: column {j + 1} has no name in the "
                             f"header")
        if name in names[:j]:
            raise ValueError(f"{path}, line {rows[0][0]}: two columns are named {name!r} "
                             f"(columns {names.index(name) + 1} and {j + 1})")
    if not body:
        raise ValueError(f"{path} has a header but no data rows")
    return names, body


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(text: str, path, line: int, column: str) -> float:
    text = text.strip()
    if text == "":
        raise ValueError(f"{path}, line {line}: column {column!r} is empty (missing values "
                         f"are not supported)")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{path}, line {line}: column {column!r} holds {text!r}, which is not "
                         f"a number (features must be numeric; is this the label? "
                         f"{csvlabels.CHOOSE})") from None
