"""The problem suite of ``tinynet bench``: each a fixed model, data split, epoch budget,
metric and target. The data comes from scikit-learn; the split is seeded and the same for
every optimizer; the model is built from the run's seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import datasets
from ..model import Sequential, mlp

EPOCHS = {"quick": 0, "standard": 1}  # the index into Problem.epochs


@dataclass(frozen=True)
class Problem:
    """One benchmark problem (a row of the README's suite table)."""

    name: str
    data: str                  # what the data is, for the table
    sizes: tuple               # the MLP's widths, input to output
    activation: str
    epochs: tuple              # (quick, standard)
    metric: str                # "accuracy" or "r2", on the validation and the test split
    target: float              # the validation metric a good run reaches
    source: str | Callable     # a datasets.load name, or a function giving the split
    batch_size: int = 32

    @property
    def task(self) -> str:
        return "regression" if self.metric == "r2" else "classification"

    def load(self) -> tuple:
        """(X_train, X_test, y_train, y_test): a quarter of the data for the test, seed 0
        (``datasets.load``: stratified for classes, scaled on the training part)."""
        if callable(self.source):
            return self.source()
        return datasets.load(self.source, test_size=0.25, seed=0)

    def model(self, seed: int) -> Sequential:
        head = "identity" if self.task == "regression" else None
        return mlp(list(self.sizes), activation=self.activation, seed=seed, head=head)


def _ill_conditioned():
    """make_classification with its 20 features scaled from 1e-3 to 1e3 and NOT standardised:
    the loss surface is a long, narrow valley (the article's unbalanced directions)."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(n_samples=1500, n_features=20, n_informative=10,
                               random_state=0)
    X = X * np.logspace(-3, 3, 20)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


SUITE = {p.name: p for p in (
    Problem("moons", "make_moons, 1,000 points, noise 0.2", (2, 16, 16, 2), "tanh", (20, 60),
            "accuracy", 0.95, "moons"),
    Problem("circles", "make_circles, 1,000 points, noise 0.1", (2, 16, 16, 2), "relu",
            (20, 60), "accuracy", 0.95, "circles"),
    Problem("digits", "8x8 handwritten digits, 1,797 images", (64, 64, 10), "relu", (10, 30),
            "accuracy", 0.95, "digits"),
    Problem("breast_cancer", "breast cancer (Wisconsin), 569 samples", (30, 16, 2), "relu",
            (10, 40), "accuracy", 0.95, "breast_cancer"),
    Problem("diabetes", "diabetes progression, 442 samples (regression)", (10, 16, 1),
            "relu", (20, 80), "r2", 0.4, "diabetes"),
    Problem("ill_conditioned", "make_classification, 20 features scaled 1e-3..1e3",
            (20, 16, 2), "relu", (10, 40), "accuracy", 0.85, _ill_conditioned),
    Problem("deep_narrow", "make_moons, 1,000 points, through 5 tanh layers of 8",
            (2, 8, 8, 8, 8, 8, 2), "tanh", (20, 60), "accuracy", 0.95, "moons"),
)}
