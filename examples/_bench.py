"""The contenders of examples/benchmark.py: the same MLP, data, initial weights, batch order
and RMSProp, trained by tinynet and by its peers. Each returns (seconds per epoch, test
accuracy)."""

from __future__ import annotations

import time
import warnings

import numpy as np

import tinynet as tn


def as_dtype(data, dtype) -> tuple:
    """Features in the model's dtype up front, so no contender pays a conversion."""
    X_train, X_test, y_train, y_test = data
    return X_train.astype(dtype), X_test.astype(dtype), y_train, y_test


def workloads(quick: bool) -> list[dict]:
    from sklearn.datasets import make_classification, make_moons

    scale = 0.2 if quick else 1.0
    d = tn.datasets.load("digits", seed=0)
    X, y = make_moons(n_samples=2000, noise=0.2, random_state=0)
    moons = tn.datasets.split(X, y, 0.2, 0, True)
    X, y = make_classification(n_samples=100_000, n_features=100, n_informative=50,
                               n_classes=10, random_state=0)
    big = as_dtype(tn.datasets.split(X, y, 0.2, 0, True), np.float32)
    return [
        {"name": "W1 digits f64", "data": d, "sizes": [64, 128, 64, 10], "batch": 32,
         "epochs": max(2, int(30 * scale)), "dtype": np.float64},
        {"name": "W1 digits f32", "data": as_dtype(d, np.float32), "sizes": [64, 128, 64, 10],
         "batch": 32, "epochs": max(2, int(30 * scale)), "dtype": np.float32},
        {"name": "W2 moons", "data": moons, "sizes": [2, 32, 32, 2], "batch": 32,
         "epochs": max(2, int(100 * scale)), "dtype": np.float64},
        {"name": "W3 100k f32", "data": big, "sizes": [100, 256, 256, 10], "batch": 256,
         "epochs": 1 if quick else 3, "dtype": np.float32},
    ]


# ----- contenders: each returns (seconds per epoch, test accuracy) ------------------------


def run_tinynet(w, progress: bool, fused: bool = True):
    X_train, X_test, y_train, y_test = w["data"]
    model = tn.mlp(w["sizes"], seed=0, dtype=w["dtype"])
    opt = tn.optimizers.RMSProp(lr=0.001)
    opt.fused = fused  # False: the literal layer-by-layer formula
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), opt, batch_size=w["batch"], seed=0,
                         progress=progress, teaching_warnings=False)
    start = time.perf_counter()
    trainer.fit(X_train, y_train, epochs=w["epochs"])
    seconds = (time.perf_counter() - start) / w["epochs"]
    return seconds, float(np.mean(model.predict(X_test) == y_test))


def run_sklearn(w):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X_train, X_test, y_train, y_test = w["data"]
    clf = MLPClassifier(hidden_layer_sizes=tuple(w["sizes"][1:-1]), solver="adam",
                        learning_rate_init=0.001, batch_size=w["batch"], max_iter=w["epochs"],
                        shuffle=True, tol=0.0, n_iter_no_change=10**6, alpha=0.0,
                        random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        seconds = (time.perf_counter() - start) / w["epochs"]
    return seconds, float(clf.score(X_test, y_test))


def init_params(sizes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    Ws = [(rng.standard_normal((a, b)) * np.sqrt(2.0 / a)).astype(dtype)
          for a, b in zip(sizes, sizes[1:])]
    return Ws, [np.zeros(b, dtype=dtype) for b in sizes[1:]]


def run_handwritten(w):
    """The floor for a numpy framework: one loop, no abstractions, in-place RMSProp."""
    X_train, X_test, y_train, y_test = w["data"]
    dt = w["dtype"]
    Ws, bs = init_params(w["sizes"], dt)
    params = Ws + bs
    state = [np.zeros_like(p) for p in params]
    tmp = [np.empty_like(p) for p in params]
    lr, rho, eps = 0.001, 0.9, 1e-8
    rng = np.random.default_rng(0)
    n, B, L = len(X_train), w["batch"], len(Ws)
    start = time.perf_counter()
    for _ in range(w["epochs"]):
        order = rng.permutation(n)
        for i in range(0, n, B):
            idx = order[i : i + B]
            Xb, yb = X_train[idx], y_train[idx]
            acts = [Xb]
            for l in range(L):
                z = acts[-1] @ Ws[l]
                z += bs[l]
                if l < L - 1:
                    np.maximum(z, 0, out=z)
                acts.append(z)
            z = acts[-1]
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            z[np.arange(len(yb)), yb] -= 1
            z /= len(yb)
            d = z
            grads_W, grads_b = [None] * L, [None] * L
            for l in range(L - 1, -1, -1):
                grads_W[l] = acts[l].T @ d
                grads_b[l] = d.sum(axis=0)
                if l:
                    d = d @ Ws[l].T
                    d *= acts[l] > 0
            for p, g, s, t in zip(params, grads_W + grads_b, state, tmp):
                np.multiply(g, g, out=t)
                t *= 1 - rho
                s *= rho
                s += t
                np.sqrt(s, out=t)
                t += eps
                np.divide(g, t, out=t)
                t *= lr
                p -= t
    seconds = (time.perf_counter() - start) / w["epochs"]
    out = X_test
    for l in range(L):
        out = out @ Ws[l] + bs[l]
        if l < L - 1:
            out = np.maximum(out, 0)
    return seconds, float(np.mean(out.argmax(axis=1) == y_test))


def run_gemm_floor(w, with_rmsprop: bool = False):
    """Only the matrix products a training step cannot avoid: 3 forward, 3 dW, 2 dX
    (with_rmsprop: plus RMSProp's 9 element-wise passes over all parameters at once, the
    least any RMSProp trainer must add)."""
    X_train = w["data"][0]
    Ws, bs = init_params(w["sizes"], w["dtype"])
    flat = np.concatenate([a.ravel() for a in Ws + bs])
    s, g, tmp = np.zeros_like(flat), np.full_like(flat, 1e-3), np.empty_like(flat)
    n, B = len(X_train), w["batch"]
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(w["epochs"]):
        order = rng.permutation(n)
        for i in range(0, n, B):
            Xb = X_train[order[i : i + B]]
            acts = [Xb]
            for W in Ws:
                acts.append(acts[-1] @ W)
            d = acts[-1]
            for l in range(len(Ws) - 1, -1, -1):
                acts[l].T @ d
                if l:
                    d = d @ Ws[l].T
            if with_rmsprop:
                np.multiply(g, g, out=tmp)
                tmp *= 0.1
                s *= 0.9
                s += tmp
                np.sqrt(s, out=tmp)
                tmp += 1e-8
                np.divide(g, tmp, out=tmp)
                tmp *= 1e-3
                flat -= tmp
    return (time.perf_counter() - start) / w["epochs"], float("nan")


def have_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def run_torch(w, threads: int):
    """PyTorch eager on the CPU, optional: the same initial weights, batches and RMSProp
    (torch's ``alpha`` is rho; its eps is outside the root, as tinynet's)."""
    import torch

    torch.set_num_threads(threads)
    X_train, X_test, y_train, y_test = w["data"]
    dtype = torch.float64 if w["dtype"] == np.float64 else torch.float32
    Ws, bs = init_params(w["sizes"], w["dtype"])
    layers = []
    for i, (W, b) in enumerate(zip(Ws, bs)):
        linear = torch.nn.Linear(*W.shape, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear] + [torch.nn.ReLU()] * (i < len(Ws) - 1)
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(X_train), torch.from_numpy(y_train.astype(np.int64))
    rng = np.random.default_rng(0)
    n, B = len(X_train), w["batch"]
    start = time.perf_counter()
    for _ in range(w["epochs"]):
        order = torch.from_numpy(rng.permutation(n))
        for i in range(0, n, B):
            idx = order[i : i + B]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(X[idx]), y[idx]).backward()
            opt.step()
    seconds = (time.perf_counter() - start) / w["epochs"]
    with torch.no_grad():
        pred = model(torch.from_numpy(X_test)).argmax(dim=1).numpy()
    return seconds, float(np.mean(pred == y_test))
