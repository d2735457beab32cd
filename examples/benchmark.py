"""How fast is tinynet? The same MLP, data, epochs and batch size, several ways, in ONE process.

    python examples/benchmark.py            # the full run (several minutes)
    python examples/benchmark.py --quick    # fewer epochs and repeats
    python examples/benchmark.py --json bench.json --process
    python examples/benchmark.py --table examples/benchmark_results.json   # the README's table

Workloads
    W1  digits, 64-128-64-10 ReLU, batch 32, 30 epochs, float64 and float32
    W2  moons (2000 samples, noise 0.2), 2-32-32-2, batch 32, 100 epochs
    W3  make_classification(100_000, 100 features, 50 informative, 10 classes),
        100-256-256-10, batch 256, 3 epochs, float32

Contenders (examples/_bench.py): tinynet with the progress bar on and off, and with the
literal layer-by-layer optimizer (``fused=False``); scikit-learn's MLPClassifier (adam); a
hand-written numpy loop, the practical floor of a numpy framework; PyTorch eager on the
CPU when it is installed (same weights, batches and RMSProp; never a dependency); the matrix
products plus RMSProp's element-wise passes (GEMM + RMSProp) and the matrix products alone
(GEMM floor).

The machine is shared and noisy, so every ratio is measured per repeat: in each repeat the
contenders run back to back in an order rotated from one repeat to the next, and a ratio's
figure is the median of its per-repeat values, with their min-max spread. A floor that
comes out slower than what contains it is reported as noise. ``--process`` adds the
figures of whole commands: ``import tinynet``, ``tinynet explain``, ``tinynet train``
(wall time and peak memory) and ``tinynet compare``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tracemalloc

import numpy as np
from _bench import (
    have_torch,
    run_gemm_floor,
    run_handwritten,
    run_sklearn,
    run_tinynet,
    run_torch,
    workloads,
)

RATIOS = [  # (numerator, denominator): the figures the README states
    ("tinynet (bar on)", "hand-written numpy"), ("tinynet (bar off)", "hand-written numpy"),
    ("tinynet (layer by layer)", "hand-written numpy"),
    ("sklearn MLP adam", "tinynet (bar on)"), ("PyTorch eager", "tinynet (bar on)"),
    ("tinynet (bar on)", "GEMM floor"), ("hand-written numpy", "GEMM floor"),
]
CONTAINS = [("GEMM + RMSProp", "GEMM floor"), ("hand-written numpy", "GEMM + RMSProp")]


def blas_threads() -> int:
    from threadpoolctl import threadpool_info  # comes with scikit-learn

    return max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"),
               default=1)


def contenders(threads: int) -> dict:
    found = {
        "tinynet (bar on)": lambda w: run_tinynet(w, progress=True),
        "tinynet (bar off)": lambda w: run_tinynet(w, progress=False),
        "tinynet (layer by layer)": lambda w: run_tinynet(w, progress=False, fused=False),
        "sklearn MLP adam": run_sklearn,
        "hand-written numpy": run_handwritten,
        "GEMM + RMSProp": lambda w: run_gemm_floor(w, with_rmsprop=True),
        "GEMM floor": run_gemm_floor,
    }
    if have_torch():
        found["PyTorch eager"] = lambda w: run_torch(w, threads)
    return found


def measure(w: dict, runners: dict, repeats: int, warmup: int) -> dict:
    """Seconds per epoch of every contender in every repeat (rotated order), and accuracy."""
    names = list(runners)
    for _ in range(warmup):
        for name in names:
            runners[name]({**w, "epochs": 1})
    times = {name: [] for name in names}
    acc = {}
    for rep in range(repeats):
        k = rep % len(names)
        for name in names[k:] + names[:k]:  # a different contender goes first each repeat
            seconds, acc[name] = runners[name](w)
            times[name].append(seconds)
    memory = {name: peak_memory_mb(fn, {**w, "epochs": 1}) for name, fn in runners.items()
              if "bar on" not in name}
    return {name: {"median_s_per_epoch": float(np.median(t)), "all": t,
                   "test_accuracy": acc[name], "peak_mb": memory.get(name)}
            for name, t in times.items()}


def peak_memory_mb(fn, w) -> float:
    tracemalloc.start()
    fn(w)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def ratio(res: dict, a: str, b: str) -> dict | None:
    """Median and min-max of the per-repeat ratios a / b."""
    if a not in res or b not in res:
        return None
    r = np.array(res[a]["all"]) / np.array(res[b]["all"])
    return {"median": float(np.median(r)), "min": float(r.min()), "max": float(r.max())}


def noise(res: dict) -> list[str]:
    """Floors that measured slower than what contains them: noise, not results."""
    return [f"{inner} measured slower than {outer}, which contains it: noise"
            for outer, inner in CONTAINS if outer in res and inner in res
            and res[inner]["median_s_per_epoch"] > res[outer]["median_s_per_epoch"]]


def print_table(w, res: dict) -> None:
    print(f"\n{w['name']}: {'-'.join(map(str, w['sizes']))}, batch {w['batch']}, "
          f"{w['epochs']} epochs, {np.dtype(w['dtype']).name}")
    print(f"{'contender':<26}{'ms/epoch':>10}{'test acc':>10}{'peak MB':>9}")
    for name, r in res.items():
        mem = f"{r['peak_mb']:.1f}" if r["peak_mb"] is not None else ""
        acc = "" if np.isnan(r["test_accuracy"]) else f"{r['test_accuracy']:.4f}"
        print(f"{name:<26}{r['median_s_per_epoch'] * 1e3:>10.2f}{acc:>10}{mem:>9}")
    for a, b in RATIOS:
        q = ratio(res, a, b)
        if q:
            print(f"  {a} / {b}: {q['median']:.2f}x ({q['min']:.2f}-{q['max']:.2f})")
    for line in noise(res):
        print("  " + line)


def process_figures() -> dict:
    """Wall time (median of 3) and peak memory of the commands a user runs."""
    def run(args: list[str]) -> tuple[float, float, str]:
        probe = ("import resource, subprocess, sys, time\n"
                 "t = time.perf_counter()\n"
                 "out = subprocess.run(sys.argv[1:], capture_output=True, text=True).stdout\n"
                 "print(time.perf_counter() - t, "
                 "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
                 "print(out)")
        res = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True,
                             text=True, check=True).stdout
        first, _, out = res.partition("\n")
        seconds, kb = first.split()
        return float(seconds), int(kb) / 1024, out

    py = sys.executable
    commands = {
        "import tinynet": [py, "-c", "import tinynet"],
        "import sklearn": [py, "-c", "import sklearn.datasets, sklearn.model_selection"],
        "tinynet explain rmsprop": [py, "-m", "tinynet", "explain", "rmsprop"],
        "tinynet train": [py, "-m", "tinynet", "train", "--no-progress"],
        "tinynet compare": [py, "-m", "tinynet", "compare"],
    }
    figures = {}
    for name, args in commands.items():
        runs = [run(args) for _ in range(1 if "compare" in name else 3)]
        seconds = sorted(r[0] for r in runs)[len(runs) // 2]
        figures[name] = {"seconds": seconds, "peak_mb": max(r[1] for r in runs)}
        if name == "tinynet train":
            trained = re.search(r"trained to epoch \d+ in ([\d.]+) s", runs[0][2])
            figures[name]["training_seconds"] = float(trained.group(1)) if trained else None
    return figures


LABELS = {"W1 digits f64": "W1 digits 64-128-64-10, batch 32, f64",
          "W1 digits f32": "W1 same, float32",
          "W2 moons": "W2 moons 2-32-32-2, batch 32",
          "W3 100k f32": "W3 100k x 100, 100-256-256-10, batch 256, f32"}
COLUMNS = [("tinynet (bar on)", "hand-written numpy", "bar on / hand-written"),
           ("tinynet (bar off)", "hand-written numpy", "bar off / hand-written"),
           ("tinynet (layer by layer)", "hand-written numpy", "layer by layer / hand-written"),
           ("sklearn MLP adam", "tinynet (bar on)", "MLPClassifier / tinynet"),
           ("PyTorch eager", "tinynet (bar on)", "PyTorch eager / tinynet"),
           ("tinynet (bar on)", "GEMM floor", "tinynet / GEMM floor"),
           ("hand-written numpy", "GEMM floor", "hand-written / GEMM floor"),
           ("GEMM + RMSProp", "GEMM floor", "GEMM + RMSProp / GEMM floor")]
SAME_ACCURACY = ("tinynet (bar on)", "hand-written numpy", "PyTorch eager")


def readme_table(data: dict) -> str:
    """The README's Performance tables: per-repeat ratios (median, min-max) per workload,
    tinynet's ms per epoch, any noise, and the whole-command figures."""
    results = data["results"]
    rows = ["| workload | tinynet ms/epoch | " + " | ".join(c[2] for c in COLUMNS)
            + " | test accuracy: tinynet, hand-written, PyTorch |",
            "|---" * (len(COLUMNS) + 3) + "|"]
    notes = []
    for name, res in results.items():
        cells = []
        for a, b, _ in COLUMNS:
            q = ratio(res, a, b)
            cells.append(f"{q['median']:.2f}x ({q['min']:.2f}-{q['max']:.2f})" if q else "-")
        ms = res["tinynet (bar on)"]["median_s_per_epoch"] * 1e3
        acc = ", ".join(f"{res[c]['test_accuracy']:.4f}" if c in res else "-"
                        for c in SAME_ACCURACY)
        rows.append(f"| {LABELS.get(name, name)} | {ms:.2f} | " + " | ".join(cells)
                    + f" | {acc} |")
        notes += [f"{name}: {line}" for line in noise(res)]
    meta = data["meta"]
    out = "\n".join(rows)
    out += (f"\n\n{meta['repeats']} repeats after {meta['warmup']} warm-up, BLAS threads "
            f"{meta['blas_threads']}, load average {meta['load_before']:.2f} before and "
            f"{meta['load_after']:.2f} after; PyTorch: {meta['torch'] or 'not installed'}.")
    if notes:
        out += "\n\nNoise in this run: " + "; ".join(notes) + "."
    process = data.get("process")
    if process:
        out += "\n\n| command | seconds | peak MB |\n|---|---|---|\n" + "\n".join(
            f"| `{name}` | {f['seconds']:.2f} | {f['peak_mb']:.0f} |"
            for name, f in process.items())
        again = data.get("process_meta")
        if again:  # the commands were timed again, later than the workloads
            out += (f"\n\nThe commands were timed again on {again['date']} (commit "
                    f"{again['commit']}; load average {again['load_before']:.2f} before and "
                    f"{again['load_after']:.2f} after), later than the workloads above.")
        train = process["tinynet train"]
        if train.get("training_seconds") is not None:
            out += (f"\n\n`tinynet train` takes {train['seconds']:.2f} s, of which "
                    f"{train['training_seconds']:.2f} s is training (30 epochs); importing "
                    f"scikit-learn alone takes {process['import sklearn']['seconds']:.2f} s.")
    return out


def update_process(path: str) -> None:
    """Time the whole commands again (after a change to one of them) into ``path``, with the
    date, the commit and the load, leaving the workloads' figures as they were."""
    import datetime

    from tinynet.files import atomic_open

    with open(path) as f:
        data = json.load(f)
    load_before = os.getloadavg()[0]
    data["process"] = process_figures()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=os.path.dirname(os.path.abspath(__file__))).stdout
    data["process_meta"] = {"date": datetime.date.today().isoformat(),
                            "commit": commit.strip() or "unknown",
                            "load_before": load_before, "load_after": os.getloadavg()[0]}
    with atomic_open(path, "w") as f:
        json.dump(data, f, indent=1)
    print(readme_table(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs and repeats")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed one-epoch runs first")
    parser.add_argument("--only", default=None, help="run only workloads whose name has this")
    parser.add_argument("--process", action="store_true",
                        help="also time whole commands (tinynet train, compare, ...)")
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    parser.add_argument("--table", metavar="PATH", help="print the README's tables from a JSON "
                        "file written by --json, and stop")
    parser.add_argument("--update-process", metavar="PATH", help="time the whole commands "
                        "again into a JSON file written by --json, and stop")
    args = parser.parse_args()
    if args.table:
        with open(args.table) as f:
            print(readme_table(json.load(f)))
        return
    if args.update_process:
        update_process(args.update_process)
        return
    repeats = args.repeats or (2 if args.quick else 7)
    threads = blas_threads()
    load_before = os.getloadavg()[0]
    runners = contenders(threads)
    results = {}
    for w in workloads(args.quick):
        if args.only and args.only not in w["name"]:
            continue
        results[w["name"]] = measure(w, runners, repeats, args.warmup)
        print_table(w, results[w["name"]])
    process = process_figures() if args.process else None
    if process:
        print("\n" + "\n".join(f"{n}: {f['seconds']:.2f} s, {f['peak_mb']:.0f} MB"
                               for n, f in process.items()))
    if args.json:
        torch = sys.modules.get("torch")
        meta = {"python": platform.python_version(), "numpy": np.__version__,
                "machine": platform.machine(), "repeats": repeats, "warmup": args.warmup,
                "quick": args.quick, "blas_threads": threads, "load_before": load_before,
                "load_after": os.getloadavg()[0], "torch": torch.__version__ if torch else None}
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results, "process": process}, f, indent=1)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
