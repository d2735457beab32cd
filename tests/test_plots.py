"""The pictures, read back from matplotlib's artists: what each line holds, where a diverged
or erratic rate is marked, the scales and labels, and that saving writes one whole PNG."""

import builtins
import types

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="plots need matplotlib: pip install -e '.[plot]'")

from matplotlib.colors import to_rgba  # noqa: E402

from tinynet import plots, surfaces  # noqa: E402
from tinynet.compare import Entry  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def data_lines(ax):
    """Lines drawn with a label (the legend's), in drawing order."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def test_a_new_figure_has_the_asked_columns_and_shows_itself_as_png():
    fig, ax = plots.new_figure()
    assert fig.axes == [ax] and tuple(fig.get_size_inches()) == (6.4, 4.8)
    fig, axes = plots.new_figure(ncols=3, size=(9, 3))
    assert len(axes) == 3 and tuple(fig.get_size_inches()) == (9.0, 3.0)
    png = fig._repr_png_()
    assert png.startswith(PNG)


def test_save_writes_a_png_whole_and_returns_its_path(tmp_path):
    fig, ax = plots.new_figure()
    ax.plot([0, 1], [0, 1])
    path = tmp_path / "f.png"
    path.write_bytes(b"an older picture")
    assert plots.save(fig, path) == path
    assert path.read_bytes().startswith(PNG)
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]
    assert plots._maybe_save(fig, None) is fig and [p.name for p in tmp_path.iterdir()] == [
        "f.png"]
    assert plots._maybe_save(fig, tmp_path / "g.png") is fig and (tmp_path / "g.png").exists()


def test_without_matplotlib_the_error_says_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    assert plots.have_matplotlib() is False
    with pytest.raises(ImportError, match=r"plots need matplotlib: pip install -e '\.\[plot\]'"):
        plots.new_figure()
    monkeypatch.undo()
    assert plots.have_matplotlib() is True


def test_contours_are_log_spaced_on_a_bowl_and_even_on_a_saddle():
    fig, ax = plots.new_figure()
    bowl = surfaces.Quadratic()
    bowl.extent = (0.0, 1.0, 0.0, 1.0)  # the grid holds (0, 0), where f = 0: log needs > 0
    plots.contour(ax, bowl, levels=5)
    levels = ax.collections[0].levels
    assert len(levels) == 5 and levels[0] == pytest.approx(1e-4)
    assert levels[-1] == pytest.approx(bowl.f(1.0, 1.0))
    assert np.allclose(np.diff(np.log(levels)), np.log(levels[1] / levels[0]))  # geometric
    assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim() == (0.0, 1.0)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    star = ax.get_lines()[-1]
    assert (star.get_xdata()[0], star.get_ydata()[0]) == bowl.minimum and star.get_marker() == "*"
    fig, ax = plots.new_figure()
    rosen = surfaces.Rosenbrock()
    plots.contour(ax, rosen, levels=7)
    levels = ax.collections[0].levels
    assert levels[0] == pytest.approx(1e-4)  # f's least on the grid is 1.1e-5: floored
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 3.0)
    fig, ax = plots.new_figure()
    plots.contour(ax, surfaces.Quadratic(), levels=5)  # the grid misses (0, 0)
    X, Y = np.meshgrid(np.linspace(-1.5, 1.5, 300), np.linspace(-1.5, 1.5, 300))
    lowest = surfaces.Quadratic().f(X, Y).min()
    assert lowest > 1e-4 and ax.collections[0].levels[0] == pytest.approx(lowest)
    assert levels[-1] == pytest.approx(rosen.f(-2.0, -1.0))  # the largest value on its extent
    fig, ax = plots.new_figure()
    plots.contour(ax, surfaces.Saddle(), levels=6)  # f < 0 somewhere: evenly spaced levels
    levels = np.asarray(ax.collections[0].levels)
    assert levels.min() < 0 and np.allclose(np.diff(levels), levels[1] - levels[0])


def test_trajectories_are_drawn_up_to_divergence_and_named_in_the_legend(tmp_path):
    bowl = surfaces.Quadratic(a=100.0)
    good = surfaces.run("rmsprop", bowl, steps=20)
    bad = surfaces.run(surfaces_sgd(1.0), bowl, steps=20)  # diverges at step 4
    third = surfaces.run(surfaces_sgd(0.001), bowl, steps=5)
    path = tmp_path / "t.png"
    fig = plots.plot_trajectories(bowl, {"RMSProp": good, "SGD (lr=1)": bad, "Mine": third},
                                  path, widths={"RMSProp": 3.0})
    assert path.read_bytes().startswith(PNG)
    ax = fig.axes[0]
    rms, sgd, mine = data_lines(ax)
    assert rms.get_label() == "RMSProp" and len(rms.get_xdata()) == 21
    np.testing.assert_array_equal(rms.get_xdata(), good.path[:, 0])
    np.testing.assert_array_equal(rms.get_ydata(), good.path[:, 1])
    assert sgd.get_label() == "SGD (lr=1) (diverged at step 4)" and len(sgd.get_xdata()) == 4
    np.testing.assert_array_equal(sgd.get_xdata(), bad.path[:4, 0])
    assert to_rgba(rms.get_color()) == to_rgba("tab:blue")
    assert to_rgba(sgd.get_color()) == to_rgba("tab:red")  # by the name's first word
    assert rms.get_linewidth() == 3.0 and sgd.get_linewidth() == 1.4
    assert rms.get_alpha() == 0.6 and sgd.get_alpha() == 1.0  # a wide line lets others show
    assert [line.get_linestyle() for line in (rms, sgd, mine)] == ["-", "-", "-"]
    start = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(start) == 1 and (start[0].get_xdata()[0], start[0].get_ydata()[0]) == (1.0, 1.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "RMSProp", "SGD (lr=1) (diverged at step 4)", "Mine"]
    assert ax.get_title() == "Quadratic"
    titled = plots.plot_trajectories(bowl, {"A": good}, title="a bowl")
    assert titled.axes[0].get_title() == "a bowl"


def test_the_fourth_and_fifth_paths_are_dashed_and_dotted():
    bowl = surfaces.Quadratic()
    runs = {f"run {i}": surfaces.run("sgd", bowl, steps=2) for i in range(6)}
    ax = plots.plot_trajectories(bowl, runs).axes[0]
    assert [line.get_linestyle() for line in data_lines(ax)] == ["-", "-", "-", "--", ":", "-"]


def surfaces_sgd(lr):
    from tinynet.optimizers import SGD

    return SGD(lr=lr)


def entry(name, lr, grid, erratic=(), val_loss=(1.0, 0.5, 0.25)):
    history = {"val_loss": list(val_loss)}
    return Entry(name, lr, bool(grid), dict(grid), [types.SimpleNamespace(history=history)],
                 set(erratic))


def test_the_comparison_marks_chosen_diverged_and_erratic_rates_apart():
    sgd = entry("SGD", 0.1, {0.01: 0.5, 0.1: 0.25, 1.0: np.inf})
    adam = entry("Adam", 0.001, {0.0001: 0.75, 0.001: 0.3, 0.01: 0.2, 0.1: 4.0},
                 erratic={0.01, 0.1}, val_loss=(2.0, 1.0))
    fig = plots.plot_comparison([sgd, adam], title="moons")
    ax_curve, ax_lr = fig.axes
    curves = data_lines(ax_curve)
    assert [c.get_label() for c in curves] == ["SGD, lr=0.1", "Adam, lr=0.001"]
    assert curves[0].get_xdata().tolist() == [1, 2, 3]
    assert curves[0].get_ydata().tolist() == [1.0, 0.5, 0.25]
    assert curves[1].get_xdata().tolist() == [1, 2]
    assert to_rgba(curves[1].get_color()) == to_rgba("tab:green")
    assert ax_curve.get_yscale() == "log" and ax_curve.get_xlabel() == "epoch"
    assert ax_curve.get_ylabel() == "validation loss"
    # right: the stable rates as a curve; the largest stable loss (0.75) sets where the
    # marks go: x for diverged at 1.5 times it, ? for erratic at 1.2 times it
    lines = ax_lr.get_lines()
    sgd_curve, sgd_x, sgd_q, sgd_star, adam_curve, adam_x, adam_q, adam_star = lines
    assert sgd_curve.get_xdata().tolist() == [0.01, 0.1]
    assert sgd_curve.get_ydata().tolist() == [0.5, 0.25]
    assert sgd_x.get_xdata().tolist() == [1.0] and sgd_x.get_ydata().tolist() == [0.75 * 1.5]
    assert sgd_x.get_marker() == "x" and sgd_q.get_xdata().tolist() == []
    assert (sgd_star.get_xdata().tolist(), sgd_star.get_ydata().tolist()) == ([0.1], [0.25])
    assert sgd_star.get_marker() == "*"
    assert adam_curve.get_xdata().tolist() == [0.0001, 0.001]  # erratic rates not drawn at
    assert adam_x.get_xdata().tolist() == []                   # their (machine-made) value
    assert adam_q.get_xdata().tolist() == [0.01, 0.1]
    assert adam_q.get_ydata().tolist() == [0.75 * 1.2] * 2 and adam_q.get_marker() == "$?$"
    assert ax_lr.get_xscale() == "log" and ax_lr.get_yscale() == "log"
    assert ax_lr.get_xlabel() == "learning rate"
    assert ax_lr.get_ylabel() == "final validation loss (x: diverged, ?: erratic, *: chosen)"
    assert [t.get_text() for t in ax_lr.get_legend().get_texts()] == ["SGD", "Adam"]
    assert fig._suptitle.get_text() == "moons"


def test_a_comparison_at_one_fixed_rate_has_no_rate_curves_and_no_legend_for_them():
    fixed = [entry("SGD", 0.1, {}), entry("RMSProp", 0.1, {})]
    fig = plots.plot_comparison(fixed)
    ax_curve, ax_lr = fig.axes
    assert len(data_lines(ax_curve)) == 2 and ax_lr.get_lines() == []
    assert ax_lr.get_legend() is None and ax_curve.get_legend() is not None
    everything_diverged = entry("SGD", 1.0, {0.1: np.inf, 1.0: np.inf})
    ax_lr = plots.plot_comparison([everything_diverged]).axes[1]
    assert ax_lr.get_lines()[1].get_ydata().tolist() == [1.5, 1.5]  # top defaults to 1


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_a_saved_png_is_the_figure_size_times_the_dpi(tmp_path):
    fig, _ = plots.new_figure(size=(5, 2))
    assert png_size(plots.save(fig, tmp_path / "f.png").read_bytes()) == (5 * plots.DPI,
                                                                            2 * plots.DPI)
    assert png_size(fig._repr_png_()) == (5 * plots.DPI, 2 * plots.DPI)
    traj = surfaces.run("sgd", surfaces.Quadratic(), steps=2)
    plots.plot_trajectories(surfaces.Quadratic(), {"SGD": traj}, tmp_path / "t.png")
    assert png_size((tmp_path / "t.png").read_bytes()) == (round(6.4 * plots.DPI),
                                                           round(5.2 * plots.DPI))
    plots.plot_comparison([entry("SGD", 0.1, {0.1: 0.5})], tmp_path / "c.png")
    assert png_size((tmp_path / "c.png").read_bytes()) == (10 * plots.DPI, 4 * plots.DPI)


def test_contours_cover_the_surface_at_its_own_coordinates_with_20_levels_by_default():
    for surface in (surfaces.Rosenbrock(), surfaces.Saddle()):
        fig, ax = plots.new_figure()
        plots.contour(ax, surface)
        x0, x1, y0, y1 = surface.extent
        vertices = np.concatenate([p.vertices for p in ax.collections[0].get_paths()
                                   if len(p.vertices)])
        tiny = 1e-9  # the contour lines' ends are interpolated to the border
        assert vertices[:, 0].min() >= x0 - tiny and vertices[:, 0].max() <= x1 + tiny
        assert vertices[:, 1].min() >= y0 - tiny and vertices[:, 1].max() <= y1 + tiny
        assert vertices[:, 0].max() - vertices[:, 0].min() > 0.5 * (x1 - x0)  # spread over it
    fig, ax = plots.new_figure()
    plots.contour(ax, surfaces.Quadratic())
    assert len(ax.collections[0].levels) == 20
    fig, ax = plots.new_figure()
    plots.contour(ax, surfaces.Saddle(), levels=6)  # about 6 "nice" levels, not the default 9
    assert len(ax.collections[0].levels) <= 7


def test_a_path_of_width_2_is_drawn_opaque_and_the_marks_keep_their_optimizers_colour():
    bowl = surfaces.Quadratic()
    ax = plots.plot_trajectories(bowl, {"Adam": surfaces.run("adam", bowl, steps=3)},
                                 widths={"Adam": 2.0}).axes[0]
    assert data_lines(ax)[0].get_alpha() == 1.0 and data_lines(ax)[0].get_marker() == "."
    sgd = entry("SGD", 0.1, {0.01: 0.5, 0.1: 0.25, 1.0: np.inf, 3.0: 2.0}, erratic={3.0})
    fig = plots.plot_comparison([sgd])
    assert fig._suptitle.get_text() == ""
    curve, crosses, marks, star = fig.axes[1].get_lines()
    assert (curve.get_marker(), curve.get_linestyle()) == ("o", "-")
    for line in (crosses, marks, star):
        assert line.get_linestyle() == "None"  # marks, not joined by lines
        assert to_rgba(line.get_color()) == to_rgba("tab:red")
    assert (crosses.get_marker(), marks.get_marker(), star.get_marker()) == ("x", "$?$", "*")


def test_figures_use_constrained_layout_and_put_columns_side_by_side():
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    fig, (left, right) = plots.new_figure(ncols=2)
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    a, b = left.get_position(), right.get_position()
    assert a.x1 <= b.x0 and a.y0 == b.y0  # one row, two columns


def test_the_style_table_is_what_the_marks_get():
    bowl = surfaces.Quadratic()
    fig = plots.plot_trajectories(bowl, {"SGD": surfaces.run("sgd", bowl, steps=3)},
                                  title="t")
    ax = fig.axes[0]
    contour = ax.collections[0]
    assert to_rgba(contour.get_edgecolor()[0]) == to_rgba(plots.STYLE["contour"]["colors"])
    assert contour.get_linewidth()[0] == plots.STYLE["contour"]["linewidths"]
    legend = ax.get_legend()
    assert legend._loc == 1  # "upper right"
    assert legend.get_texts()[0].get_fontsize() == plots.STYLE["legend"]["fontsize"]
    assert ax.title.get_fontsize() == plots.STYLE["title"]["fontsize"]
    start = [line for line in ax.get_lines() if line.get_marker() == "o"][0]
    assert start.get_markersize() == plots.STYLE["start"]["markersize"]
    sgd = entry("SGD", 0.1, {0.01: 0.5, 0.1: 0.25})
    fig = plots.plot_comparison([sgd], title="x")
    curve = fig.axes[1].get_lines()[0]
    assert to_rgba(curve.get_color()) == to_rgba("tab:red")
    assert fig._suptitle.get_fontsize() == plots.STYLE["title"]["fontsize"]
