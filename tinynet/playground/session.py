"""One playground session: a dataset, a network, and one trainer per optimizer.

Every optimizer starts from the same initial weights and sees the same batches in the same
order, so their panels differ only by the optimizer. Everything a request may set is
checked here, with a message for the page, and bounded (points, widths, layers).
"""

from __future__ import annotations

import copy

import numpy as np

from .. import optimizers
from ..layers import ACTIVATIONS
from ..losses import SoftmaxCrossEntropy
from ..model import mlp
from ..trace import trace
from ..trainer import Trainer
from ..validation import check_choice, check_number

DATASETS = ("moons", "circles", "blobs", "xor", "spiral")
MAX_POINTS, MAX_WIDTH, MAX_LAYERS, MAX_OPTIMIZERS, GRID = 2000, 64, 4, 4, 40


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
        if not isinstance(settings, dict):
            raise TypeError("the settings must be a JSON object")
        s = settings
        self.dataset = check_choice("dataset", s.get("dataset", "moons"), DATASETS)
        n = check_number("points", s.get("points", 400), low=20, high=MAX_POINTS, integer=True)
        noise = check_number("noise", s.get("noise", 0.2), low=0.0, high=1.0)
        train = check_number("train_fraction", s.get("train_fraction", 0.7), low=0.1,
                             high=0.9)
        hidden = s.get("hidden", [8, 8])
        if not isinstance(hidden, list) or not 0 < len(hidden) <= MAX_LAYERS:
            raise ValueError(f"hidden must list 1 to {MAX_LAYERS} layer widths, got {hidden!r}")
        hidden = [check_number(f"hidden[{i}]", h, low=1, high=MAX_WIDTH, integer=True)
                  for i, h in enumerate(hidden)]
        activation = check_choice("activation", s.get("activation", "tanh"), ACTIVATIONS)
        self.batch_size = check_number("batch_size", s.get("batch_size", 16), low=1, high=512,
                                       integer=True)
        seed = check_number("seed", s.get("seed", 0), low=0, high=2**31, integer=True)
        specs = s.get("optimizers", [{"name": "sgd", "lr": 0.1}, {"name": "rmsprop", "lr": 0.01}])
        if not isinstance(specs, list) or not 0 < len(specs) <= MAX_OPTIMIZERS:
            raise ValueError(f"optimizers must list 1 to {MAX_OPTIMIZERS} optimizers")
        opts = []
        for spec in specs:
            if not isinstance(spec, dict) or "name" not in spec:
                raise ValueError("each optimizer needs a name, e.g. {\"name\": \"rmsprop\"}")
            opts.append(optimizers.get(spec["name"], **{k: v for k, v in spec.items()
                                                        if k != "name"}))
        X, y = make_data(self.dataset, n, noise, seed)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        cut = int(train * n)
        order = np.random.default_rng(seed).permutation(n)
        self.X_train, self.y_train = X[order[:cut]], y[order[:cut]]
        self.X_test, self.y_test = X[order[cut:]], y[order[cut:]]
        base = mlp([2, *hidden, 2], activation=activation, seed=seed)
        self.trainers = [Trainer(copy.deepcopy(base), SoftmaxCrossEntropy(), opt,
                                 batch_size=self.batch_size, seed=seed, progress=False,
                                 teaching_warnings=False) for opt in opts]
        self.steps = 0
        self.ratios = [[0.0] * (len(hidden) + 1) for _ in opts]
        self.curves = [{"train": [], "test": []} for _ in opts]
        self._batches = None
        self._record()  # the curves start at the untrained network's loss

    def step(self, n: int = 1) -> None:
        """``n`` mini-batch steps for every optimizer, on the same batches."""
        n = check_number("steps", n, low=1, high=1000, integer=True)
        for k in range(n):
            if k == n - 1:  # the last step's size relative to the weights, per layer
                before = [[d.W.copy() for d in tr.model.dense_layers] for tr in self.trainers]
            idx = self._next_batch()
            self._batches.pop(0)
            for tr in self.trainers:
                tr.model.train()
                tr.train_step(self.X_train[idx], self.y_train[idx])
            self.steps += 1
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

    def _record(self) -> None:
        for tr, curve in zip(self.trainers, self.curves):
            curve["train"].append(tr.evaluate(self.X_train, self.y_train)["loss"])
            curve["test"].append(tr.evaluate(self.X_test, self.y_test)["loss"])

    def state(self) -> dict:
        """What the page draws: per optimizer, the decision grid, curves, accuracy, and per
        layer the effective learning rates, the state and the update/weight ratio."""
        lin = np.linspace(-2.5, 2.5, GRID)
        gx, gy = np.meshgrid(lin, lin)
        grid = np.c_[gx.ravel(), gy.ravel()]
        panels = []
        for tr, curve, ratios in zip(self.trainers, self.curves, self.ratios):
            opt = tr.optimizer
            layers = []
            for l in range(1, len(tr.model.dense_layers) + 1):
                info = {"l": l, "update_ratio": ratios[l - 1]}
                if opt.t:
                    eff = opt.effective_lr(l)["W"].ravel()
                    info["eff_lr"] = _histogram(np.log10(np.maximum(eff, 1e-12)))
                    first = next(iter(opt.state_keys()), None)
                    if first:
                        info["state_name"] = f"{first}[{l}]"
                        info["state"] = _histogram(
                            np.log10(np.abs(getattr(opt, first)[l]).ravel() + 1e-30))
                layers.append(info)
            proba = tr.model.eval().predict_proba(grid)[:, 1]
            panels.append({
                "optimizer": repr(opt), "name": type(opt).__name__,
                "grid": np.round(proba, 3).tolist(), "curves": curve,
                "train_accuracy": tr.evaluate(self.X_train, self.y_train)["accuracy"],
                "test_accuracy": tr.evaluate(self.X_test, self.y_test)["accuracy"],
                "layers": layers})
        return {"steps": self.steps, "grid_size": GRID, "extent": 2.5, "panels": panels,
                "train": {"X": np.round(self.X_train, 3).tolist(), "y": self.y_train.tolist()},
                "test": {"X": np.round(self.X_test, 3).tolist(), "y": self.y_test.tolist()}}

    def look(self) -> list[dict]:
        """The next mini-batch's forward and backward pass per layer (``tn.trace``), and the
        update each optimizer is about to make from it, with its numbers: computed on copies
        of the model and the optimizer, so nothing changes. Works at step 0 too."""
        idx = self._next_batch()
        out = []
        for tr in self.trainers:
            t = trace(tr.model, tr.loss, self.X_train[idx], self.y_train[idx])
            opt, after = _next_step(tr, self.X_train[idx], self.y_train[idx])
            numbers = {"lr": opt.lr, "t": opt.t}  # t: the step about to be made
            for key in opt.state_keys():
                numbers[f"mean |{key}[1]|"] = float(np.mean(np.abs(getattr(opt, key)[1])))
            numbers["mean eta_eff (layer 1 W)"] = float(np.mean(opt.effective_lr(1)["W"]))
            layers = []
            for l, layer in enumerate(tr.model.dense_layers, start=1):
                quantities = {k: np.round(getattr(t, k)[l], 4).tolist()
                              for k in ("Z", "A", "dZ", "dW", "db")}
                delta = after.dense_layers[l - 1].W - layer.W
                layers.append({"l": l, **quantities, "update": delta.tolist()})
            out.append({"optimizer": repr(tr.optimizer), "formula": _formula(type(opt)),
                        "numbers": numbers, "loss": t.loss, "batch": len(idx),
                        "layers": layers})
        return out


def _next_step(trainer, X: np.ndarray, y: np.ndarray) -> tuple:
    """Copies of the trainer's optimizer and model after one training step on (X, y): the
    update the real optimizer is about to make (its state created as a first step does)."""
    model, loss, opt = (copy.deepcopy(x) for x in (trainer.model, trainer.loss,
                                                   trainer.optimizer))
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    opt.step(model)
    return opt, model


def _formula(cls) -> str:
    """The update formula from an optimizer's docstring (its first ``::`` block)."""
    doc = (cls.__doc__ or "").split("::", 1)
    if len(doc) < 2:
        return ""
    lines = []
    for line in doc[1].splitlines()[1:]:
        if line.strip() == "" and lines:
            break
        if line.strip():
            lines.append(line.strip())
    return "\n".join(lines)


def _histogram(values: np.ndarray, bins: int = 20) -> dict:
    values = values[np.isfinite(values)]
    if not values.size:
        return {"edges": [], "counts": []}
    counts, edges = np.histogram(values, bins=bins)
    return {"edges": np.round(edges, 3).tolist(), "counts": counts.tolist()}
