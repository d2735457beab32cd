"""How long do ``tinynet bench`` and ``tinynet compare`` take, and what do local worker
processes buy?

    python examples/bench_speed.py              # bench quick with --jobs 1 and 2, standard
                                                # with 2; compare with 1 and 2
    python examples/bench_speed.py --standard-jobs 1,2

Runs the bench's default suite and optimizers (3 seeds), each in a fresh temporary folder,
and ``tinynet compare`` with its defaults (digits, 4 optimizers tuned, 3 seeds), timing the
whole command, and prints a table: command, jobs, runs, wall time, and the time against
``--jobs 1`` where both were run. The README's figures come from its output; the machine is
shared and noisy, so a ratio is one run's, not a constant.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_bench(budget: str, jobs: int) -> tuple[int, float]:
    """(runs, seconds) of one ``tinynet bench --budget BUDGET --jobs JOBS`` in a new folder."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "tinynet", "bench", "--budget", budget,
                               "--jobs", str(jobs), "--no-progress", "--out", f"{folder}/b"],
                              capture_output=True, text=True, env=env, check=True)
        seconds = time.perf_counter() - start
    runs = int(done.stdout.split(" of ", 1)[1].split()[0])  # "0 of N runs already done"
    return runs, seconds


def timed_compare(jobs: int) -> tuple[int, float]:
    """(runs, seconds) of one ``tinynet compare --jobs JOBS``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tinynet", "compare", "--jobs", str(jobs),
                           "--no-progress"], capture_output=True, text=True, env=env,
                          check=True)
    seconds = time.perf_counter() - start
    runs = int(done.stdout.split(" training runs")[0].split()[-1])  # "84 training runs: ..."
    return runs, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick-jobs", default="1,2", help="bench --jobs values at quick")
    parser.add_argument("--standard-jobs", default="2", help="bench --jobs values at standard")
    parser.add_argument("--compare-jobs", default="1,2", help="compare --jobs values")
    args = parser.parse_args()
    rows = []
    cases = (("tinynet bench --budget quick", args.quick_jobs,
              lambda n: timed_bench("quick", n)),
             ("tinynet bench --budget standard", args.standard_jobs,
              lambda n: timed_bench("standard", n)),
             ("tinynet compare", args.compare_jobs, timed_compare))
    for command, jobs, timed in cases:
        single = None
        for n in (int(j) for j in jobs.split(",") if j):
            runs, seconds = timed(n)
            single = seconds if n == 1 else single
            ratio = f"{seconds / single:.2f}x" if single and n != 1 else ""
            rows.append((f"`{command}`", n, runs, f"{seconds:.1f}", ratio))
    print(f"bench: default suite, 4 optimizers, 3 seeds; compare: digits, 4 optimizers tuned, "
          f"3 seeds; {os.cpu_count()} cores\n")
    print("| command | --jobs | runs | wall time (s) | against --jobs 1 |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(x) for x in row) + " |")


if __name__ == "__main__":
    main()
