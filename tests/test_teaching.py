"""The teaching side: explain, surfaces, compare, warnings."""

import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import tinynet as tn
from tinynet import compare, compare_tables, surfaces
from tinynet.cli import main
from tinynet.teaching import DeadReLUWarning, EpsDominatesWarning, LossRisingWarning

# ----- explain ---------------------------------------------------------------------------


def parse(out: str, label: str, nth: int = 0) -> np.ndarray:
    """The tuple printed at the end of the nth line starting with ``label``."""
    rows = [line for line in out.splitlines() if line.strip().startswith(label)]
    numbers = re.findall(r"\(([^()]*)\)\s*$", rows[nth])[0]
    return np.array([float(x) for x in numbers.split(",")])


def test_explain_rmsprop_prints_the_article_numbers(capsys):
    assert main(["explain", "rmsprop", "--grad", "100,1", "--lr", "0.01", "--rho", "0.9",
                 "--eps", "0"]) == 0
    out = capsys.readouterr().out
    g, lr, rho = np.array([100.0, 1.0]), 0.01, 0.9
    s = (1 - rho) * g * g
    np.testing.assert_allclose(parse(out, "s_t"), s, rtol=1e-3)               # (1000, 0.1)
    np.testing.assert_allclose(parse(out, "sqrt(s_t)"), np.sqrt(s), rtol=1e-3)  # (31.62, 0.316)
    np.testing.assert_allclose(parse(out, "scaled gradient"), g / np.sqrt(s), rtol=1e-3)
    np.testing.assert_allclose(parse(out, "eta_eff"), lr / np.sqrt(s), rtol=1e-3)
    np.testing.assert_allclose(parse(out, "update"), -lr * g / np.sqrt(s), rtol=1e-3)
    np.testing.assert_allclose(parse(out, "update"), [-0.0316, -0.0316], rtol=2e-3)
    assert "plain SGD, same lr: update = -lr * g = (-1, -0.01)" in out


def test_explain_steps_show_the_state_evolving(capsys):
    assert main(["explain", "adam", "--grad", "3,-0.5", "--steps", "5", "--lr", "0.1"]) == 0
    out = capsys.readouterr().out
    rows = out.split("how the state evolves:")[1].strip().splitlines()[1:6]
    assert len(rows) == 5
    g, b1, b2 = np.array([3.0, -0.5]), 0.9, 0.999
    v = s = np.zeros(2)
    for t, row in enumerate(rows, start=1):
        v, s = b1 * v + (1 - b1) * g, b2 * s + (1 - b2) * g * g
        cells = [np.array([float(x) for x in c.split(",")])
                 for c in re.findall(r"\(([^()]*)\)", row)]
        _, v_row, s_row, eff_row, update = cells
        s_hat = s / (1 - b2**t)
        np.testing.assert_allclose(v_row, v, rtol=1e-3)
        np.testing.assert_allclose(s_row, s, rtol=1e-3)
        np.testing.assert_allclose(eff_row, 0.1 / (np.sqrt(s_hat) + 1e-8), rtol=1e-3)
        np.testing.assert_allclose(update, -0.1 * v / (1 - b1**t) / (np.sqrt(s_hat) + 1e-8),
                                   rtol=1e-3)


@pytest.mark.parametrize("name, label, expected", [
    ("sgd", "update", [-1.0, -0.01]),
    ("momentum", "v_t", [10.0, 0.1]),
    ("adagrad", "G_t", [10000.0, 1.0]),
])
def test_explain_other_optimizers(capsys, name, label, expected):
    assert main(["explain", name, "--lr", "0.01"]) == 0
    np.testing.assert_allclose(parse(capsys.readouterr().out, label), expected, rtol=1e-3)


def test_explain_uses_one_lr_and_eps_for_every_optimizer_and_says_so(capsys):
    for name in ("rmsprop", "adam", "adagrad", "sgd"):
        assert main(["explain", name]) == 0
        lines = capsys.readouterr().out.splitlines()
        opt = tn.optimizers.lookup(name)
        assert "lr=0.01" in lines[0], lines[0]
        assert ("eps=0," in lines[0] or "eps=0)" in lines[0]) == ("eps" in opt.hyperparam_names())
        said = {"lr": "lr = 0.01", "rho": "rho = 0.9", "eps": "eps = 0"}
        given = ", ".join(v for k, v in said.items() if k in opt.hyperparam_names())
        assert lines[1] == (f"explain's settings for every optimizer unless given: {given} "
                            f"(the article's worked example)")
        assert lines[2].startswith("theta_0 = ")
    # with eps = 0, Adam's first step is exactly lr in every coordinate (v_hat / sqrt(s_hat))
    assert main(["explain", "adam"]) == 0
    assert parse(capsys.readouterr().out, "update").tolist() == [-0.01, -0.01]
    assert main(["explain", "adam", "--lr", "0.5", "--eps", "1e-8"]) == 0
    out = capsys.readouterr().out
    assert "lr=0.5" in out and "eps=1e-08" in out and "explain's settings" not in out


def test_explain_grads_file(tmp_path, capsys):
    (tmp_path / "g.txt").write_text("# a sign flip\n1, 2\n-1 -2\n\n1,2\n")
    assert main(["explain", "momentum", "--grads", str(tmp_path / "g.txt"), "--beta", "0.5"]) == 0
    out = capsys.readouterr().out
    # v1 = 0.5 g1 = (0.5, 1); v2 = 0.5 v1 - 0.5 g = (-0.25, -0.5); v3 = (0.375, 0.75)
    np.testing.assert_allclose(parse(out, "v_t", 2), [0.375, 0.75], rtol=1e-3)
    (tmp_path / "bad.txt").write_text("1,2\n3\n")
    assert main(["explain", "sgd", "--grads", str(tmp_path / "bad.txt")]) == 2
    assert "same length" in capsys.readouterr().err
    assert main(["explain", "sgd", "--grad", "1,nan"]) == 2
    assert "--grad: gradients must be finite" in capsys.readouterr().err


# ----- surfaces ----------------------------------------------------------------------------


@pytest.mark.parametrize("surface", [surfaces.Quadratic(), surfaces.RotatedQuadratic(),
                                     surfaces.Rosenbrock(), surfaces.Saddle()],
                         ids=lambda s: s.name)
def test_surface_gradients_match_finite_differences(surface):
    rng = np.random.default_rng(0)
    for p in rng.uniform(-1.5, 1.5, (5, 2)):
        h = 1e-6
        fd = [(surface.f(*(p + e)) - surface.f(*(p - e))) / (2 * h) for e in np.eye(2) * h]
        np.testing.assert_allclose(surface.grad(p), fd, rtol=1e-5, atol=1e-6)
    assert surface.f(*surface.minimum) == pytest.approx(0.0, abs=1e-12)


def test_run_drives_any_registered_optimizer():
    traj = surfaces.run("rmsprop", "rosenbrock", steps=50)
    assert traj.path.shape == (51, 2) and traj.losses.shape == (51,)
    assert traj.losses[-1] < traj.losses[0]
    np.testing.assert_allclose(traj.losses, surfaces.Rosenbrock().f(*traj.path.T))
    with pytest.raises(ValueError, match="start must be two numbers"):
        surfaces.run("sgd", "quadratic", start=(1, 2, 3))
    with pytest.raises(ValueError, match="unknown surface 'bowl'"):
        surfaces.get("bowl")


def test_rmsprop_beats_sgd_at_its_best_stable_rate_on_the_badly_scaled_quadratic():
    surface = surfaces.Quadratic(a=100.0)
    grid = [0.001, 0.002, 0.005, 0.01, 0.015, 0.019, 0.0199, 0.021, 0.03, 0.05, 0.1]
    sgd = {}
    for lr in grid:
        traj = surfaces.run(tn.optimizers.SGD(lr=lr), surface, start=(1.0, 1.0), steps=1000)
        if np.isfinite(traj.losses[-1]) and traj.losses[-1] < traj.losses[0]:  # stable
            sgd[lr] = traj.steps_to(1e-3)
    assert max(sgd) == 0.0199  # stable only below 2/a = 0.02
    best_sgd = min(v for v in sgd.values() if v is not None)
    rms = surfaces.run(tn.optimizers.RMSProp(lr=0.01), surface, start=(1.0, 1.0), steps=1000)
    assert rms.steps_to(1e-3) < best_sgd


# ----- compare ----------------------------------------------------------------------------


def test_compare_uses_identical_weights_and_batches_and_never_the_test_set():
    data = compare.three_way(tn.datasets.load("iris", seed=0), seed=0)
    assert (len(data.X_train), len(data.X_val), len(data.X_test)) == (96, 24, 30)
    made = []

    def make(seed):
        made.append(tn.mlp([4, 16, 3], seed=seed))
        return made[-1]

    entries = compare.compare_on_data(make, data, ["sgd", "momentum", "rmsprop", "adam"],
                                      epochs=3, batch_size=16, seeds=(0, 1), grid=(0.01, 0.1))
    assert [e.name for e in entries] == ["SGD", "Momentum", "RMSProp", "Adam"]
    assert all(e.tuned and sorted(e.grid) == [0.01, 0.1] and e.lr in e.grid for e in entries)
    for k, seed in enumerate((0, 1)):
        runs = [e.runs[k] for e in entries]
        assert all(r.seed == seed for r in runs)
        assert compare.identical_conditions(runs)
        assert len(runs[0].batch_checksums) == 3 * 6  # 96 samples / 16 = 6 batches per epoch
    first = [e.runs[0] for e in entries]
    second = [e.runs[1] for e in entries]
    assert not compare.identical_conditions([first[0], second[0]])  # seeds differ
    # tuning chose by validation loss: the chosen rate's score is the best on the grid
    for e in entries:
        assert e.grid[e.lr] == min(e.grid.values())
    runs = [e.runs[0] for e in entries]
    runs[1].batch_checksums[0] += 1
    assert not compare.identical_conditions(runs)


@pytest.mark.slow
def test_tuned_comparison_on_digits_picks_each_optimizer_its_own_rate(capsys):
    assert main(["compare", "--dataset", "digits"]) == 0
    out = capsys.readouterr().out
    runs = compare.count_runs(compare.DEFAULT, (0, 1, 2))
    rate = {name: float(re.search(rf"^{name}\s+(\S+) \(tuned\)", out, re.M).group(1))
            for name in ("SGD", "Momentum", "RMSProp", "Adam")}
    assert rate["SGD"] >= 30 * rate["RMSProp"]  # adaptive steps are about lr in size
    assert "validation (from the training data)" in out and "seeds 0, 1, 2" in out
    assert "identical initial weights and batch order for every optimizer (per seed): yes" in out
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    quoted = re.search(r"SGD and Momentum choose (\S+), RMSProp (\S+) and Adam (\S+) \(RMSProp "
                       r"and Adam are erratic from (\S+) up, SGD and Momentum at (\S+)\), "
                       r"and the test accuracies \((.*?)\)", readme)
    assert quoted, "the README's summary of tinynet compare --dataset digits"
    assert [float(quoted.group(i)) for i in (1, 1, 2, 3)] == [
        rate["SGD"], rate["Momentum"], rate["RMSProp"], rate["Adam"]]
    assert f"{runs} training runs" in out and runs == 84 and f"({runs} on digits)" in readme
    grid = [line.replace(" *", "").split()
            for line in out.split("(* the one chosen)")[1].splitlines()[3:12]]
    erratic = {name: [float(row[0]) for row in grid if row[1 + k] == "erratic"]
               for k, name in enumerate(("SGD", "Momentum", "RMSProp", "Adam"))}
    lo, edge = (float(quoted.group(i)) for i in (4, 5))
    assert erratic["RMSProp"] == erratic["Adam"] == [lr for lr in compare.LR_GRID if lr >= lo]
    assert erratic["SGD"] == erratic["Momentum"] == [edge]
    rows = [re.split(r"\s{2,}", line.strip()) for line in out.splitlines()
            if "(tuned)" in line]
    assert [row[5] for row in rows] == quoted.group(6).split(", ")  # test accuracy, as printed


def test_compare_with_one_fixed_rate_says_so(capsys):
    assert main(["compare", "--dataset", "iris", "--epochs", "2", "--hidden", "8",
                 "--lr", "0.05", "--seeds", "1"]) == 0
    out = capsys.readouterr().out
    assert "one fixed learning rate for every optimizer: lr = 0.05 (not tuned)" in out
    assert re.search(r"^SGD\s+0\.05\s", out, re.M) and "(tuned)" not in out


def test_compare_says_how_many_runs_and_shows_one_bar_only_on_a_terminal(capsys, monkeypatch):
    args = ["compare", "--dataset", "iris", "--epochs", "2", "--hidden", "8", "--lrs",
            "0.01,0.1,1", "--seeds", "2", "--optimizers", "sgd,adam"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert compare.count_runs(["sgd", "adam"], (0, 1), None, [0.01, 0.1, 1]) == 16
    assert "16 training runs: per optimizer, 3 rates x 2" in out and "then 2 at its rate" in out
    assert err == ""  # stderr is not a terminal here: no bar
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert main(args) == 0
    bar = capsys.readouterr().err
    totals = re.findall(r"training:[^|]*\|[^|]*\| *\d+/(\d+)", bar)  # one per refresh
    assert totals and set(totals) == {"16"}  # one bar, over all 16 runs
    assert main([*args, "--no-progress"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["compare", "--dataset", "iris", "--epochs", "1", "--lr", "0.1", "--seeds",
                 "3"]) == 0
    assert "12 training runs (3 per optimizer)" in capsys.readouterr().out


def test_an_erratic_rate_is_shown_as_a_word_and_never_chosen():
    assert compare.is_erratic(0.1442, 1.0661) and compare.is_erratic(0.5, float("inf"))
    assert not compare.is_erratic(0.1009, 0.1009 * (1 + 1e-10))
    assert not compare.is_erratic(float("inf"), float("inf"))  # diverged both ways: robust
    assert not compare.is_erratic(0.0, 0.0)  # the same to the last bit
    inf = float("inf")
    rates = [0.01, 0.1, 0.3, 1.0, 3.0]  # erratic at 0.1; at 0.3 run and twin end the same
    losses, twins = [0.2, 0.5, 0.9, 2.3, inf], [0.2, 0.7, 0.9, 2.3, inf]
    assert compare.erratic_rates(rates, losses, twins) == {0.1, 0.3, 1.0}  # inf, inf: diverged
    assert compare.erratic_rates(rates, losses, losses) == set()
    model = tn.mlp([2, 3, 2], seed=0)
    before = {k: a.copy() for k, a in model.arrays().items()}
    compare.nudged(model)
    for k, a in model.arrays().items():  # one unit in the last place, every weight
        assert np.array_equal(a, np.nextafter(before[k], np.inf))
    entry = compare.Entry("RMSProp", 0.01, True, {0.01: 0.1, 0.3: 0.05, 1.0: float("inf")},
                          erratic={0.3})
    table = compare_tables.grid_report([entry])
    assert table.splitlines()[3].split() == ["0.01", "0.1000", "*"]
    assert table.splitlines()[4].split() == ["0.3", "erratic"]
    assert table.splitlines()[5].split() == ["1", "diverged"]
    assert "0.0500" not in table and "never chosen" in table
    assert "every rate on the grid is erratic" not in table
    only_erratic = compare.Entry("Adam", 0.3, True, {0.3: 0.2, 1.0: 0.4}, erratic={0.3, 1.0})
    assert ("Adam: every rate on the grid is erratic; the lowest loss among them (0.3) is "
            "shown, but another CPU may choose another: add smaller rates with --lrs"
            in compare_tables.grid_report([only_erratic]))

    data = compare.three_way(tn.datasets.load("moons", seed=0), seed=0)
    entry, = compare.compare_on_data(lambda s: tn.mlp([2, 32, 32, 2], seed=s), data,
                                     ["rmsprop"], grid=(0.01, 0.3), epochs=30)
    assert entry.erratic == {0.3} and entry.lr == 0.01  # moons: RMSProp at 0.3 is erratic


def test_compare_cli_dataset_and_surface(tmp_path, capsys, assert_figure):
    assert main(["compare", "--dataset", "iris", "--epochs", "5", "--hidden", "8",
                 "--target", "0.8", "--lrs", "0.01,0.1", "--plot", str(tmp_path / "c.png")]) == 0
    out = capsys.readouterr().out
    assert "identical initial weights and batch order for every optimizer (per seed): yes" in out
    for name in ("SGD", "Momentum", "RMSProp", "Adam"):
        assert re.search(rf"^{name}\s", out, re.M)
    assert_figure(tmp_path / "c.png")
    assert main(["compare", "--surface", "quadratic", "--optimizers", "sgd,rmsprop",
                 "--plot", str(tmp_path / "s.png")]) == 0
    out = capsys.readouterr().out
    sgd_steps = re.search(r"^SGD .*?lr=0\.01\s+(\S+)", out, re.M).group(1)
    rms_steps = re.search(r"^RMSProp .*?momentum=0\s+(\S+)", out, re.M).group(1)
    assert sgd_steps == "never" and int(rms_steps) < 200
    assert_figure(tmp_path / "s.png")


def test_saddle_reports_escape_and_rosenbrock_reports_divergence(capsys):
    assert main(["compare", "--surface", "saddle"]) == 0
    out = capsys.readouterr().out
    assert "steps to escape (|y|>=1)" in out and "steps to f<" not in out
    sgd = re.search(r"^SGD .*?lr=0\.01\s+(\S+)\s+(\S+)", out, re.M)
    rms = re.search(r"^RMSProp .*?momentum=0\s+(\S+)\s+(\S+)", out, re.M)
    assert sgd.group(1) == "never" and int(rms.group(1)) < 200  # RMSProp escapes the ridge
    assert float(rms.group(2)) > float(sgd.group(2))
    assert main(["compare", "--surface", "rosenbrock"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^SGD .*diverged at step 5\s", out, re.M)
    assert "nan" not in out.lower()


def test_surface_starts_are_off_the_principal_axes():
    for surface in (surfaces.Quadratic(), surfaces.RotatedQuadratic()):
        # one SGD step at rate 1/a zeroes the steep component only: f stays well above 0
        t = surfaces.run(tn.optimizers.SGD(lr=1 / surface.a), surface, steps=1)
        assert t.losses[1] > 1e-3 * t.losses[0], surface
    t = surfaces.run(tn.optimizers.SGD(lr=0.01), surfaces.Rosenbrock(), steps=20)
    assert t.diverged_at() == 5 and t.distance_travelled() > 0


# ----- warnings ---------------------------------------------------------------------------


def fit_catching(trainer, X, y, epochs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer.fit(X, y, epochs=epochs)
    return [w.category for w in caught if issubclass(w.category, tn.TeachingWarning)]


@pytest.fixture(scope="module")
def digits_small():
    X_train, _, y_train, _ = tn.datasets.load("digits", seed=0)
    return X_train[:320], y_train[:320]


def test_healthy_run_is_silent(digits_small):
    t = tn.Trainer(tn.mlp([64, 64, 10]), tn.SoftmaxCrossEntropy(), "rmsprop", progress=False)
    assert fit_catching(t, *digits_small, epochs=8) == []


def test_eps_dominating_is_flagged(digits_small):
    t = tn.Trainer(tn.mlp([64, 64, 10]), tn.SoftmaxCrossEntropy(),
                   tn.optimizers.RMSProp(eps=0.1), progress=False)
    assert EpsDominatesWarning in fit_catching(t, *digits_small, epochs=2)


def test_dead_relus_are_flagged(digits_small):
    model = tn.mlp([64, 64, 10])
    model.dense_layers[0].b[:] = -50.0  # every unit of the first ReLU is off
    t = tn.Trainer(model, tn.SoftmaxCrossEntropy(), "sgd", progress=False)
    with pytest.warns(DeadReLUWarning, match="100% of the ReLU units after Dense layer 1"):
        t.fit(*digits_small, epochs=1)


def test_a_teaching_warning_comes_once_per_fit_and_points_at_the_learners_fit_line(
        digits_small):
    model = tn.mlp([64, 64, 10])
    model.dense_layers[0].b[:] = -50.0
    t = tn.Trainer(model, tn.SoftmaxCrossEntropy(), "sgd", progress=False)
    for _ in range(2):  # every fit warns again, once, though every epoch finds the dead units
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t.fit(*digits_small, epochs=3); line = sys._getframe().f_lineno  # noqa: E702
        dead = [w for w in caught if w.category is DeadReLUWarning]
        assert len(dead) == 1
        assert (dead[0].filename, dead[0].lineno) == (__file__, line)


def test_rising_loss_is_flagged_and_can_be_switched_off():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3))
    y = X @ np.array([1.0, 2.0, -1.0])

    def make(**kw):
        return tn.Trainer(tn.mlp([3, 1], head="identity"), tn.MSE(), tn.optimizers.SGD(lr=1.2),
                          batch_size=64, progress=False, **kw)

    assert LossRisingWarning in fit_catching(make(), X, y, epochs=5)
    assert fit_catching(make(teaching_warnings=False), X, y, epochs=5) == []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore", tn.TeachingWarning)
        make().fit(X, y, epochs=5)
    assert not caught


def quantities(out: str) -> dict:
    """``{"s_t = rho*s + (1-rho)*g⊙g": [1000.0, 0.1], ...}`` for step 1's lines."""
    step1 = out.split("step 1:")[1].split("\n\n")[0]
    rows = {}
    for line in step1.splitlines()[1:]:
        label, _, value = line.strip().rpartition(" = ")
        rows[" ".join(label.split())] = [float(x) for x in value.strip("()").split(",")]
    return rows


@pytest.mark.parametrize("args, expected", [
    # g = (100, 1), lr = 0.01, eps = 0, rho = 0.9, beta = 0.9, beta1 = 0.9, beta2 = 0.999
    (["momentum"], {"v_t = beta*v + (1-beta)*g": [10, 0.1]}),
    (["rmsprop", "--centered"], {
        "s_t = rho*s + (1-rho)*g⊙g": [1000, 0.1], "sqrt(s_t)": [1000**0.5, 0.1**0.5],
        "m_t = rho*m + (1-rho)*g": [10, 0.1],  # s - m⊙m = (900, 0.09): root (30, 0.3)
        "scaled gradient = g / (sqrt(s_t - m_t⊙m_t) + eps)": [100 / 30, 1 / 0.3],
        "eta_eff = lr / (sqrt(s_t - m_t⊙m_t) + eps)": [0.01 / 30, 0.01 / 0.3]}),
    (["adam"], {
        "v_t = beta1*v + (1-beta1)*g": [10, 0.1], "s_t = beta2*s + (1-beta2)*g⊙g": [10, 0.001],
        "v_hat = v_t / (1-beta1^t)": [100, 1], "s_hat = s_t / (1-beta2^t)": [1e4, 1],
        "eta_eff = lr / (sqrt(s_hat) + eps)": [1e-4, 0.01]}),
    (["adagrad"], {
        "G_t = G + g⊙g": [1e4, 1], "sqrt(G_t)": [100, 1],
        "scaled gradient = g / (sqrt(G_t) + eps)": [1, 1],
        "eta_eff = lr / (sqrt(G_t) + eps)": [1e-4, 0.01]}),
    (["lion"], {"v_t": [1, 0.01]}),  # any other optimizer: its state by name
])
def test_explain_names_each_quantity_by_its_formula(capsys, args, expected):
    assert main(["explain", *args]) == 0
    rows = quantities(capsys.readouterr().out)
    assert list(rows)[:-2] == list(expected) and list(rows)[-2:] == ["update", "theta_1"]
    for label, value in expected.items():
        np.testing.assert_allclose(rows[label], value, rtol=1e-3, err_msg=label)


# ----- compare's tables and bookkeeping, on made-up runs ------------------------------------

def made_up_run(loss=0.5, val_loss=0.25, val_acc=0.875, test_acc=0.75, reached=3,
                diverged=None, seconds=1.0):
    return compare.Result("X", None, history={"loss": [9.0, loss], "val_loss": [9.0, val_loss],
                                              "val_accuracy": [0.0, val_acc]},
                          seconds=seconds, target_epoch=reached, diverged=diverged,
                          test={"accuracy": test_acc, "loss": 0.0})


def rows_of(table: str) -> list[list[str]]:
    lines = table.splitlines()
    assert set(lines[1]) == {"-"} and len(lines[1]) == len(lines[0])
    return [line.split("  ") for line in lines]


def test_a_table_left_aligns_the_first_column_and_right_aligns_the_others():
    table = compare_tables._format(["name", "value"], [["a", "1"], ["longer", "12345"]])
    assert table.splitlines() == ["name    value", "-------------", "a           1",
                                  "longer  12345"]


def test_mean_and_spread_over_seeds_skip_diverged_runs():
    assert compare_tables._mean_spread([0.97221]) == "0.9722"
    assert compare_tables._mean_spread([0.97221, None]) == "0.9722"  # one left: no spread
    assert compare_tables._mean_spread([1.0, 2.0, 3.0]) == "2.0000 ± 0.8165"
    assert compare_tables._mean_spread([1.0, 3.0]) == "2.0000 ± 1.0000"  # population std
    assert compare_tables._mean_spread([1.0, None, float("inf"), 3.0], digits=1) == "2.0 ± 1.0"
    assert compare_tables._mean_spread([None, float("nan")]) == "diverged"


def test_the_data_table_one_row_per_optimizer():
    one = compare.Entry("SGD", 0.1, True, {0.01: 1.0, 0.1: 0.5, 1.0: 2.0},
                        runs=[made_up_run(seconds=1.5)])
    edge = compare.Entry("Adam", 0.001, True, {0.001: 0.5, 0.01: 0.7},
                         runs=[made_up_run(reached=2), made_up_run(reached=None, val_acc=0.625),
                               made_up_run(reached=5)])
    fixed = compare.Entry("RMSProp", 0.01, False, runs=[made_up_run(reached=None),
                                                        made_up_run(reached=None, diverged=2,
                                                                    loss=99.0)])
    table = compare_tables.data_table([one, edge, fixed], 0.95)
    header, _, *rows = table.splitlines()
    assert header.split("  ")[0] == "optimizer" and header.endswith(
        "epochs to val acc>=0.95  seconds")
    assert rows[0].split() == ["SGD", "0.1", "(tuned)", "0.5000", "0.2500", "0.8750", "0.7500",
                               "3", "1.50"]
    assert rows[1].split() == ["Adam", "0.001", "(tuned,", "grid", "edge)", "0.5000", "±",
                               "0.0000", "0.2500", "±", "0.0000", "0.7917", "±", "0.1179",
                               "0.7500", "±", "0.0000", "3.5", "±", "1.5", "(1", "never)",
                               "1.00"]
    assert rows[2].split() == ["RMSProp", "0.01", "0.5000", "0.2500", "0.8750", "0.7500",
                               "never", "1.00"]  # the diverged run is left out of the means
    cells = [c.strip() for c in header.split("  ") if c.strip()]
    assert cells == ["optimizer", "lr", "train loss", "val loss", "val acc", "test acc",
                     "epochs to val acc>=0.95", "seconds"]
    every = compare.Entry("Adam", 0.01, False, runs=[made_up_run(reached=2),
                                                     made_up_run(reached=4)])
    assert compare_tables.data_table([every], 0.95).splitlines()[2].split()[-4:] == [
        "3.0", "±", "1.0", "1.00"]  # every seed reached it: no "never"
    assert "seconds" not in compare_tables.data_table([one], 0.9, times=False)
    assert compare_tables.data_table([one], 0.9, times=False).splitlines()[0].endswith(
        "epochs to val acc>=0.9")


def test_the_surface_table_says_steps_escape_and_divergence():
    bowl = surfaces.Quadratic()
    results = compare.compare_on_surface(bowl, [tn.optimizers.SGD(lr=0.015),
                                                tn.optimizers.SGD(lr=0.025)], steps=300)
    assert results[0].target_epoch == results[0].trajectory.steps_to(1e-3) is not None
    assert all(0 < r.seconds < 60 for r in results)
    table = compare_tables.surface_table(results, 1e-3, bowl)
    rows = [row.split("  ") for row in table.splitlines()]
    assert [c.strip() for c in rows[0] if c.strip()] == [
        "optimizer", "hyperparameters", "steps to f<0.001", "stays below from", "final f",
        "final (x, y)"]
    good = [c.strip() for c in rows[2] if c.strip()]
    traj = results[0].trajectory
    assert good[:3] == ["SGD", "lr=0.015", str(traj.steps_to(1e-3))]
    assert good[3] == str(traj.steps_to(1e-3, stay=True))
    assert good[4] == f"{traj.losses[-1]:.3g}"
    assert good[5] == f"({traj.path[-1][0]:.3g}, {traj.path[-1][1]:.3g})"
    bad = [c.strip() for c in rows[3] if c.strip()]  # lr 0.025 > 2/a: x flips and grows
    assert bad[2:] == ["never", "never", f"diverged at step {results[1].trajectory.diverged_at()}",
                       "-"]
    saddle = surfaces.Saddle()
    escaped = compare.compare_on_surface(saddle, [tn.optimizers.RMSProp(lr=0.1),
                                                  tn.optimizers.SGD(lr=0.001)], steps=50)
    rows = [[c.strip() for c in row.split("  ") if c.strip()]
            for row in compare_tables.surface_table(escaped, 1e-3, saddle).splitlines()]
    assert rows[0][2:4] == ["steps to escape (|y|>=1)", "distance travelled"]
    path = escaped[0].trajectory.path
    assert rows[2][2] == str(saddle.escape_step(path))
    assert rows[2][3] == f"{escaped[0].trajectory.distance_travelled():.3g}"
    assert rows[3][2] == "never"  # SGD lingers on the ridge


def test_a_surface_comparison_runs_each_optimizer_200_steps_from_the_surfaces_start():
    bowl = surfaces.Quadratic()
    results = compare.compare_on_surface(bowl, [tn.optimizers.SGD(lr=0.015),
                                                tn.optimizers.RMSProp(lr=0.01)])
    for r, name in zip(results, ["SGD", "RMSProp"]):
        assert r.name == name and r.trajectory.path.shape == (201, 2)
        assert tuple(r.trajectory.path[0]) == bowl.start and r.seconds > 0
        assert r.target_epoch == r.trajectory.steps_to(1e-3)  # the default threshold
    moved = compare.compare_on_surface(bowl, [tn.optimizers.SGD(lr=0.015)], steps=5,
                                       start=(0.5, -0.5), threshold=13.0)[0]
    assert tuple(moved.trajectory.path[0]) == (0.5, -0.5) and moved.target_epoch == 0


def test_run_counts_and_the_optimizers_built_by_name():
    assert compare.count_runs(["sgd"], (0,)) == 2 * len(compare.LR_GRID) + 1
    assert compare.count_runs(["sgd", "adam"], (0, 1, 2), lr=0.1) == 6
    default, fixed = compare.build_optimizers(["rmsprop", "rmsprop"], None), \
        compare.build_optimizers(["rmsprop"], 0.5)
    assert default[0].lr == tn.optimizers.RMSProp().lr and fixed[0].lr == 0.5


def test_identical_conditions_compare_weights_and_the_batches_both_saw():
    a = compare.Result("A", None, initial_weights={"W/1": np.zeros(2)}, batch_checksums=[1, 2, 3])
    same = compare.Result("B", None, initial_weights={"W/1": np.zeros(2)}, batch_checksums=[1, 2])
    assert compare.identical_conditions([a, same]) and compare.identical_conditions([same, a])
    other_batches = compare.Result("C", None, initial_weights={"W/1": np.zeros(2)},
                                   batch_checksums=[1, 5, 3])
    other_weights = compare.Result("D", None, initial_weights={"W/1": np.ones(2)},
                                   batch_checksums=[1, 2, 3])
    assert not compare.identical_conditions([a, other_batches])
    assert not compare.identical_conditions([a, same, other_weights])


def test_a_result_reads_its_final_validation_loss_as_inf_when_it_diverged():
    assert made_up_run(val_loss=0.25).val_loss == 0.25
    assert made_up_run(diverged=3).val_loss == float("inf")
    assert made_up_run(val_loss=float("nan")).val_loss == float("inf")
    empty = compare.Result("E", None, history={"val_loss": []})
    assert empty.val_loss == float("inf")


def test_the_validation_split_comes_from_the_training_part_only():
    data = tn.datasets.load("iris", seed=0)
    split = compare.three_way(data, val_fraction=0.25, seed=0)
    assert (len(split.X_train), len(split.X_val)) == (90, 30)
    assert split.X_test is data[1] and split.y_test is data[3]
    assert np.bincount(split.y_val).tolist() == [10, 10, 10]
    rows = {tuple(r) for r in data[0]}
    assert all(tuple(r) in rows for r in split.X_val)


def test_train_run_records_the_run_and_a_divergence():
    data = compare.three_way(tn.datasets.load("iris", seed=0), seed=0)
    model = tn.mlp([4, 8, 3], seed=0)
    weights = {k: a.copy() for k, a in model.arrays().items()}
    run = compare.train_run(tn.optimizers.Adam(lr=0.05), model, data, epochs=6, batch_size=16,
                            seed=2, target=0.8)
    assert run.name == "Adam" and run.seed == 2 and run.model is model
    assert all(np.array_equal(run.initial_weights[k], a) for k, a in weights.items())
    reached = [i + 1 for i, a in enumerate(run.history["val_accuracy"]) if a >= 0.8]
    assert run.target_epoch == (reached[0] if reached else None) and run.diverged is None
    assert run.test["accuracy"] == tn.Trainer(model, tn.SoftmaxCrossEntropy(), "sgd").evaluate(
        data.X_test, data.y_test)["accuracy"]
    assert len(run.batch_checksums) == 6 * 6 and run.seconds > 0
    # diverged in its first epoch: no validation figure was ever recorded
    blown = compare.train_run(tn.optimizers.SGD(lr=1e200), tn.mlp([4, 8, 3], seed=0), data,
                              epochs=3, batch_size=16)
    assert blown.diverged == 1 and blown.test is None and blown.val_loss == float("inf")
    assert blown.target_epoch is None


def test_tuning_picks_the_lowest_stable_loss():
    grid = (0.01, 0.1, 1.0)
    scores, twins = {0.01: 0.5, 0.1: 0.2, 1.0: 0.1}, {0.01: 0.5, 0.1: 0.2, 1.0: 0.4}
    assert compare.choose_lr(grid, scores, twins) == (0.1, {1.0})  # 1.0: run and twin apart
    twins.update({0.01: 0.6, 0.1: 0.3})  # every rate erratic: the lowest of them all
    assert compare.choose_lr(grid, scores, twins) == (1.0, {0.01, 0.1, 1.0})


def test_compare_on_data_tunes_with_the_first_seed_and_a_twin_then_trains_each_seed(
        monkeypatch):
    calls, made = [], {}
    twin_losses = {0.1: 0.5, 0.3: 0.9}  # 0.3 is lower, but its twin ends elsewhere

    def fake_run(opt, model, data, seed, **kw):
        twin = not np.array_equal(model.arrays()["W/1"], made[seed].arrays()["W/1"])
        calls.append((type(opt).__name__, opt.lr, seed, twin, data, kw))
        loss = twin_losses[opt.lr] if twin else {0.1: 0.5, 0.3: 0.4}.get(opt.lr, 0.25)
        return made_up_run(val_loss=loss)

    def make(seed):
        made[seed] = tn.mlp([2, 2], seed=seed)
        return tn.mlp([2, 2], seed=seed)

    monkeypatch.setattr(compare, "train_run", fake_run)
    counted = []
    entries = compare.compare_on_data(make, "data", ["adam"], seeds=(4, 5), grid=(0.1, 0.3),
                                      on_run=counted.append)
    defaults = {"epochs": 20, "batch_size": 32, "target": 0.95}
    assert calls == [("Adam", 0.1, 4, False, "data", defaults),
                     ("Adam", 0.1, 4, True, "data", defaults),
                     ("Adam", 0.3, 4, False, "data", defaults),
                     ("Adam", 0.3, 4, True, "data", defaults),
                     ("Adam", 0.1, 4, False, "data", defaults),
                     ("Adam", 0.1, 5, False, "data", defaults)]
    entry, = entries
    assert (entry.name, entry.lr, entry.tuned, entry.grid, entry.erratic) == (
        "Adam", 0.1, True, {0.1: 0.5, 0.3: 0.4}, {0.3})
    assert counted == [1] * 6 and len(entry.runs) == 2
    assert [r.history["val_loss"][-1] for r in entry.runs] == [0.5, 0.5]
    calls.clear()
    fixed, = compare.compare_on_data(make, "data", ["sgd"], lr=0.05, epochs=3,
                                     batch_size=8, target=0.5)
    assert calls == [("SGD", 0.05, 0, False, "data",
                      {"epochs": 3, "batch_size": 8, "target": 0.5})]
    assert (fixed.tuned, fixed.grid, fixed.erratic) == (False, {}, set())


def test_train_run_defaults_timing_and_the_first_epoch_reaching_the_target():
    data = compare.three_way(tn.datasets.load("iris", seed=0))
    assert np.array_equal(data.X_val, compare.three_way(tn.datasets.load("iris", seed=0),
                                                        seed=0).X_val)
    assert not np.array_equal(data.X_val, compare.three_way(tn.datasets.load("iris", seed=0),
                                                            seed=1).X_val)
    opt = tn.optimizers.Adam(lr=0.01)
    run = compare.train_run(opt, tn.mlp([4, 8, 3], seed=0), data)
    assert run.optimizer is opt and run.seed == 0 and 0 < run.seconds < 60
    assert len(run.history["loss"]) == 20 and len(run.batch_checksums) == 20 * 3  # 96 / 32
    accs = run.history["val_accuracy"]
    reached = next((i + 1 for i, a in enumerate(accs) if a >= 0.95), None)
    assert run.target_epoch == reached
    exact = max(accs)  # a target met exactly counts as reached
    run = compare.train_run(tn.optimizers.Adam(lr=0.01), tn.mlp([4, 8, 3], seed=0), data,
                            target=exact)
    assert run.target_epoch == accs.index(exact) + 1
    other = compare.train_run(tn.optimizers.Adam(lr=0.01), tn.mlp([4, 8, 3], seed=0), data,
                              epochs=1, seed=1)
    assert other.batch_checksums != run.batch_checksums[:3]  # another seed: another order
    short = data._replace(X_train=data.X_train[:66], y_train=data.y_train[:66])
    run = compare.train_run(tn.optimizers.Adam(lr=0.01), tn.mlp([4, 8, 3], seed=0), short,
                            epochs=1)
    assert len(run.batch_checksums) == 3  # 66 rows: batches of 32, 32 and 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # at lr 10 fit would warn that the loss rises
        compare.train_run(tn.optimizers.SGD(lr=10.0), tn.mlp([4, 8, 3], seed=0), data,
                          epochs=4)


def test_compare_on_data_runs_through_the_runner_with_its_jobs_and_imports(monkeypatch):
    from tinynet import parallel

    seen = []
    real = parallel.each

    def each(fn, items, jobs=1, client=None, imports=()):
        seen.append((len(items), jobs, client, imports))
        return real(fn, items)

    monkeypatch.setattr(parallel, "each", each)
    data = compare.three_way(tn.datasets.load("iris", seed=0))
    compare.compare_on_data(lambda s: tn.mlp([4, 4, 3], seed=s), data, ["sgd"], epochs=1,
                            grid=(0.1, 0.3), seeds=(0, 1), jobs=3, imports=("m",))
    assert seen == [(4, 3, None, ("m",)), (2, 3, None, ("m",))]  # tuning pairs, then seeds


def test_erratic_edges_relative_size_and_a_run_that_diverged_alone():
    assert not compare.is_erratic(1000.0, 1000.0005)  # 5e-7 relative
    assert compare.is_erratic(1000.0, 1000.002)
    inf = float("inf")
    assert compare.erratic_rates([0.1, 0.3], [0.5, inf], [0.6, 0.4]) == {0.1, 0.3}


def test_the_grid_report_and_the_surface_table_headers_word_for_word():
    entry = compare.Entry("SGD", 0.1, True, {0.1: 0.5, 0.3: 0.7}, erratic={0.3})
    lines = compare_tables.grid_report([entry]).splitlines()
    assert lines[0] == "final validation loss per learning rate (* the one chosen)"
    assert lines[1].split() == ["lr", "SGD"]
    assert lines[-2:] == ["erratic: from the first rate where the run and its twin from "
                          "weights nudged in the",
                          "last bit end apart, the loss differs from machine to machine "
                          "(never chosen)"]
    saddle = surfaces.Saddle()
    results = compare.compare_on_surface(saddle, [tn.optimizers.RMSProp(lr=0.1)], steps=50)
    table = compare_tables.surface_table(results, 1e-3, saddle).splitlines()
    assert [c.strip() for c in table[0].split("  ") if c.strip()] == [
        "optimizer", "hyperparameters", "steps to escape (|y|>=1)", "distance travelled",
        "final f", "final (x, y)"]
    assert [c.strip() for c in table[2].split("  ") if c.strip()][1] == (
        "lr=0.1, rho=0.9, eps=1e-08, momentum=0")  # its numbers, not its switches
