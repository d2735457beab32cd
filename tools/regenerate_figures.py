"""Regenerate every figure in examples/figures, and the printed numbers behind it.

    python tools/regenerate_figures.py            # all teaching examples
    python tools/regenerate_figures.py moons      # those whose name contains "moons"

Each example's output (without its "wrote ..." lines) goes to examples/figures/NAME.txt:
the README quotes those numbers, and tests/test_examples.py reruns every example and
compares its output (numbers to the digits shown, tests/printouts.py) and its PNG (byte for
byte, under the matplotlib version recorded in examples/figures/matplotlib-version.txt)
with what is committed here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "examples" / "figures"
EXAMPLES = ["rmsprop_worked_example", "balanced_updates", "badly_scaled_surface",
            "effective_learning_rate", "learning_rate_sweep", "moons_decision_boundary",
            "sklearn_grid_search"]
NO_FIGURE = {"sklearn_grid_search"}  # prints numbers only


def run(name: str, out: Path) -> str:
    """The example's printed output, without the lines that name the files it wrote."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    args = [] if name in NO_FIGURE else ["--out", str(out)]
    result = subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), *args],
                            capture_output=True, text=True, env=env, check=True)
    return "".join(line + "\n" for line in result.stdout.splitlines()
                   if not line.startswith("wrote "))


def main() -> None:
    import matplotlib

    wanted = [n for n in EXAMPLES if not sys.argv[1:] or any(a in n for a in sys.argv[1:])]
    for name in wanted:
        (FIGURES / f"{name}.txt").write_text(run(name, FIGURES))
        print("regenerated", name)
    (FIGURES / "matplotlib-version.txt").write_text(matplotlib.__version__ + "\n")


if __name__ == "__main__":
    main()
