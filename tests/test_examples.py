"""Every example runs headless and prints its numbers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, *args, cwd=None):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=240, env=env, cwd=cwd)


@pytest.mark.slow
def test_custom_optimizer_example():
    result = run_example("custom_optimizer.py")
    assert result.returncode == 0, result.stderr
    assert "AdaMax passed 7 checks" in result.stdout
    acc = float(result.stdout.split("test accuracy")[1].split()[0])
    assert acc >= 0.95
