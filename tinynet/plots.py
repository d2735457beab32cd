"""Pictures, with matplotlib (the optional ``plot`` extra: ``pip install -e '.[plot]'``).

Figures are built with matplotlib's object API (``Figure``), never pyplot, so saving a
PNG needs no display and touches no global state.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

COLORS = {"SGD": "tab:red", "Momentum": "tab:orange", "RMSProp": "tab:blue", "Adam": "tab:green",
          "Adagrad": "tab:purple"}


def have_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def new_figure(ncols: int = 1, size=(6.4, 4.8)):
    """A Figure and its axes; a clear error if matplotlib is missing."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install -e '.[plot]'") from None
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots(1, ncols)


def save(fig, path) -> Path:
    from .files import check_writable

    path = check_writable(path)
    fig.savefig(path, dpi=110)
    return path


def contour(ax, surface, levels: int = 20) -> None:
    """Log-spaced contour lines of a surface over its plotting extent."""
    x0, x1, y0, y1 = surface.extent
    X, Y = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
    F = surface.f(X, Y)
    lo = max(F.min(), 1e-4) if F.min() >= 0 else None
    if lo is not None:
        ax.contour(X, Y, F, levels=np.geomspace(lo, F.max(), levels), colors="0.75",
                   linewidths=0.7)
    else:
        ax.contour(X, Y, F, levels=levels, colors="0.75", linewidths=0.7)
    ax.plot(*surface.minimum, marker="*", color="k", markersize=10, linestyle="none")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def plot_trajectories(surface, trajectories: dict, path, title: str = "",
                      widths: dict | None = None) -> Path:
    """Each optimizer's path over the surface's contours; ``trajectories``: name -> Trajectory.
    ``widths`` (name -> line width) keeps a path visible under another that overlaps it."""
    fig, ax = new_figure(size=(6.4, 5.2))
    contour(ax, surface)
    styles = ["-", "-", "-", "--", ":"]
    for i, (name, traj) in enumerate(trajectories.items()):
        p = traj.path[np.all(np.isfinite(traj.path), axis=1)]
        width = (widths or {}).get(name, 1.4)
        ax.plot(p[:, 0], p[:, 1], marker=".", linestyle=styles[i % len(styles)],
                markersize=2.5, linewidth=width, alpha=0.6 if width > 2 else 1.0,
                color=COLORS.get(name.split(" ")[0]), label=name)
    ax.plot(*trajectories[next(iter(trajectories))].path[0], "ko", markersize=5)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or f"{type(surface).__name__}", fontsize=10)
    return save(fig, path)


def plot_histories(results, path, title: str = "") -> Path:
    """Training loss (log scale) and validation accuracy per epoch, one line per optimizer."""
    fig, (ax_loss, ax_acc) = new_figure(ncols=2, size=(10, 4))
    for r in results:
        epochs = np.arange(1, len(r.history["loss"]) + 1)
        color = COLORS.get(r.name)
        ax_loss.plot(epochs, r.history["loss"], color=color, label=r.name)
        ax_acc.plot(epochs, r.history["val_accuracy"], color=color, label=r.name)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("validation accuracy")
    ax_loss.legend()
    fig.suptitle(title, fontsize=10)
    return save(fig, path)
