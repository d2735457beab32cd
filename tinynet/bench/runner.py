"""Running many benchmark runs (through ``parallel.each``: here, in local worker processes,
or on a Dask cluster), appending each finished run to ``results.jsonl`` as one JSON line,
so a stopped bench goes on where it stopped.

The protocol: every optimizer is tuned on each problem over the learning-rate grid (seed 0,
the validation metric), then run at its best rate with every seed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..parallel import each
from .problems import SUITE
from .runs import GRIDS, Run, execute

RESULTS, MANIFEST = "results.jsonl", "bench.json"


def tuning_runs(problems, optimizers, budget: str) -> list[Run]:
    return [Run(p, o, lr, 0, "tune", budget)
            for p in problems for o in optimizers for lr in GRIDS[budget]]


def best_rate(results: list[dict], problem: str, optimizer: str):
    """The rate of the best validation metric among the tuning runs (a diverged run is
    worst; a tie goes to the smaller rate)."""
    tuned = [r for r in results if r["phase"] == "tune" and r["problem"] == problem
             and r["optimizer"] == optimizer]
    if not tuned:
        return None
    return max(tuned, key=lambda r: (r["val_metric"] if r["val_metric"] is not None
                                     else float("-inf"), -r["lr"]))["lr"]


def final_runs(results: list[dict], problems, optimizers, seeds: int, budget: str):
    return [Run(p, o, best_rate(results, p, o), s, "final", budget)
            for p in problems for o in optimizers for s in range(seeds)]


def read_results(folder: Path) -> list[dict]:
    """The finished runs in ``folder``; a last line cut short by a crash is left out."""
    path = folder / RESULTS
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def prepare(folder: Path, arguments: dict) -> None:
    """Make ``folder`` the home of this bench, or check that it already is: a folder holding
    another bench's runs (other arguments) or other files is refused."""
    manifest = folder / MANIFEST
    if manifest.exists():
        saved = json.loads(manifest.read_text())
        if saved != arguments:
            differ = [k for k in arguments if saved.get(k) != arguments[k]]
            raise ValueError(f"{folder} holds a bench run with other arguments ("
                             f"{', '.join(f'{k} {saved.get(k)!r}' for k in differ)}): "
                             f"choose another --out, or delete the folder")
        return
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty and holds no bench: choose another --out")
    folder.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps(arguments, indent=1) + "\n")


def _ends_mid_line(path: Path) -> bool:
    """True when the file's last line was cut short (a crash while it was written)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) != b"\n"


def run_all(runs: list[Run], folder: Path, jobs: int = 1, client=None, imports: tuple = (),
            progress=None) -> list[dict]:
    """Run every run not yet in ``folder``'s results (each line appended as its run
    finishes); every result, old and new."""
    results = read_results(folder)
    done = {r["key"] for r in results}
    todo = [r for r in runs if r.key not in done]
    cut = _ends_mid_line(folder / RESULTS)
    with open(folder / RESULTS, "a", encoding="utf-8") as out:
        if cut:
            out.write("\n")  # the line a crash cut short stays alone on its line
        for _, result in each(execute, todo, jobs, client, imports):
            out.write(json.dumps(result) + "\n")  # one write per line: never half a run
            out.flush()
            results.append(result)
            if progress is not None:
                progress.update(1)
    return results


def problems_known(names) -> list[str]:
    unknown = [n for n in names if n not in SUITE]
    if unknown:
        raise ValueError(f"unknown problem {unknown[0]!r}: choose from {', '.join(SUITE)}")
    return list(names)
