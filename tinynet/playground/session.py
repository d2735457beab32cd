"""One playground session: a dataset, a network, and one trainer per optimizer.

Every optimizer starts from the same initial weights and sees the same batches in the same
order, so their panels differ only by the optimizer. The settings are read and checked in
settings.py; what a panel shows beyond the curves (the network view, the teaching signals)
is computed in views.py, and "look at one step" in look.py.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from ..losses import SoftmaxCrossEntropy
from ..model import mlp
from ..trainer import Trainer
from ..validation import check_number
from . import settings as settings_mod
from .look import look
from .views import histogram, network_view, signals

DATASETS, GRID = settings_mod.DATASETS, 40
_histogram = histogram  # the name the tests and older code use


def make_data(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two-class 2-D points: scikit-learn's moons, circles and blobs, numpy's xor and spiral."""
    rng = np.random.default_rng(seed)
    if name == "moons":
        from sklearn.datasets import make_moons

        return make_moons(n_samples=n, noise=noise, random_state=seed)
    if name == "circles":
        from sklearn.datasets import make_circles

        return make_circles(n_samples=n, noise=noise, factor=0.5, random_state=seed)
    if name == "blobs":
        from sklearn.datasets import make_blobs

        return make_blobs(n_samples=n, centers=2, cluster_std=1.0 + 4 * noise, random_state=seed)
    if name == "xor":
        X = rng.uniform(-1, 1, (n, 2))
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
        return X + rng.normal(0, noise, X.shape), y
    t = rng.uniform(0.25, 1, n) * 3 * np.pi  # two interleaved spirals
    y = rng.integers(0, 2, n)
    X = np.c_[t * np.cos(t + np.pi * y), t * np.sin(t + np.pi * y)] / (3 * np.pi)
    return X + rng.normal(0, noise / 3, X.shape), y


class Session:
    """Built from the page's settings (a dict); raises ValueError/TypeError on bad ones."""

    def __init__(self, settings: dict):
        s = settings_mod.read(settings)
        self.dataset, self.batch_size, self.features = s["dataset"], s["batch_size"], s["features"]
        n, seed = s["points"], s["seed"]
        X, y = make_data(self.dataset, n, s["noise"], seed)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        cut = int(s["train_fraction"] * n)
        order = np.random.default_rng(seed).permutation(n)
        self.X_train, self.y_train = X[order[:cut]], y[order[:cut]]
        self.X_test, self.y_test = X[order[cut:]], y[order[cut:]]
        self.activation = s["activation"]
        base = mlp([len(self.features), *s["hidden"], 2], activation=self.activation, seed=seed)
        self.trainers = [Trainer(copy.deepcopy(base), SoftmaxCrossEntropy(), opt,
                                 batch_size=self.batch_size, seed=seed, progress=False,
                                 teaching_warnings=False) for opt in s["optimizers"]]
        self.steps = 0
        self.batches_per_epoch = math.ceil(len(self.X_train) / self.batch_size)
        self.diverged: list[int | None] = [None] * len(self.trainers)
        self.ratios = [[0.0] * (len(s["hidden"]) + 1) for _ in self.trainers]
        self.curves = [{"epoch": [], "train": [], "test": []} for _ in self.trainers]
        self.epoch_losses: list[list[float]] = [[] for _ in self.trainers]
        self._batches = None
        self._record()  # the curves start at the untrained network's loss

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """The chosen features of 2-D points X (x1, x2, x1², ...): what the first layer sees."""
        return np.column_stack([settings_mod.FEATURES[f][1](X) for f in self.features])

    @property
    def epoch(self) -> float:
        """Epochs done: steps over batches per epoch (2.5 = two and a half passes)."""
        return self.steps / self.batches_per_epoch

    def step(self, n: int = 1) -> None:
        """``n`` mini-batch steps for every optimizer, on the same batches. A panel whose
        loss stopped being finite has diverged: it stays where it stopped."""
        n = check_number("steps", n, low=1, high=1000, integer=True)
        with np.errstate(all="ignore"):  # a diverging panel says so on the page
            self._steps(n)

    def _steps(self, n: int) -> None:
        for k in range(n):
            if k == n - 1:  # the last step's size relative to the weights, per layer
                before = [[d.W.copy() for d in tr.model.dense_layers] for tr in self.trainers]
            idx = self._next_batch()
            self._batches.pop(0)
            Xb, yb = self.inputs(self.X_train[idx]), self.y_train[idx]  # once for all panels
            for i, tr in enumerate(self.trainers):
                if self.diverged[i] is None:
                    tr.model.train()
                    loss, _ = tr.train_step(Xb, yb)
                    if not math.isfinite(loss):
                        self.diverged[i] = self.steps + 1
            self.steps += 1
            if self.steps % self.batches_per_epoch == 0:
                for tr, losses in zip(self.trainers, self.epoch_losses):
                    losses.append(self._loss(tr, self.X_train, self.y_train))
        self.ratios = [[float(np.linalg.norm(d.W - w) / (np.linalg.norm(d.W) or 1.0))
                        for d, w in zip(tr.model.dense_layers, ws)]
                       for tr, ws in zip(self.trainers, before)]
        self._record()

    def _next_batch(self) -> np.ndarray:
        """The indices of the next mini-batch (a new epoch draws one shuffled order, shared
        by every optimizer)."""
        if not self._batches:
            order = self.trainers[0].rng.permutation(len(self.X_train))
            bs = self.batch_size
            self._batches = [order[i:i + bs] for i in range(0, len(order), bs)]
        return self._batches[0]

    def _loss(self, tr, X, y) -> float:
        return tr.evaluate(self.inputs(X), y)["loss"]

    def _record(self) -> None:
        for tr, curve in zip(self.trainers, self.curves):
            curve["epoch"].append(round(self.epoch, 3))
            curve["train"].append(self._loss(tr, self.X_train, self.y_train))
            curve["test"].append(self._loss(tr, self.X_test, self.y_test))

    def state(self, network: bool = False) -> dict:
        """What the page draws: per optimizer, the decision grid, curves, accuracy and loss,
        the teaching signals, and per layer the effective learning rates, the state and the
        update/weight ratio; with ``network``, each neuron's output over the plane too."""
        with np.errstate(all="ignore"):  # a diverged panel's NaN: the page says so
            return self._state(network)

    def _state(self, network: bool) -> dict:
        lin = np.linspace(-2.5, 2.5, GRID)
        gx, gy = np.meshgrid(lin, lin)
        grid = np.c_[gx.ravel(), gy.ravel()]
        panels = []
        for i, tr in enumerate(self.trainers):
            opt = tr.optimizer
            layers = []
            for l in range(1, len(tr.model.dense_layers) + 1):
                info = {"l": l, "update_ratio": self.ratios[i][l - 1]}
                if opt.t:
                    eff = opt.effective_lr(l)["W"].ravel()
                    info["eff_lr"] = histogram(np.log10(np.maximum(eff, 1e-12)))
                    first = next(iter(opt.state_keys()), None)
                    if first:
                        info["state_name"] = f"{first}[{l}]"
                        info["state"] = histogram(
                            np.log10(np.abs(getattr(opt, first)[l]).ravel() + 1e-30))
                layers.append(info)
            proba = np.nan_to_num(tr.model.eval().predict_proba(self.inputs(grid))[:, 1],
                                  nan=0.5)
            train = tr.evaluate(self.inputs(self.X_train), self.y_train)
            test = tr.evaluate(self.inputs(self.X_test), self.y_test)
            panel = {
                "optimizer": repr(opt), "name": type(opt).__name__,
                "hyperparameters": ", ".join(f"{k}={v:g}" if isinstance(v, float) else
                                             f"{k}={v}" for k, v in opt.hyperparams().items()),
                "grid": np.round(proba, 3).tolist(), "curves": self.curves[i],
                "train_accuracy": train["accuracy"], "test_accuracy": test["accuracy"],
                "train_loss": train["loss"], "test_loss": test["loss"],
                "diverged": self.diverged[i], "layers": layers,
                "signals": signals(self, i)}
            if network:
                panel["network"] = network_view(self, tr.model)
            panels.append(panel)
        return {"steps": self.steps, "epoch": round(self.epoch, 2),
                "batches_per_epoch": self.batches_per_epoch, "grid_size": GRID, "extent": 2.5,
                "features": [settings_mod.FEATURES[f][0] for f in self.features],
                "panels": panels,
                "train": {"X": np.round(self.X_train, 3).tolist(), "y": self.y_train.tolist()},
                "test": {"X": np.round(self.X_test, 3).tolist(), "y": self.y_test.tolist()}}

    def look(self) -> list[dict]:
        """The next mini-batch's forward and backward pass and each optimizer's coming
        update, computed on copies: nothing changes (look.py). Works at step 0 too."""
        idx = self._next_batch()
        with np.errstate(all="ignore"):
            return [look(tr, self.inputs(self.X_train[idx]), self.y_train[idx],
                         self.activation) for tr in self.trainers]
