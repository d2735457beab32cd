"""Datasets from scikit-learn or CSV files, split and scaled, ready to train on.

scikit-learn is imported inside the functions: ``import tinynet`` stays fast.

CSV format (see data/README.md): a header row, then one sample per row; the label is the
column named ``label``, ``target``, ``class`` or ``y``, or the one chosen with ``label=``;
every other column is a numeric feature. Text and integer labels become 0..K-1 in sorted
order (the names are kept in ``classes``); mostly non-integer labels mean regression;
anything unclear is refused with its line (csvlabels.py).
"""

from __future__ import annotations

import numpy as np

from .validation import check_number

# name -> (what it is, task)
DATASETS = {
    "digits": ("8x8 images of handwritten digits, 1797 samples, 64 features, 10 classes",
               "classification"),
    "moons": ("two interleaving half circles, 1000 samples, 2 features, noise 0.2",
              "classification"),
    "circles": ("a circle inside a circle, 1000 samples, 2 features, noise 0.1",
                "classification"),
    "iris": ("iris flowers, 150 samples, 4 features, 3 classes", "classification"),
    "wine": ("wine cultivars, 178 samples, 13 features, 3 classes", "classification"),
    "breast_cancer": ("breast cancer diagnosis, 569 samples, 30 features, 2 classes",
                      "classification"),
    "blobs": ("three Gaussian blobs, 1000 samples, 2 features", "classification"),
    "diabetes": ("diabetes progression after one year, 442 samples, 10 features", "regression"),
}


class Split(tuple):
    """``(X_train, X_test, y_train, y_test)``, which also says what the data is.

    Attributes
    ----------
    task : "classification" or "regression"
    classes : list or None
        Original label of each class index (from a CSV), else None.
    feature_names : list of str or None
    label_summary : str or None
        From a CSV: which column is the label, the task, and why, in one line.
    y_mean, y_std : float
        For regression with ``scale=True``: the targets were standardised with these
        (fitted on the training split); ``y * y_std + y_mean`` gives original units.
    """

    task = "classification"
    classes = None
    feature_names = None
    label_summary = None
    y_mean, y_std = 0.0, 1.0


def is_path(name) -> bool:
    """A dataset argument names a CSV file when it ends in .csv or contains a slash."""
    import os

    return isinstance(name, os.PathLike) or (
        isinstance(name, str) and (name.lower().endswith(".csv") or "/" in name))


def available() -> list[str]:
    """Names that ``load`` accepts."""
    return sorted(DATASETS)


def raw(name: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The whole dataset ``(X, y)``, unsplit and unscaled."""
    import sklearn.datasets as skd

    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(available())}")
    if name == "moons":
        return skd.make_moons(n_samples=1000, noise=0.2, random_state=seed)
    if name == "circles":
        return skd.make_circles(n_samples=1000, noise=0.1, factor=0.5, random_state=seed)
    if name == "blobs":
        return skd.make_blobs(n_samples=1000, centers=3, random_state=seed)
    loader = getattr(skd, f"load_{name}")
    return loader(return_X_y=True)


def load(name, test_size: float = 0.2, seed: int = 0, scale: bool = True, *,
         label: str | None = None, task: str | None = None, header: bool = True) -> Split:
    """``X_train, X_test, y_train, y_test`` for a named dataset or a CSV file path.

    The split is stratified by class (scikit-learn's ``train_test_split``); with
    ``scale=True`` a ``StandardScaler`` is fitted on the training split only and applied
    to both, so no test information leaks into training (for regression the target is
    standardised the same way). The result also carries ``task`` and ``classes``.
    ``label``, ``task`` and ``header`` are for CSV files (``csvdata.read_csv``).
    """
    test_size = check_number("test_size", test_size, low=0.0, high=1.0,
                             low_open=True, high_open=True)
    seed = check_number("seed", seed, low=0, integer=True)
    if not isinstance(scale, (bool, np.bool_)):
        raise TypeError(f"scale must be True or False, got {scale!r}")
    if is_path(name):
        from .csvdata import read_csv

        data = read_csv(name, label=label, task=task, header=header)
        X, y, task = data.X, data.y, data.task
        extra = {"classes": data.classes, "feature_names": data.feature_names}
        result = split(X, y, test_size, seed, scale, task, **extra)
        result.label_summary = data.summary
        return result
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(available())}"
                         " (or a path to a .csv file)")
    given = [k for k, v in (("label", label), ("task", task)) if v is not None]
    if given or header is not True:
        option = given[0] if given else "header"
        raise ValueError(f"{option}= (--{option.replace('header', 'no-header')}) is for CSV "
                         f"files; {name!r} is a built-in dataset ({DATASETS[name][1]})")
    X, y = raw(name, seed)
    return split(X, y, test_size, seed, scale, DATASETS[name][1])


def split(X, y, test_size: float, seed: int, scale: bool, task: str = "classification",
          classes=None, feature_names=None) -> Split:
    """Split into train and test (stratified for classes) and optionally standardise."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X = np.asarray(X, dtype=np.float64)
    names = list(feature_names) if feature_names is not None else None
    if task == "classification":
        counts = np.bincount(y)
        lonely = np.flatnonzero(counts == 1)
        if lonely.size:  # it would sit in one split only: found out after training
            label = classes[lonely[0]] if classes is not None else int(lonely[0])
            quantity = (" (if the labels are quantities, not classes: task='regression', "
                        "--task regression)") if classes and isinstance(classes[0], int) else ""
            raise ValueError(f"class {label!r} has a single sample; a train/test split needs "
                             f"at least 2 of each class (drop it, or add samples){quantity}")
    stratify = y if task == "classification" else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=stratify)
    y_mean, y_std = 0.0, 1.0
    if scale:
        with np.errstate(over="ignore", invalid="ignore"):
            scaler = StandardScaler().fit(X_train)
            X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        # a variance that overflows (inf, nan) can leave a column unscaled, or all nan
        finite = (np.isfinite(X_train).all(axis=0) & np.isfinite(X_test).all(axis=0)
                  & np.isfinite(scaler.var_) & np.isfinite(scaler.mean_))
        broken = np.flatnonzero(~finite)
        if broken.size:
            j = int(broken[0])
            column = repr(names[j]) if names else str(j)
            raise ValueError(f"feature column {column} (largest |value| "
                             f"{np.abs(X[:, j]).max():.3g}) overflows when standardised: "
                             f"rescale it, or pass scale=False")
        if task == "regression":
            y_mean, y_std = float(np.mean(y_train)), float(np.std(y_train)) or 1.0
            y_train, y_test = (y_train - y_mean) / y_std, (y_test - y_mean) / y_std
    result = Split((X_train, X_test, y_train, y_test))
    result.task, result.classes, result.feature_names = task, classes, feature_names
    result.y_mean, result.y_std = y_mean, y_std
    return result


def validation_split(X, y, fraction: float, seed: int = 0,
                     task: str = "classification") -> tuple:
    """Carve ``fraction`` of a training set off for validation (stratified for classes,
    seeded): ``X_train, X_val, y_train, y_val``. Test data stays untouched."""
    from sklearn.model_selection import train_test_split

    fraction = check_number("validation fraction", fraction, low=0.0, high=1.0,
                            low_open=True, high_open=True)
    stratify = y if task == "classification" else None
    try:
        return train_test_split(X, y, test_size=fraction, random_state=seed, stratify=stratify)
    except ValueError as err:  # too few samples for a class, or for every class to appear
        raise ValueError(f"cannot carve a validation split of {fraction:g} from "
                         f"{len(X)} training samples: {err}") from None

