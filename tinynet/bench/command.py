"""``tinynet bench``: the options, and the run from tuning to summary."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .. import optimizers
from ..files import atomic_open
from ..parallel import connect
from ..usercode import for_workers
from .problems import SUITE
from .report import profile, summary
from .runner import final_runs, prepare, problems_known, read_results, run_all, tuning_runs

DEFAULT_OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")


def add_parser(commands, argtypes) -> argparse.ArgumentParser:
    """``tinynet bench`` among ``commands`` (the subparsers of ``tinynet``)."""
    parser = commands.add_parser(
        "bench", help="benchmark optimizers over a suite of problems, tuned and seeded",
        description="Tune every optimizer's learning rate on each problem's validation "
        "split, run the best rate with several seeds, and summarise: test metric mean ± std, "
        "epochs to the target, mean rank, a performance profile. Runs run in parallel "
        "(--jobs, or a Dask cluster with --dask), each result saved as it finishes: the same "
        "command again goes on where it stopped.")
    parser.add_argument("--problems", type=argtypes.name_list, default=list(SUITE),
                        metavar="A,B", help=f"problems of the suite (default: "
                        f"{','.join(SUITE)})")
    parser.add_argument("--optimizers", type=argtypes.name_list,
                        default=list(DEFAULT_OPTIMIZERS), metavar="A,B",
                        help="registered names (default: sgd,momentum,rmsprop,adam)")
    parser.add_argument("--seeds", type=argtypes.positive(int), default=3,
                        help="runs at the chosen rate (default: 3)")
    parser.add_argument("--budget", choices=["quick", "standard"], default="quick",
                        help="the lr grid and the epochs (default: quick)")
    parser.add_argument("--jobs", type=argtypes.positive(int), default=1,
                        help="local worker processes (default: 1)")
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="a Dask scheduler, e.g. tcp://127.0.0.1:8786")
    parser.add_argument("--out", default="bench-results", metavar="DIR",
                        help="results.jsonl, summary.md, profile.png (default: bench-results)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(run=cmd_bench)
    return parser


def cmd_bench(args: argparse.Namespace) -> int:
    problems = problems_known(args.problems)
    names = [optimizers.lookup(n).name or n for n in args.optimizers]  # unknown: one line
    folder = Path(args.out)
    imports = for_workers(args.all_imports)
    if args.dask and args.jobs != 1:
        raise ValueError("--jobs is for local processes; with --dask the cluster's workers "
                         "run the runs (start more with `dask worker ADDRESS`)")
    client = connect(args.dask) if args.dask else None  # unreachable: nothing written
    try:
        prepare(folder, {"problems": problems, "optimizers": names, "seeds": args.seeds,
                         "budget": args.budget, "imports": list(imports)})
        return _bench(args, problems, names, folder, imports, client)
    finally:
        if client is not None:
            client.close()


def _bench(args, problems, names, folder, imports, client) -> int:
    from ..commands import runs_bar

    tuning = tuning_runs(problems, names, args.budget)
    total = len(tuning) + len(problems) * len(names) * args.seeds
    start = time.perf_counter()
    with runs_bar(total, args.no_progress, desc="bench", leave=True) as bar:
        done_before = len(read_results(folder))
        print(f"{done_before} of {total} runs already done")
        bar.update(done_before)
        results = run_all(tuning, folder, args.jobs, client, imports, bar)
        finals = final_runs(results, problems, names, args.seeds, args.budget)
        results = run_all(finals, folder, args.jobs, client, imports, bar)
    text = summary(results, problems, names, args.seeds, args.budget)
    with atomic_open(folder / "summary.md", "w") as f:
        f.write(text)
    print(text)
    drew = profile(results, problems, names, folder / "profile.png") is not None
    print(f"{total} runs in {time.perf_counter() - start:.1f} s; wrote {folder / 'summary.md'}"
          + (f" and {folder / 'profile.png'}" if drew else " (pip install matplotlib for "
             "the performance profile)"))
    return 0

