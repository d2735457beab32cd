"""The bench's summary: per problem each optimizer's chosen rate, test metric mean ± std over
the seeds and epochs to the target; overall the mean rank across problems, optimizers whose
difference is within the seeds' noise sharing a rank; and the performance profile of
epochs-to-target (Dolan and Moré, 2002) when matplotlib is installed.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..files import atomic_open
from .problems import SUITE


def table(results: list[dict], problems, optimizers) -> dict:
    """{(problem, optimizer): {"lr", "mean", "std", "epochs", "runs"}} from the final runs."""
    cells = {}
    for p in problems:
        for o in optimizers:
            runs = [r for r in results if r["phase"] == "final" and r["problem"] == p
                    and r["optimizer"] == o]
            scores = [r["test_metric"] if r["test_metric"] is not None else -math.inf
                      for r in runs]
            epochs = [r["epochs_to_target"] if r["epochs_to_target"] is not None else math.inf
                      for r in runs]
            finite = [s for s in scores if math.isfinite(s)]
            cells[p, o] = {"lr": runs[0]["lr"] if runs else None, "runs": len(runs),
                           "mean": float(np.mean(scores)) if runs else -math.inf,
                           "std": float(np.std(finite)) if len(finite) > 1 else 0.0,
                           "epochs": float(np.median(epochs)) if runs else math.inf}
    return cells


def ranks(cells: dict, problems, optimizers) -> dict:
    """Mean rank per optimizer over the problems (1 is best). On a problem, optimizers whose
    mean test metric is within the larger of their two seed spreads of the best remaining
    one share its rank (the average of the places they take)."""
    total = {o: 0.0 for o in optimizers}
    for p in problems:
        order = sorted(optimizers, key=lambda o: -cells[p, o]["mean"])
        place = 0
        while place < len(order):
            lead = cells[p, order[place]]
            group = [order[place]] + [  # the lead, and those within noise of it
                o for o in order[place + 1:] if lead["mean"] == cells[p, o]["mean"]
                or lead["mean"] - cells[p, o]["mean"] <= max(lead["std"], cells[p, o]["std"])]
            shared = place + (len(group) + 1) / 2
            for o in group:
                total[o] += shared
            place += len(group)
    return {o: total[o] / len(problems) for o in optimizers}


def summary(results: list[dict], problems, optimizers, seeds: int, budget: str) -> str:
    """The summary as Markdown (printed, and written to DIR/summary.md)."""
    cells = table(results, problems, optimizers)
    lines = [f"# tinynet bench: {budget} budget, {seeds} seeds", ""]
    for p in problems:
        prob = SUITE[p]
        lines += [f"## {p}: {prob.data}; {'-'.join(map(str, prob.sizes))} {prob.activation}, "
                  f"target {prob.metric} {prob.target:g} on validation", "",
                  f"| optimizer | lr | test {prob.metric} (mean ± std) | epochs to target |",
                  "|---|---|---|---|"]
        for o in optimizers:
            c = cells[p, o]
            score = "diverged" if not math.isfinite(c["mean"]) else \
                f"{c['mean']:.4f} ± {c['std']:.4f}"
            epochs = "never" if not math.isfinite(c["epochs"]) else f"{c['epochs']:g}"
            lines.append(f"| {o} | {c['lr']:g} | {score} | {epochs} |")
        lines.append("")
    mean_rank = ranks(cells, problems, optimizers)
    lines += ["## Overall: mean rank across problems (1 is best; within noise, shared)", "",
              "| optimizer | mean rank |", "|---|---|"]
    lines += [f"| {o} | {r:.2f} |" for o, r in sorted(mean_rank.items(), key=lambda x: x[1])]
    return "\n".join(lines) + "\n"


def profile(results: list[dict], problems, optimizers, path: Path) -> bool:
    """Draw the performance profile of epochs-to-target to ``path``: for each optimizer,
    the share of problems on which it reaches the target within a factor tau of the
    fastest. False (nothing drawn) without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    cells = table(results, problems, optimizers)
    best = {p: min(cells[p, o]["epochs"] for o in optimizers) for p in problems}
    taus = np.logspace(0, 3, 200, base=2)
    fig, ax = plt.subplots(figsize=(6, 4))
    for o in optimizers:
        ratios = np.array([cells[p, o]["epochs"] / best[p] if math.isfinite(best[p])
                           else math.inf for p in problems])
        ax.step(taus, [(ratios <= t).mean() for t in taus], where="post", label=o)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("tau: epochs to target, as a multiple of the fastest optimizer's")
    ax.set_ylabel("share of problems")
    ax.set_ylim(0, 1.02)
    ax.legend()
    fig.tight_layout()
    with atomic_open(path, "wb") as f:  # never half a picture
        fig.savefig(f, dpi=100, format="png")
    plt.close(fig)
    return True
