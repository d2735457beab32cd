"""The tables ``tinynet compare`` prints: optimizers side by side on a dataset (final
figures as mean ± spread over the seeds), the learning-rate grid, and runs on a surface."""

from __future__ import annotations

import numpy as np

from .compare import Entry, Result


def _hp(opt) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in opt.hyperparams().items()
                     if isinstance(v, float) and (k != "weight_decay" or v))


def _format(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths))) for r in [header, *rows]]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


def _mean_spread(values: list[float], digits: int = 4) -> str:
    """``0.9722`` for one value, ``0.9722 ± 0.0041`` (mean ± standard deviation) for more."""
    values = [v for v in values if v is not None and np.isfinite(v)]
    if not values:
        return "diverged"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"


def data_table(entries: list[Entry], target: float, times: bool = True) -> str:
    """One row per optimizer: its rate, final figures (mean ± spread over the seeds),
    epochs to the target validation accuracy, and (``times``) seconds per run."""
    header = ["optimizer", "lr", "train loss", "val loss", "val acc", "test acc",
              f"epochs to val acc>={target:g}"] + ["seconds"] * times
    rows = []
    for e in entries:
        ok = [r for r in e.runs if r.diverged is None]
        reached = [r.target_epoch for r in e.runs if r.target_epoch is not None]
        if not reached:
            epochs = "never"
        elif len(e.runs) == 1:
            epochs = str(reached[0])
        else:
            never = len(e.runs) - len(reached)
            epochs = _mean_spread(reached, 1) + (f" ({never} never)" if never else "")
        how = ""
        if e.tuned:
            edge = e.lr in (min(e.grid), max(e.grid))
            how = " (tuned, grid edge)" if edge else " (tuned)"
        rows.append([e.name, f"{e.lr:g}{how}",
                     _mean_spread([r.history["loss"][-1] for r in ok]),
                     _mean_spread([r.history["val_loss"][-1] for r in ok]),
                     _mean_spread([r.history["val_accuracy"][-1] for r in ok]),
                     _mean_spread([r.test["accuracy"] for r in ok]), epochs]
                    + [f"{np.mean([r.seconds for r in e.runs]):.2f}"] * times)
    return _format(header, rows)


def grid_cell(loss: float, erratic: bool) -> str:
    """A final validation loss as the grid table shows it: a robust word where the number
    would depend on the last bit of the arithmetic."""
    if erratic:
        return "erratic"
    return "diverged" if not np.isfinite(loss) else f"{loss:.4f}"


def grid_table(entries: list[Entry]) -> str:
    """Final validation loss for every learning rate tried, one column per optimizer."""
    grid = sorted({lr for e in entries for lr in e.grid})
    header = ["lr", *(e.name for e in entries)]
    rows = [[f"{lr:g}", *(grid_cell(e.grid[lr], lr in e.erratic) + (" *" if lr == e.lr else "")
                          for e in entries)] for lr in grid]
    return _format(header, rows)


def grid_report(entries: list[Entry]) -> str:
    """The grid table with its title, and what "erratic" means when a cell says it."""
    text = ["final validation loss per learning rate (* the one chosen)", grid_table(entries)]
    if any(e.erratic for e in entries):
        text.append("erratic: from the first rate where the run and its twin from weights "
                    "nudged in the\nlast bit end apart, the loss differs from machine to "
                    "machine (never chosen)")
    for e in entries:  # no stable rate on the grid: the choice itself is not reproducible
        if e.lr in e.erratic:
            text.append(f"{e.name}: every rate on the grid is erratic; the lowest loss among "
                        f"them ({e.lr:g}) is shown, but another CPU may choose another: "
                        f"add smaller rates with --lrs")
    return "\n".join(text)


def surface_table(results: list[Result], threshold: float, surface) -> str:
    """Steps to f < threshold (and from when it stays there), or, on a surface without a
    minimum, steps to escape and distance travelled; a diverged run says so."""
    if surface.has_minimum:
        header = ["optimizer", "hyperparameters", f"steps to f<{threshold:g}",
                  "stays below from", "final f", "final (x, y)"]
    else:
        header = ["optimizer", "hyperparameters", "steps to escape (|y|>=1)",
                  "distance travelled", "final f", "final (x, y)"]
    rows = []
    for r in results:
        traj = r.trajectory
        broke = traj.diverged_at()
        if surface.has_minimum:
            first, settled = traj.steps_to(threshold), traj.steps_to(threshold, stay=True)
            if broke is not None:
                first = first if first is not None and first < broke else None
                settled = None
            cells = [str(first) if first is not None else "never",
                     str(settled) if settled is not None else "never"]
        else:
            escape = surface.escape_step(traj.path)
            cells = [str(escape) if escape is not None and (broke is None or escape < broke)
                     else "never", f"{traj.distance_travelled():.3g}"]
        if broke is not None:
            end = [f"diverged at step {broke}", "-"]
        else:
            x, y = traj.path[-1]
            end = [f"{traj.losses[-1]:.3g}", f"({x:.3g}, {y:.3g})"]
        rows.append([r.name, _hp(r.optimizer), *cells, *end])
    return _format(header, rows)
