"""The 2-D surfaces optimizers are watched on: each f and its gradient, the trajectory a run
records, and what a trajectory says about itself (when it got low, when it blew up)."""

import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet import surfaces

ALL = [surfaces.Quadratic(), surfaces.Quadratic(a=3.0), surfaces.RotatedQuadratic(),
       surfaces.RotatedQuadratic(a=10.0, angle=0.3), surfaces.Rosenbrock(),
       surfaces.Rosenbrock(a=-0.5, b=2.0), surfaces.Saddle()]


@pytest.mark.parametrize("surface", ALL, ids=repr)
@pytest.mark.parametrize("point", [(0.3, -0.7), (-1.2, 0.4), (1.5, 2.0)])
def test_each_gradient_is_the_central_difference_of_its_f(surface, point):
    h = 1e-6
    x, y = point
    numeric = [(surface.f(x + h, y) - surface.f(x - h, y)) / (2 * h),
               (surface.f(x, y + h) - surface.f(x, y - h)) / (2 * h)]
    np.testing.assert_allclose(surface.grad(np.array(point)), numeric, rtol=1e-6, atol=1e-6)


def test_the_values_of_f_worked_by_hand():
    assert surfaces.Quadratic(a=100).f(1.0, 2.0) == 0.5 * (100 + 4)
    assert surfaces.Quadratic(a=100).grad(np.array([1.0, 2.0])).tolist() == [100.0, 2.0]
    assert surfaces.Rosenbrock().f(1.0, 1.0) == 0.0 and surfaces.Rosenbrock().f(0.0, 0.0) == 1.0
    assert surfaces.Rosenbrock(a=1, b=100).f(0.0, 1.0) == 1.0 + 100.0
    assert surfaces.Rosenbrock().grad(np.array([0.0, 0.0])).tolist() == [-2.0, 0.0]
    assert surfaces.Saddle().f(2.0, 1.0) == 1.5 and surfaces.Saddle().f(0.0, 2.0) == -2.0
    assert surfaces.Saddle().grad(np.array([2.0, 3.0])).tolist() == [2.0, -3.0]
    turned = surfaces.RotatedQuadratic(a=100.0, angle=0.0)
    assert turned.f(1.0, 2.0) == surfaces.Quadratic(a=100.0).f(1.0, 2.0)
    # turned by 45 degrees, the steep direction is the diagonal (1, 1) / sqrt(2)
    diagonal = surfaces.RotatedQuadratic(a=100.0, angle=np.pi / 4)
    assert diagonal.f(1.0, 1.0) == pytest.approx(0.5 * 100 * 2)
    assert diagonal.f(1.0, -1.0) == pytest.approx(0.5 * 2)
    np.testing.assert_allclose(diagonal.grad(np.array([1.0, 1.0])), [100.0, 100.0])


def test_minima_starts_and_names():
    assert surfaces.Rosenbrock(a=2.0).minimum == (2.0, 4.0)
    assert surfaces.Rosenbrock(a=2.0).f(*surfaces.Rosenbrock(a=2.0).minimum) == 0.0
    for surface in ALL:
        assert surface.f(*surface.minimum) == 0.0
        assert np.all(surface.grad(np.array(surface.minimum, dtype=float)) == 0.0)
        x0, x1, y0, y1 = surface.extent  # the start and the minimum are in the picture
        assert x0 <= surface.start[0] <= x1 and y0 <= surface.start[1] <= y1
        assert x0 <= surface.minimum[0] <= x1 and y0 <= surface.minimum[1] <= y1
        assert surfaces.get(surface.name).name == surface.name
    assert [s.has_minimum for s in ALL] == [True] * 6 + [False]
    assert surfaces.Saddle().start == (1.0, 1e-3)  # almost on the ridge: the docstring's story
    assert sorted(surfaces.SURFACES) == ["quadratic", "rosenbrock", "rotated", "saddle"]
    # the article's bowl: the x-gradient 100 times steeper
    assert surfaces.Quadratic().a == surfaces.RotatedQuadratic().a == 100.0
    assert surfaces.RotatedQuadratic().angle == np.pi / 4
    assert (surfaces.Rosenbrock().a, surfaces.Rosenbrock().b) == (1.0, 100.0)


def test_reprs_name_the_arguments():
    assert repr(surfaces.Quadratic(a=3)) == "Quadratic(a=3.0)"
    assert repr(surfaces.Rosenbrock()) == "Rosenbrock(a=1.0, b=100.0)"
    assert repr(surfaces.RotatedQuadratic(a=2, angle=0.5)) == "RotatedQuadratic(a=2.0, angle=0.5)"
    assert repr(surfaces.Saddle()) == "Saddle()"


def test_get_builds_by_name_with_arguments_and_names_the_choices():
    surface = surfaces.get("quadratic", a=4.0)
    assert isinstance(surface, surfaces.Quadratic) and surface.a == 4.0
    with pytest.raises(ValueError, match="unknown surface 'bowl'; available: quadratic, "
                                         "rosenbrock, rotated, saddle"):
        surfaces.get("bowl")
    with pytest.raises(ValueError, match="unknown surface 3"):
        surfaces.get(3)
    with pytest.raises(ValueError, match="b must be > 0"):
        surfaces.Rosenbrock(b=0.0)
    with pytest.raises(ValueError, match="a must be > 0"):
        surfaces.RotatedQuadratic(a=-1.0)
    with pytest.raises(ValueError, match="a must be finite, got nan"):
        surfaces.Rosenbrock(a=np.nan)
    with pytest.raises(ValueError, match="angle must be finite"):
        surfaces.RotatedQuadratic(angle=np.inf)


def test_a_point_is_a_layer_with_only_w():
    point = surfaces.Point((1, 2))
    assert point.W.dtype == np.float64 and point.W.tolist() == [1.0, 2.0]
    assert point.dW.tolist() == [0.0, 0.0] and point.b.shape == point.db.shape == (0,)
    for bad in ([], [[1.0, 2.0]], [1.0, np.inf], [np.nan, 0.0]):
        with pytest.raises(ValueError, match="start must be finite numbers"):
            surfaces.Point(bad)


def test_run_records_the_start_then_each_sgd_step_and_f_along_the_path():
    surface = surfaces.Quadratic(a=10.0)
    traj = surfaces.run(tn.optimizers.SGD(lr=0.05), surface, start=(1.0, 2.0), steps=3)
    expected = [np.array([1.0, 2.0])]
    for _ in range(3):  # p <- p - lr * (a x, y)
        p = expected[-1]
        expected.append(p - 0.05 * np.array([10.0 * p[0], p[1]]))
    np.testing.assert_array_equal(traj.path, np.array(expected))
    np.testing.assert_array_equal(traj.losses, surface.f(traj.path[:, 0], traj.path[:, 1]))
    assert traj.path.shape == (4, 2) and traj.losses.shape == (4,)


def test_run_takes_names_the_surfaces_start_and_zero_steps():
    traj = surfaces.run("sgd", "rosenbrock", steps=0)
    assert traj.path.tolist() == [[-1.5, 2.0]] and traj.losses.shape == (1,)
    by_name = surfaces.run("rmsprop", "saddle", steps=5)
    by_object = surfaces.run(tn.optimizers.RMSProp(), surfaces.Saddle(), steps=5)
    np.testing.assert_array_equal(by_name.path, by_object.path)
    assert surfaces.run("sgd", "quadratic", steps=2).path.shape == (3, 2)
    assert surfaces.run("sgd", "quadratic").path.shape == (101, 2)  # 100 steps by default
    with pytest.raises(ValueError, match="steps must be >= 0"):
        surfaces.run("sgd", "quadratic", steps=-1)
    with pytest.raises(ValueError, match=r"start must be two numbers \(x, y\), got \(1, 2, 3\)"):
        surfaces.run("sgd", "quadratic", start=(1, 2, 3))


def test_a_diverging_run_goes_on_quietly_and_says_where_it_blew_up():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings
        traj = surfaces.run(tn.optimizers.SGD(lr=1.0), surfaces.Quadratic(a=100.0), steps=400)
    assert traj.path.shape == (401, 2) and not np.all(np.isfinite(traj.path))
    # x is multiplied by 1 - 100 = -99 each step: |x| = 99**t passes 1e6 at t = 4
    assert traj.diverged_at() == 4
    assert traj.distance_travelled() == pytest.approx(
        np.sum(np.linalg.norm(np.diff(traj.path[:4], axis=0), axis=1)))


def test_steps_to_first_or_for_good():
    traj = surfaces.Trajectory(np.zeros((5, 2)), np.array([3.0, 1.0, 2.0, 0.5, 0.4]))
    assert traj.steps_to(1.5) == 1 and traj.steps_to(1.5, stay=True) == 3
    assert traj.steps_to(0.45) == 4 and traj.steps_to(0.45, stay=True) == 4
    assert traj.steps_to(0.1) is None and traj.steps_to(0.1, stay=True) is None
    assert traj.steps_to(5.0) == 0 and traj.steps_to(5.0, stay=True) == 0
    assert traj.steps_to(1.0) == 3  # strictly below
    ends_high = surfaces.Trajectory(np.zeros((3, 2)), np.array([0.1, 0.1, 9.0]))
    assert ends_high.steps_to(1.0) == 0 and ends_high.steps_to(1.0, stay=True) is None
    assert type(traj.steps_to(1.5)) is int and type(traj.steps_to(1.5, stay=True)) is int


def test_divergence_is_the_first_non_finite_or_far_away_point():
    path = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1e6], [1.0, 2e6], [np.nan, 0.0]])
    losses = np.zeros(5)
    assert surfaces.Trajectory(path, losses).diverged_at() == 3  # 1e6 itself is still sane
    assert surfaces.Trajectory(path[:3], losses[:3]).diverged_at() is None
    assert surfaces.Trajectory(path[[0, 1, 4]], losses[:3]).diverged_at() == 2
    assert surfaces.Trajectory(path[:3], np.array([0.0, np.inf, 0.0])).diverged_at() == 1
    assert surfaces.Trajectory(np.array([[0.0, 0.0], [-2e6, 0.0]]), np.zeros(2)).diverged_at() == 1
    assert surfaces.Trajectory(np.array([[1e6 + 0.5, 0.0]]), np.zeros(1)).diverged_at() == 0
    assert surfaces.Trajectory(np.array([[0.0, 0.0], [0.0, -np.inf]]),
                               np.zeros(2)).diverged_at() == 1


def test_distance_is_the_sum_of_step_lengths_up_to_divergence():
    path = np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 0.0], [3.0, 1e7], [3.0, 0.0]])
    assert surfaces.Trajectory(path[:3], np.zeros(3)).distance_travelled() == 9.0
    assert surfaces.Trajectory(path, np.zeros(5)).distance_travelled() == 9.0
    assert surfaces.Trajectory(path[:1], np.zeros(1)).distance_travelled() == 0.0


def test_escaping_the_saddle_is_the_first_step_one_away_from_the_ridge():
    path = np.array([[1.0, 0.001], [0.9, 0.5], [0.8, -1.0], [0.7, 3.0]])
    assert surfaces.Saddle.escape_step(path) == 2
    assert surfaces.Saddle.escape_step(path, distance=0.5) == 1
    assert surfaces.Saddle.escape_step(path, distance=5.0) is None
    assert type(surfaces.Saddle.escape_step(path)) is int
