"""How fast is tinynet? The same MLP, data, epochs and batch size, five ways, in ONE process.

    python examples/benchmark.py            # the full run (a few minutes)
    python examples/benchmark.py --quick    # fewer epochs and repeats
    python examples/benchmark.py --json bench.json
    python examples/benchmark.py --table examples/benchmark_results.json   # the README's table

Workloads
    W1  digits, 64-128-64-10 ReLU, batch 32, 30 epochs, float64 and float32
    W2  moons (2000 samples, noise 0.2), 2-32-32-2, batch 32, 100 epochs
    W3  make_classification(100_000, 100 features, 50 informative, 10 classes),
        100-256-256-10, batch 256, 3 epochs, float32

Contenders
    tinynet      Trainer.fit with RMSProp, progress bar on (as users run it) and off
    sklearn      MLPClassifier(solver="adam"), same sizes, shuffle, tol=0
    hand-written a minimal numpy loop: forward, manual backward, in-place RMSProp; the
                 practical floor for any numpy framework
    GEMM + RMSProp  the matrix products plus RMSProp's element-wise passes over all
                 parameters: what remains when nothing else (activations, bias, loss) costs
    GEMM floor   only the matrix products of forward and backward

Repeats alternate between contenders, so machine noise hits all of them alike; the table
shows the median seconds per epoch and ratios measured within this one run.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import tracemalloc
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


def run_tinynet(w, progress: bool):
    X_train, X_test, y_train, y_test = w["data"]
    model = tn.mlp(w["sizes"], seed=0, dtype=w["dtype"])
    trainer = tn.Trainer(model, tn.SoftmaxCrossEntropy(), tn.optimizers.RMSProp(lr=0.001),
                         batch_size=w["batch"], seed=0, progress=progress,
                         teaching_warnings=False)
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


CONTENDERS = {
    "tinynet (bar on)": lambda w: run_tinynet(w, progress=True),
    "tinynet (bar off)": lambda w: run_tinynet(w, progress=False),
    "sklearn MLP adam": run_sklearn,
    "hand-written numpy": run_handwritten,
    "GEMM + RMSProp": lambda w: run_gemm_floor(w, with_rmsprop=True),
    "GEMM floor": run_gemm_floor,
}


def peak_memory_mb(fn, w) -> float:
    tracemalloc.start()
    fn(w)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs and repeats")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per contender")
    parser.add_argument("--only", default=None, help="run only workloads whose name has this")
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    parser.add_argument("--table", metavar="PATH", help="print the README's table from a JSON "
                        "file written by --json, and stop")
    args = parser.parse_args()
    if args.table:
        with open(args.table) as f:
            print(readme_table(json.load(f)["results"]))
        return
    repeats = args.repeats or (2 if args.quick else 5)
    results = {}
    for w in workloads(args.quick):
        if args.only and args.only not in w["name"]:
            continue
        times = {name: [] for name in CONTENDERS}
        acc = {}
        for _ in range(repeats):  # alternate, so noise hits every contender alike
            for name, fn in CONTENDERS.items():
                seconds, a = fn(w)
                times[name].append(seconds)
                acc[name] = a
        memory = {name: peak_memory_mb(fn, {**w, "epochs": 1})
                  for name, fn in CONTENDERS.items() if "bar on" not in name}
        results[w["name"]] = {name: {"median_s_per_epoch": float(np.median(t)), "all": t,
                                     "test_accuracy": acc[name],
                                     "peak_mb": memory.get(name)} for name, t in times.items()}
        print_table(w, results[w["name"]])
    if args.json:
        meta = {"python": platform.python_version(), "numpy": np.__version__,
                "machine": platform.machine(), "repeats": repeats, "quick": args.quick}
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=1)
        print(f"wrote {args.json}")


LABELS = {"W1 digits f64": "W1 digits 64-128-64-10, batch 32, f64",
          "W1 digits f32": "W1 same, float32",
          "W2 moons": "W2 moons 2-32-32-2, batch 32",
          "W3 100k f32": "W3 100k x 100, 100-256-256-10, batch 256, f32"}


def readme_table(results: dict) -> str:
    """The README's Performance table: median ms per epoch, with the ratios that matter
    (to the hand-written loop; for W3, whose time is mostly matrix products, to GEMM)."""
    rows = ["| workload | tinynet, bar on | tinynet, bar off | sklearn MLP (adam) | "
            "hand-written | GEMM + RMSProp | GEMM floor |", "|---|---|---|---|---|---|---|"]
    for name, res in results.items():
        ms = {k: r["median_s_per_epoch"] * 1e3 for k, r in res.items()}
        base, ref = (("GEMM floor", "GEMM") if name.startswith("W3")
                     else ("hand-written numpy", "hand"))
        on, off = ms["tinynet (bar on)"], ms["tinynet (bar off)"]

        def cell(x: float) -> str:
            return f"{x:.2f}" if x < 100 else f"{x:.0f}"

        tiny = [f"{cell(x)} ({x / ms[base]:.2f}x {ref})" for x in (on, off)]
        if ref == "hand":
            tiny[1] = cell(off)
        sk = ms["sklearn MLP adam"]
        hand = cell(ms["hand-written numpy"])
        if ref == "GEMM":
            hand += f" ({ms['hand-written numpy'] / ms[base]:.2f}x GEMM)"
        rows.append(f"| {LABELS.get(name, name)} | {tiny[0]} | {tiny[1]} | {cell(sk)} "
                    f"({sk / on:.1f}x slower) | {hand} | {cell(ms['GEMM + RMSProp'])} | "
                    f"{cell(ms['GEMM floor'])} |")
    return "\n".join(rows)


def print_table(w, res: dict) -> None:
    hand = res["hand-written numpy"]["median_s_per_epoch"]
    gemm = res["GEMM floor"]["median_s_per_epoch"]
    print(f"\n{w['name']}: {'-'.join(map(str, w['sizes']))}, batch {w['batch']}, "
          f"{w['epochs']} epochs, {np.dtype(w['dtype']).name}")
    print(f"{'contender':<20}{'ms/epoch':>10}{'x hand':>8}{'x GEMM':>8}{'test acc':>10}"
          f"{'peak MB':>9}")
    for name, r in res.items():
        t = r["median_s_per_epoch"]
        mem = f"{r['peak_mb']:.1f}" if r["peak_mb"] is not None else ""
        acc = "" if np.isnan(r["test_accuracy"]) else f"{r['test_accuracy']:.4f}"
        print(f"{name:<20}{t * 1e3:>10.2f}{t / hand:>8.2f}{t / gemm:>8.2f}{acc:>10}{mem:>9}")


if __name__ == "__main__":
    main()
