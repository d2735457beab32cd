"""``tinynet explain``'s text, read back: the header, the lines of a step with the values
worked out here by hand, when steps are shown whole and when as a table, the SGD contrast,
and the gradient files and lists it accepts."""

import re

import numpy as np
import pytest

import tinynet as tn
from tinynet.explain import check_grads, explain, fmt, read_grads, sgd_contrast


def value(text: str, label: str, step: int = 1) -> np.ndarray:
    """The numbers on the line starting with ``label`` in the block of step ``step``."""
    block = text.split(f"step {step}: ")[1].split("\n\n")[0]
    line = next(row for row in block.splitlines() if row.strip().startswith(label))
    return np.array([float(x) for x in line.rsplit("= (", 1)[1].rstrip(")").split(", ")])


def test_the_header_names_the_optimizer_its_hyperparameters_and_theta_0():
    lines = explain(tn.optimizers.RMSProp(lr=0.01), [[100, 1]]).splitlines()
    assert lines[:3] == ["RMSProp(lr=0.01, rho=0.9, eps=1e-08, centered=False, momentum=0, "
                         "eps_inside=False)", "theta_0 = (0, 0); the state starts at zeros", ""]
    with_decay = explain(tn.optimizers.SGD(lr=0.5, weight_decay=0.25), [[1, 2]], theta0=[3, -1])
    assert with_decay.splitlines()[:2] == ["SGD(lr=0.5, weight_decay=0.25)",
                                           "theta_0 = (3, -1); the state starts at zeros"]
    # theta moved from theta_0: SGD with coupled decay, theta - lr * (g + wd * theta)
    assert value(with_decay, "theta_1").tolist() == [3 - 0.5 * (1 + 0.75), -1 - 0.5 * (2 - 0.25)]


def test_rmsprop_lines_name_the_root_they_use():
    plain = explain(tn.optimizers.RMSProp(lr=0.01), [[100, 1]])
    assert re.search(r"\n  scaled gradient = g / \(sqrt\(s_t\) \+ eps\) += \(3.162, 3.162\)\n",
                     plain)
    assert "eta_eff = lr / (sqrt(s_t) + eps)" in plain and "m_t" not in plain
    centered = explain(tn.optimizers.RMSProp(lr=0.01, centered=True), [[100, 1]])
    assert "scaled gradient = g / (sqrt(s_t - m_t⊙m_t) + eps)" in centered
    assert "eta_eff = lr / (sqrt(s_t - m_t⊙m_t) + eps)" in centered
    assert "m_t = rho*m + (1-rho)*g" in centered
    np.testing.assert_allclose(value(centered, "m_t"), [10.0, 0.1])
    np.testing.assert_allclose(value(centered, "scaled gradient"),
                               [100 / np.sqrt(1000 - 100), 1 / np.sqrt(0.1 - 0.01)], rtol=1e-3)


def test_the_articles_example_step_by_step():
    text = explain(tn.optimizers.RMSProp(lr=0.01, eps=0.0), [[100, 1]])
    np.testing.assert_allclose(value(text, "s_t"), [1000, 0.1])
    np.testing.assert_allclose(value(text, "sqrt(s_t)"), [31.62, 0.3162], rtol=1e-3)
    np.testing.assert_allclose(value(text, "update"), [-0.03162, -0.03162], rtol=1e-3)


def test_adams_bias_corrected_moments_at_step_2():
    text = explain(tn.optimizers.Adam(lr=0.01), [[100, 1], [50, 2]])
    v = 0.9 * np.array([10.0, 0.1]) + 0.1 * np.array([50.0, 2.0])
    s = 0.999 * np.array([10.0, 0.001]) + 0.001 * np.array([2500.0, 4.0])
    np.testing.assert_allclose(value(text, "v_t", 2), v, rtol=5e-4)
    np.testing.assert_allclose(value(text, "v_hat", 2), v / (1 - 0.9**2), rtol=5e-4)
    np.testing.assert_allclose(value(text, "s_hat", 2), s / (1 - 0.999**2), rtol=5e-4)


def test_up_to_three_steps_are_shown_whole_and_more_as_one_step_and_a_table():
    three = explain(tn.optimizers.Momentum(lr=0.1), [[1, 2], [3, 4], [5, 6]])
    assert [three.count(f"step {t}: g_t") for t in (1, 2, 3)] == [1, 1, 1]
    assert "how the state evolves" not in three
    four = explain(tn.optimizers.Momentum(lr=0.1), [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert four.count("step 1: g_t = (1, 2)") == 1 and "step 2:" not in four
    assert "how the state evolves:" in four and four.endswith(")\n")  # the table, then ""


def test_the_table_right_aligns_t_g_the_state_and_the_update():
    text = explain(tn.optimizers.Adagrad(lr=0.1, eps=0.0), [[3, 4], [1, 0], [2, 2], [0, 1]])
    table = text.split("how the state evolves:\n")[1].splitlines()
    G = np.cumsum(np.array([[9, 16], [1, 0], [4, 4], [0, 1]]), axis=0)
    g = np.array([[3, 4], [1, 0], [2, 2], [0, 1]])
    eta = 0.1 / np.sqrt(G)
    cells = [["t", "g_t", "G_t", "eta_eff", "update"]] + [
        [str(t), fmt(g[t - 1]), fmt(G[t - 1]), fmt(eta[t - 1]), fmt(-eta[t - 1] * g[t - 1] + 0.0)]
        for t in (1, 2, 3, 4)]
    widths = [max(len(row[i]) for row in cells) for i in range(5)]
    assert table == ["  " + "  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    assert text.endswith(table[-1] + "\n")  # the table is last, then a blank line
    sgd = explain(tn.optimizers.SGD(lr=1.0), [[1], [2], [3], [4]])
    assert sgd.split("how the state evolves:\n")[1].splitlines()[0].split() == [
        "t", "g_t", "update"]  # no state: just the gradient and the step


def test_a_users_optimizer_shows_its_state_arrays_by_name():
    class Accumulate(tn.optimizers.Optimizer):
        state_symbols = ("a",)

        def update(self, W, dW, a):
            a += dW
            W -= self.lr * a

    text = explain(Accumulate(lr=0.5), [[1, 2], [3, 4]])
    assert value(text, "a_t", 2).tolist() == [4.0, 6.0]


def test_the_sgd_contrast_is_one_plain_step_and_how_uneven_it_is():
    assert sgd_contrast(0.01, [100, 1]) == (
        "plain SGD, same lr: update = -lr * g = (-1, -0.01) (largest/smallest: 100x)")
    assert sgd_contrast(0.5, [3, -1]) == (
        "plain SGD, same lr: update = -lr * g = (-1.5, 0.5) (largest/smallest: 3x)")
    assert sgd_contrast(0.01, [100, 0]) == "plain SGD, same lr: update = -lr * g = (-1, 0)"


def test_gradient_files_one_step_a_line_with_comments(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("# the article's example\n100, 1\n\n50 2  # then a smaller one\n")
    assert read_grads(path) == [[100.0, 1.0], [50.0, 2.0]]
    path.write_text("1, 2\n1, x\n")
    with pytest.raises(ValueError, match=r"g.txt, line 2: expected numbers, got '1, x'"):
        read_grads(path)
    path.write_text("1, 2\n1\n")
    with pytest.raises(ValueError, match=r"g.txt: every gradient needs the same length, "
                                         r"got \[1, 2\]"):
        read_grads(path)
    path.write_text("# nothing\n")
    with pytest.raises(ValueError, match=r"g.txt: no gradients given"):
        read_grads(path)
    with pytest.raises(FileNotFoundError, match="gradient file not found: .*missing.txt"):
        read_grads(tmp_path / "missing.txt")


def test_gradients_given_as_lists_are_checked_and_made_floats():
    grads = check_grads([[1, 2], np.array([3, 4])], "grads")
    assert grads == [[1.0, 2.0], [3.0, 4.0]]
    assert all(type(x) is np.float64 for g in grads for x in g)
    assert check_grads([["1", "2.5"]], "grads") == [[1.0, 2.5]]
    for bad, message in (([], "grads: no gradients given"), ([[]], "grads: no gradients given"),
                         ([[1, 2], [3]], r"grads: every gradient needs the same length, "
                                         r"got \[1, 2\]"),
                         ([[1, np.nan]], "grads: gradients must be finite")):
        with pytest.raises(ValueError, match=message):
            explain(tn.optimizers.SGD(), bad)
