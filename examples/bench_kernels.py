"""Does ``tinynet bench`` give the same numbers on another CPU?

    python examples/bench_kernels.py                       # the AdaBelief bench, 4 kernels
    python examples/bench_kernels.py --problems digits --kernels ,Prescott

On one machine a bench gives the same results line for line whatever runs it (one process,
several, a Dask cluster). Another CPU's BLAS kernel rounds a matrix product differently in
the last bit; a stable run then ends the same to the digits the summary shows, but a run
past the edge of stability ends elsewhere, and a tuning run that ends elsewhere can choose
another rate. This runs the README's AdaBelief bench (quick budget) once per OpenBLAS kernel family
(``OPENBLAS_CORETYPE``; the first, empty, is this machine's own) and prints what changed
against the first: the chosen rates, each test-metric mean against its seeds' spread, and
the mean ranks.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tinynet.bench import report, runner
from tinynet.bench.problems import SUITE

ROOT = Path(__file__).resolve().parent.parent
OPTIMIZERS = "adabelief,sgd,momentum,rmsprop,adam"


def bench(kernel: str, problems: str, folder: str) -> tuple[dict, dict]:
    """One quick bench under ``OPENBLAS_CORETYPE=kernel``: its summary cells and mean ranks."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OPENBLAS_CORETYPE", None)  # unset: OpenBLAS picks the CPU's own kernel
    if kernel:
        env["OPENBLAS_CORETYPE"] = kernel
    out = Path(folder) / (kernel or "default")
    subprocess.run([sys.executable, "-m", "tinynet", "bench", "--import",
                    str(ROOT / "examples" / "custom_optimizer.py"), "--optimizers", OPTIMIZERS,
                    "--problems", problems, "--no-progress", "--out", str(out)],
                   env=env, check=True, capture_output=True)
    results = runner.read_results(out)
    names, chosen = OPTIMIZERS.split(","), problems.split(",")
    cells = report.table(results, chosen, names)
    return cells, report.ranks(cells, chosen, names)


def label(kernel: str) -> str:
    return kernel or "unset (the CPU's own)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", default=",".join(SUITE), help="default: the suite")
    parser.add_argument("--kernels", default=",Haswell,Prescott,SkylakeX",
                        help="OPENBLAS_CORETYPE values; empty is this machine's own")
    args = parser.parse_args()
    kernels = args.kernels.split(",")
    with tempfile.TemporaryDirectory() as folder:
        runs = {k: bench(k, args.problems, folder) for k in kernels}
    base_cells, base_ranks = runs[kernels[0]]
    pairs = len(base_cells)
    print(f"the AdaBelief bench (quick, 3 seeds), {pairs} (problem, optimizer) pairs; each "
          f"kernel against {label(kernels[0])}\n")
    print("| OPENBLAS_CORETYPE | pairs with another rate | pairs with another mean | "
          "largest change of a mean / its spread | largest change of a mean rank |")
    print("|---|---|---|---|---|")
    for kernel in kernels[1:]:
        cells, ranks = runs[kernel]
        other_rate = [key for key in cells if cells[key]["lr"] != base_cells[key]["lr"]]
        moved = [key for key in cells if abs(cells[key]["mean"] - base_cells[key]["mean"]) > 5e-5]
        ratios = [abs(cells[k]["mean"] - base_cells[k]["mean"])
                  / max(cells[k]["std"], base_cells[k]["std"], 1e-12) for k in moved]
        rank_change = max(abs(ranks[o] - base_ranks[o]) for o in ranks)
        print(f"| {label(kernel)} | {len(other_rate)} "
              f"({', '.join('/'.join(k) for k in other_rate) or '-'}) | {len(moved)} | "
              f"{max(ratios, default=0):.2f} | {rank_change:.2f} |")
    print("\n| optimizer | " + " | ".join(f"mean rank, {label(k)}" for k in kernels) + " |")
    print("|---" * (len(kernels) + 1) + "|")
    for name, _ in sorted(base_ranks.items(), key=lambda x: x[1]):
        print(f"| {name} | " + " | ".join(f"{runs[k][1][name]:.2f}" for k in kernels) + " |")

if __name__ == "__main__":
    main()
