"""The bench's summary: per problem each optimizer's chosen rate, test metric mean ± std over
the seeds and epochs to the target; overall the mean rank across problems, optimizers whose
difference is within the seeds' noise sharing a rank; and the performance profile of
epochs-to-target (Dolan and Moré, 2002) when matplotlib is installed.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .problems import SUITE
from .runs import GRIDS


def table(results: list[dict], problems, optimizers) -> dict:
    """{(problem, optimizer): {"lr", "mean", "std", "epochs"}} from the final runs: the mean
    test metric (-inf if a run diverged), the spread of the finite ones, and the median
    epochs to the target (inf for a run that never reached it)."""
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
            cells[p, o] = {"lr": runs[0]["lr"], "mean": float(np.mean(scores)),
                           "std": float(np.std(finite)) if finite else 0.0,
                           "epochs": float(np.median(epochs))}
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


def edge_note(budget: str) -> str:
    """What a rate marked "(grid edge)" means, and what to do about it."""
    low, high = min(GRIDS[budget]), max(GRIDS[budget])
    beyond = ("`--budget standard` tries 0.0001 to 1" if budget == "quick"
              else "rates beyond it were not tried")
    return (f"(grid edge): the best rate of the grid was its smallest or largest ({low:g} or "
            f"{high:g}), so a rate beyond it may be better: {beyond}.")


def summary(results: list[dict], problems, optimizers, seeds: int, budget: str) -> str:
    """The summary as Markdown (printed, and written to DIR/summary.md)."""
    cells = table(results, problems, optimizers)
    edges = (min(GRIDS[budget]), max(GRIDS[budget]))
    lines = [f"# tinynet bench: {budget} budget, {seeds} seeds", ""]
    for p in problems:
        prob = SUITE[p]
        lines += [f"## {p}: {prob.data}; {'-'.join(map(str, prob.sizes))} {prob.activation}, "
                  f"target {prob.metric} {prob.target:g} on validation", "",
                  f"| optimizer | lr | test {prob.metric} (mean ± std) | epochs to target "
                  f"(median) |", "|---|---|---|---|"]
        for o in optimizers:
            c = cells[p, o]
            score = "diverged" if not math.isfinite(c["mean"]) else \
                f"{c['mean']:.4f} ± {c['std']:.4f}"
            epochs = "never" if not math.isfinite(c["epochs"]) else f"{c['epochs']:g}"
            edge = " (grid edge)" if c["lr"] in edges else ""
            lines.append(f"| {o} | {c['lr']:g}{edge} | {score} | {epochs} |")
        lines.append("")
    if any(cells[p, o]["lr"] in edges for p in problems for o in optimizers):
        lines += [edge_note(budget), ""]
    mean_rank = ranks(cells, problems, optimizers)
    lines += ["## Overall: mean rank across problems (1 is best; within noise, shared)", "",
              "| optimizer | mean rank |", "|---|---|"]
    lines += [f"| {o} | {r:.2f} |" for o, r in sorted(mean_rank.items(), key=lambda x: x[1])]
    return "\n".join(lines) + "\n"


TAUS = np.logspace(0, 3, 200, base=2)  # the profile's x axis: 1 to 8 times the fastest


def shares(results: list[dict], problems, optimizers, taus=TAUS) -> dict:
    """The performance profile (Dolan and Moré, 2002): for each optimizer, at each tau, the
    share of problems on which its epochs to the target are at most tau times the fastest
    optimizer's. A problem it never solves counts against it at every tau."""
    cells = table(results, problems, optimizers)
    best = {p: min(cells[p, o]["epochs"] for o in optimizers) for p in problems}
    return {o: np.array([np.mean([math.isfinite(cells[p, o]["epochs"])
                                  and cells[p, o]["epochs"] <= tau * best[p]
                                  for p in problems]) for tau in taus])
            for o in optimizers}


def profile(results: list[dict], problems, optimizers, path: Path):
    """Draw the performance profile of epochs-to-target (``shares``) and save it to
    ``path``: the figure, or None (nothing drawn) without matplotlib."""
    from ..plots import have_matplotlib, new_figure, save

    if not have_matplotlib():
        return None
    fig, ax = new_figure(size=(6, 4))
    for o, share in shares(results, problems, optimizers).items():
        ax.step(TAUS, share, where="post", label=o)
    ax.set_xscale("log", base=2)
    ax.set(xlabel="tau: epochs to target, as a multiple of the fastest optimizer's",
           ylabel="share of problems", ylim=(0, 1.02))
    ax.legend()
    save(fig, path)  # atomically: never half a picture
    return fig
