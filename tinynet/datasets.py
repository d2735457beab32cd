"""Datasets from scikit-learn, split and scaled, ready to train on.

scikit-learn is imported inside the functions: ``import tinynet`` stays fast.
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
}


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


def load(name: str, test_size: float = 0.2, seed: int = 0, scale: bool = True) -> tuple:
    """``X_train, X_test, y_train, y_test`` for a named dataset.

    The split is stratified by class (scikit-learn's ``train_test_split``); with
    ``scale=True`` a ``StandardScaler`` is fitted on the training split only and applied
    to both, so no test information leaks into training.
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(available())}")
    test_size = check_number("test_size", test_size, low=0.0, high=1.0,
                             low_open=True, high_open=True)
    seed = check_number("seed", seed, low=0, integer=True)
    X, y = raw(name, seed)
    return split(X, y, test_size, seed, scale, stratify=DATASETS[name][1] == "classification")


def split(X, y, test_size: float, seed: int, scale: bool, stratify: bool) -> tuple:
    """Split into train and test (stratified for classes) and optionally standardise."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X = np.asarray(X, dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y if stratify else None
    )
    if scale:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return X_train, X_test, y_train, y_test
