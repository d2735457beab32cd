"""Which column of a CSV file is the label, and what task its values mean.

Nothing here is a silent guess (format: data/README.md):

- the label is the column the user names (``label=`` / ``--label``), else the one column
  named ``label``, ``target``, ``class`` or ``y`` (any case), else the file is refused;
- one-hot label columns (``label_0, label_1, ...``: 0/1 columns named like the label) are
  decoded to class ids, never kept as features;
- text labels and integer labels are classes; labels that are mostly not integers are a
  regression target; integers with a few stray non-integers are refused with the line of
  the first, unless the task is given (``task=`` / ``--task``).
"""

from __future__ import annotations

import difflib
import re
from typing import NamedTuple

import numpy as np

LABEL_NAMES = ("label", "target", "class", "y")
TASKS = ("classification", "regression")
CHOOSE = "choose it with --label NAME on the command line, label=\"NAME\" in Python"
INTEGER = re.compile(r"[+-]?\d+")


class Label(NamedTuple):
    name: str            # the column's name, or the one-hot group's stem
    columns: list[int]   # one column, or the one-hot group in class order
    why: str             # how it was chosen, said to the user


class Labels(NamedTuple):
    y: np.ndarray        # class ids 0..K-1 (intp) or targets (float64)
    task: str
    classes: list | None
    why: str             # what the values mean and why, said to the user


def find_label(names: list[str], body: list, label: str | None, header: bool,
               path) -> Label:
    """The label column (or one-hot group) of a file with columns ``names`` and rows
    ``body`` (``(line, cells)`` pairs)."""
    stems = [*LABEL_NAMES, *([label] if label is not None else [])]
    groups = {s.lower(): g for s in stems if (g := one_hot_group(names, body, s))}
    if label is not None:
        col, stem = _column(names, label), label.lower()
        if col is None and stem not in groups:
            close = difflib.get_close_matches(label, names)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"{path}: no column named {label!r}{hint} (columns: "
                             f"{', '.join(names)})")
        others = [g for s, g in groups.items() if s != stem or col is not None]
        if others:  # 0/1 columns named like a label, beside the label: they hold the answer
            raise ValueError(f"{path}: columns {_list(names, others[0])} look like one-hot "
                             f"labels; beside the label {label!r} they would be features "
                             f"that give the answer away: remove them from the file")
        if col is not None:
            return Label(names[col], [col], "chosen")
        return _one_hot_label(names, groups[stem], stem, "chosen; ")
    if not header:
        return Label(names[-1], [len(names) - 1], "the last column: the file has no header")
    found = [Label(n, [j], "its name") for j, n in enumerate(names) if n.lower() in LABEL_NAMES]
    found += [_one_hot_label(names, g, stem) for stem, g in sorted(groups.items())]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValueError(f"{path}: which column is the label? None is named label, target, "
                         f"class or y (columns: {', '.join(names)}); {CHOOSE}")
    raise ValueError(f"{path}: {' and '.join(repr(f.name) for f in found)} could each be the "
                     f"label; {CHOOSE}")


def _one_hot_label(names: list[str], group: list[int], stem: str, why: str = "") -> Label:
    """The label held in one-hot columns: named like them (as the file spells it)."""
    return Label(names[group[0]][:len(stem)], _class_order(names, group, stem),
                 f"{why}one-hot columns {_list(names, group)}")


def _column(names: list[str], label: str) -> int | None:
    """The column named ``label``: exactly, else the only one equal ignoring case."""
    if label in names:
        return names.index(label)
    matches = [j for j, n in enumerate(names) if n.lower() == label.lower()]
    return matches[0] if len(matches) == 1 else None


def _list(names: list[str], columns: list[int]) -> str:
    return ", ".join(names[j] for j in columns)


def one_hot_group(names: list[str], body: list, stem: str) -> list[int]:
    """Columns named ``<stem>_<something>`` (two or more) that hold only 0 and 1."""
    prefix = stem.lower() + "_"
    group = [j for j, n in enumerate(names)
             if n.lower().startswith(prefix) and len(n) > len(prefix)]
    if len(group) < 2:
        return []
    for _, row in body:
        if any(_float(row[j]) not in (0.0, 1.0) for j in group):
            return []
    return group


def _class_order(names: list[str], group: list[int], stem: str) -> list[int]:
    """The group's columns in class order: their suffixes sorted (as integers if all are)."""
    suffixes = [names[j][len(stem) + 1:] for j in group]
    key = int if all(INTEGER.fullmatch(s) for s in suffixes) else str
    return [j for _, j in sorted(zip(map(key, suffixes), group))]


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def decode_one_hot(label: Label, names: list[str], body: list, task: str | None,
                   path) -> Labels:
    """Class ids from one-hot columns: exactly one 1 per row."""
    if task == "regression":
        raise ValueError(f"{path}: the label {label.name!r} is one-hot columns "
                         f"({_list(names, label.columns)}), so it is classes, not a "
                         f"regression target")
    ones = np.array([[_float(row[j]) == 1.0 for j in label.columns] for _, row in body])
    count = ones.sum(axis=1)
    bad = np.flatnonzero(count != 1)
    if bad.size:
        line, k = body[bad[0]][0], int(count[bad[0]])
        raise ValueError(f"{path}, line {line}: the one-hot label columns "
                         f"{_list(names, label.columns)} hold {k} ones; one-hot labels have "
                         f"exactly one 1 per row (one class per sample)")
    suffixes = [names[j][len(label.name) + 1:] for j in label.columns]
    classes = [int(s) for s in suffixes] if all(INTEGER.fullmatch(s) for s in suffixes) \
        else suffixes
    return Labels(ones.argmax(axis=1).astype(np.intp), "classification", classes,
                  f"{_classes(classes)} (one-hot)")


def _classes(classes: list) -> str:
    shown = ", ".join(map(str, classes)) if len(classes) <= 5 else ""
    return f"{len(classes)} classes" + (f": {shown}" if shown else "")


def encode(values: list[tuple[int, str]], name: str, task: str | None, path) -> Labels:
    """Class ids or regression targets from one label column's ``(line, text)`` values."""
    for line, v in values:
        if v == "":
            raise ValueError(f"{path}, line {line}: the label column {name!r} is empty")
    numbers = [_float(v) for _, v in values]
    text = [i for i, x in enumerate(numbers) if x is None]
    if text:
        return _text_classes(values, numbers, text, name, task, path)
    bad = [i for i, x in enumerate(numbers) if not np.isfinite(x)]
    if bad:
        line, v = values[bad[0]]
        raise ValueError(f"{path}, line {line}: label {v!r} in column {name!r} is not a finite "
                         f"number")
    if task == "regression":
        return Labels(np.array(numbers), "regression", None, "regression (--task/task= given)")
    whole = [_integer(v, x) for (_, v), x in zip(values, numbers)]
    odd = [i for i, w in enumerate(whole) if w is None]
    if not odd:  # integers, exactly: classes
        classes = sorted(set(whole))
        index = {c: i for i, c in enumerate(classes)}
        return Labels(np.array([index[w] for w in whole], dtype=np.intp), "classification",
                      classes, f"{_classes(classes)} (integer values; --task regression if "
                      f"they are quantities)")
    if task == "classification":
        classes, y = np.unique(numbers, return_inverse=True)
        return Labels(y.astype(np.intp), "classification", classes.tolist(),
                      f"{_classes(classes.tolist())} (--task/task= given)")
    line, v = values[odd[0]]
    if 2 * len(odd) >= len(values):
        return Labels(np.array(numbers), "regression", None,
                      f"regression (non-integer values, e.g. {v} on line {line})")
    raise ValueError(f"{path}, line {line}: label {v} in column {name!r} is not an integer, "
                     f"unlike {len(values) - len(odd)} of the {len(values)} labels: fix it, or "
                     f"give the task: --task regression (task='regression') if the label is a "
                     f"quantity, --task classification if each value is a class")


def _integer(text: str, value: float) -> int | None:
    """The label as an exact integer, or None (a fraction, or a float too big to be sure)."""
    if INTEGER.fullmatch(text):
        return int(text)  # exactly, even beyond 2**53
    if value == round(value) and abs(value) < 2**53:
        return int(value)
    return None


def _text_classes(values: list, numbers: list, text: list[int], name: str,
                  task: str | None, path) -> Labels:
    line, v = values[text[0]]
    if task == "regression":
        raise ValueError(f"{path}, line {line}: label {v!r} in column {name!r} is not a "
                         f"number; a regression target must be numeric")
    if task is None and len(text) < len(values):  # a stray text among numbers
        i = next(i for i, x in enumerate(numbers) if x is not None)
        raise ValueError(f"{path}, line {line}: label {v!r} in column {name!r} is text, but "
                         f"other labels are numbers (e.g. {values[i][1]} on line "
                         f"{values[i][0]}): fix it, or pass --task classification "
                         f"(task='classification') to read every label as a class name")
    texts = [v for _, v in values]
    classes = sorted(set(texts))
    index = {c: i for i, c in enumerate(classes)}
    return Labels(np.array([index[t] for t in texts], dtype=np.intp), "classification",
                  classes, f"{_classes(classes)} (text values)")
