"""Pictures, with matplotlib (the optional ``plot`` extra: ``pip install -e '.[plot]'``).

Figures are built with matplotlib's object API (``Figure``), never pyplot, so saving a
PNG needs no display and touches no global state. Every helper returns its Figure (a
notebook shows it inline) and saves a PNG only when given a path.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

COLORS = {"SGD": "tab:red", "Momentum": "tab:orange", "RMSProp": "tab:blue", "Adam": "tab:green",
          "Adagrad": "tab:purple"}
DPI = 110  # a saved PNG is its figure size in inches times this, in pixels
# How each kind of mark looks (not what it shows): one place to restyle every figure.
STYLE = {
    "contour": {"colors": "0.75", "linewidths": 0.7},
    "minimum": {"marker": "*", "color": "k", "markersize": 10, "linestyle": "none"},
    "path": {"marker": ".", "markersize": 2.5},
    "start": {"marker": "o", "color": "k", "markersize": 5, "linestyle": "none"},
    "rates": {"marker": "o", "linestyle": "-"},
    "diverged": {"marker": "x", "linestyle": "none", "markersize": 8},
    "erratic": {"marker": "$?$", "linestyle": "none", "markersize": 8},
    "chosen": {"marker": "*", "linestyle": "none", "markersize": 12},
    "legend": {"fontsize": 8},
    "title": {"fontsize": 10},
}


def have_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def new_figure(ncols: int = 1, size=(6.4, 4.8)):
    """A Figure (shown inline when it ends a notebook cell) and its axes; a clear error if
    matplotlib is missing."""
    fig = _figure_class()(figsize=size, layout="constrained")
    return fig, fig.subplots(1, ncols)


def _figure_class():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install -e '.[plot]'") from None

    class InlineFigure(Figure):
        """A Figure that Jupyter displays as a PNG, with no pyplot and no backend set-up."""

        def _repr_png_(self) -> bytes:
            buf = io.BytesIO()
            self.savefig(buf, dpi=DPI, format="png")
            return buf.getvalue()

    return InlineFigure


def save(fig, path) -> Path:
    """Write the figure as a PNG, atomically (as every tinynet save)."""
    from .files import atomic_open

    with atomic_open(path) as f:
        fig.savefig(f, dpi=DPI, format="png")
    return Path(path)


def _maybe_save(fig, path):
    """The figure, saved as a PNG first when ``path`` is given."""
    if path is not None:
        save(fig, path)
    return fig


def contour(ax, surface, levels: int = 20) -> None:
    """Log-spaced contour lines of a surface over its plotting extent."""
    x0, x1, y0, y1 = surface.extent
    X, Y = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
    F = surface.f(X, Y)
    lo = max(F.min(), 1e-4) if F.min() >= 0 else None
    if lo is not None:
        ax.contour(X, Y, F, levels=np.geomspace(lo, F.max(), levels), **STYLE["contour"])
    else:
        ax.contour(X, Y, F, levels=levels, **STYLE["contour"])
    ax.plot(*surface.minimum, **STYLE["minimum"])
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def plot_trajectories(surface, trajectories: dict, path=None, title: str = "",
                      widths: dict | None = None):
    """Each optimizer's path over the surface's contours; ``trajectories``: name -> Trajectory.
    ``widths`` (name -> line width) keeps a path visible under another that overlaps it."""
    fig, ax = new_figure(size=(6.4, 5.2))
    contour(ax, surface)
    styles = ["-", "-", "-", "--", ":"]
    for i, (name, traj) in enumerate(trajectories.items()):
        broke = traj.diverged_at()  # drawn up to there, and said in the legend
        p = traj.path[:broke]
        width = (widths or {}).get(name, 1.4)
        label = name if broke is None else f"{name} (diverged at step {broke})"
        ax.plot(p[:, 0], p[:, 1], linestyle=styles[i % len(styles)], linewidth=width,
                alpha=0.6 if width > 2 else 1.0, color=COLORS.get(name.split(" ")[0]),
                label=label, **STYLE["path"])
    ax.plot(*trajectories[next(iter(trajectories))].path[0], **STYLE["start"])
    ax.legend(loc="upper right", **STYLE["legend"])
    ax.set_title(title or f"{type(surface).__name__}", **STYLE["title"])
    return _maybe_save(fig, path)


def plot_comparison(entries, path=None, title: str = ""):
    """Left: validation loss per epoch, each optimizer at its chosen rate (first seed).
    Right: final validation loss against learning rate, one curve per optimizer, an x at
    the top for a rate that diverged and a ? below it for an erratic one (its loss differs
    from machine to machine, so it is not drawn at its value)."""
    fig, (ax_curve, ax_lr) = new_figure(ncols=2, size=(10, 4))
    top = max((v for e in entries for lr, v in e.grid.items()
               if np.isfinite(v) and lr not in e.erratic), default=1.0)
    for e in entries:
        color = COLORS.get(e.name)
        run = e.runs[0]
        epochs = np.arange(1, len(run.history["val_loss"]) + 1)
        ax_curve.plot(epochs, run.history["val_loss"], color=color, label=f"{e.name}, lr={e.lr:g}")
        if e.grid:
            lrs = np.array(sorted(e.grid))
            scores = np.array([e.grid[lr] for lr in lrs])
            erratic = np.isin(lrs, sorted(e.erratic))
            ok = np.isfinite(scores) & ~erratic
            ax_lr.plot(lrs[ok], scores[ok], color=color, label=e.name, **STYLE["rates"])
            diverged = ~ok & ~erratic
            ax_lr.plot(lrs[diverged], np.full(diverged.sum(), top * 1.5), color=color,
                       **STYLE["diverged"])
            ax_lr.plot(lrs[erratic], np.full(erratic.sum(), top * 1.2), color=color,
                       **STYLE["erratic"])
            ax_lr.plot([e.lr], [e.grid[e.lr]], color=color, **STYLE["chosen"])
    ax_curve.set_yscale("log")
    ax_curve.set_xlabel("epoch")
    ax_curve.set_ylabel("validation loss")
    ax_curve.legend(**STYLE["legend"])
    ax_lr.set_xscale("log")
    ax_lr.set_yscale("log")
    ax_lr.set_xlabel("learning rate")
    ax_lr.set_ylabel("final validation loss (x: diverged, ?: erratic, *: chosen)")
    if any(e.grid for e in entries):
        ax_lr.legend(**STYLE["legend"])
    fig.suptitle(title, **STYLE["title"])
    return _maybe_save(fig, path)
