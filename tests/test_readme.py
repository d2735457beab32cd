"""The README's Python examples run as written, each on its own, and the values they show
are the values the code computes.

Every ```python block is run alone, in a fresh interpreter started in an empty folder, as a
reader who copies just that block would run it. A line such as
``opt.s_dW[1].ravel()   # [1000.   0.1]`` is an expression followed by the value it shows.
Each such line is run as a check: the numbers in the comment must equal the expression's
numbers to the digits shown (``0.0316`` stands for anything that rounds to it), and
``# True`` / ``# False`` must be exactly that. A value shown so must hold on every machine.
"""

import ast
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
NUMBER = r"-?\d+(?:\.\d*)?(?:e-?\d+)?"
SHOWN = re.compile(rf"^(?P<code>\S.*?)\s+#\s*(?P<shown>\[[^\]]*\]|\{{[^}}]*\}}|True|False|"
                   rf"{NUMBER})(?:\s|$)")


def numbers(value) -> list[float]:
    """The numbers in a value, in reading order (dict values in key order)."""
    if isinstance(value, dict):
        return [x for v in value.values() for x in numbers(v)]
    return [float(x) for x in np.ravel(value)]


def check_shown(value, shown: str) -> None:
    if shown in ("True", "False"):
        assert value is (shown == "True"), f"{value!r} is shown as {shown}"
        return
    expected = re.findall(NUMBER, shown)
    got = numbers(value)
    assert len(got) == len(expected), f"{shown} shows {len(expected)} numbers, got {got}"
    for x, text in zip(got, expected):
        decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
        tolerance = 0.5 * 10.0**-decimals if "e" not in text else abs(float(text)) * 1e-3
        assert abs(x - float(text)) <= tolerance * (1 + 1e-9), f"{x} is shown as {text}"


def with_checks(code: str) -> tuple[str, int]:
    """The block with every 'expression  # value' line turned into a check of that value."""
    lines, checks = [], 0
    for line in code.splitlines():
        match = SHOWN.match(line)
        if match:
            expr = match["code"]
            call = re.fullmatch(r"print\((.*)\)", expr)
            expr = call[1] if call else expr
            try:
                ast.parse(expr, mode="eval")
            except SyntaxError:  # an assignment or statement: nothing to compare
                lines.append(line)
                continue
            lines.append(f"_check({expr}, {match['shown']!r})")
            checks += 1
        else:
            lines.append(line)
    return "\n".join(lines), checks


PRELUDE = "\n".join(["import re", "import numpy as np", f"NUMBER = {NUMBER!r}",
                     inspect.getsource(numbers), inspect.getsource(check_shown),
                     "_check = check_shown", ""])


def test_the_readme_shows_values_to_check():
    assert sum(with_checks(b)[1] for b in BLOCKS) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs_alone_and_shows_what_it_computes(code, tmp_path):
    source, _ = with_checks(code)
    env = {**os.environ, "PYTHONPATH": str(README.parent), "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-c", PRELUDE + source], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"this README block, run alone, fails:\n{code}\n" \
                                   f"{result.stderr[-2000:]}"


def test_every_python_block_is_tested():
    assert len(BLOCKS) == README.read_text().count("```python")
    assert all(b.lstrip().startswith(("import", "from")) for b in BLOCKS), \
        "each README block starts with its own imports, to run when copied alone"


def test_the_check_itself_catches_a_wrong_value():
    check_shown(np.array([1000.0, 0.1]), "[1000.   0.1]")
    check_shown({"loss": 0.0684, "accuracy": 0.975}, "{'loss': 0.068, 'accuracy': 0.98}")
    with pytest.raises(AssertionError, match="is shown as 0.98"):
        check_shown({"loss": 0.068, "accuracy": 0.97}, "{'loss': 0.068, 'accuracy': 0.98}")
    with pytest.raises(AssertionError, match="shows 2 numbers"):
        check_shown(np.array([1.0]), "[1. 2.]")
    check_shown(True, "True")
    with pytest.raises(AssertionError, match="is shown as True"):
        check_shown(np.True_ & False, "True")
    assert with_checks("bool(x < 1)   # True")[0] == "_check(bool(x < 1), 'True')"


def test_reading_path_table_is_the_tools_output():
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(README.parent)}  # this tree's tinynet, not another
    out = subprocess.run([sys.executable, str(README.parent / "tools" / "reading_path.py")],
                         capture_output=True, text=True, check=True, env=env).stdout
    assert out in README.read_text()
    total = out.strip().splitlines()[-1]  # | 6 files | 17 functions | 142 |
    files, _, lines = (int(cell.split()[0]) for cell in total.strip("| ").split(" | "))
    assert files <= 6 and lines <= 160  # the budget for the reading path


def test_rmsprop_lines_shown_are_the_code():
    import inspect

    import tinynet as tn

    shown = re.search(r"```text\n(s\[\.\.\.\] = rho.*?)```", README.read_text(), re.S).group(1)
    source = [line.strip() for line in inspect.getsource(tn.optimizers.RMSProp.update)
              .splitlines()]
    for line in shown.strip().splitlines():
        assert line.strip() in source, line


def test_performance_table_is_the_benchmarks_output():
    import subprocess
    import sys

    root = README.parent
    out = subprocess.run([sys.executable, str(root / "examples" / "benchmark.py"), "--table",
                          str(root / "examples" / "benchmark_results.json")],
                         capture_output=True, text=True, check=True).stdout
    assert out in README.read_text()


RECORDS = README.parent / "examples" / "figures"
NUMBER_IN_TEXT = re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?")
# numbers in a paragraph that describe the setup rather than a result
SETUP = {"balanced_updates": {"2"}, "badly_scaled_surface": {"100"},
         "sklearn_grid_search": {"2"}}


@pytest.mark.parametrize("name", ["balanced_updates", "badly_scaled_surface",
                                  "effective_learning_rate", "learning_rate_sweep",
                                  "moons_decision_boundary", "sklearn_grid_search"])
def test_readme_numbers_about_an_example_are_what_it_printed(name):
    # examples/figures/NAME.txt is the example's output (test_examples checks that it is
    # still what the example prints); every number the README says about it is in there.
    printed = set(NUMBER_IN_TEXT.findall((RECORDS / f"{name}.txt").read_text()))
    paragraphs = [p for p in README.read_text().split("\n\n")
                  if p.startswith(f"`{name}.py`") or f"`examples/{name}.py`" in p]
    assert paragraphs, f"the README says nothing about {name}.py"
    for paragraph in paragraphs:
        claimed = set(NUMBER_IN_TEXT.findall(paragraph)) - SETUP.get(name, set())
        assert claimed <= printed, f"{name}: {sorted(claimed - printed)} are not in its output"
