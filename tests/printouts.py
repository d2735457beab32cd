"""Comparing what a command prints with its committed record, on any machine.

A record (examples/figures/NAME.txt, a notebook's committed output) holds numbers from
stable runs only: a run whose outcome depends on the last bit of the arithmetic prints a
word instead ("erratic", "diverged", "inf"; see ``tinynet.compare.is_erratic``). So text
must match exactly (up to spacing), and every number must match to the digits the record
shows, give or take one unit in its last digit: another CPU's BLAS kernel rounds matrix
products differently, which moves a stable result by ~1e-10 and can flip a rounding.
"""

from __future__ import annotations

import re

NUMBER = re.compile(r"([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)")


def last_digit(text: str) -> float:
    """One unit in the last digit a printed number shows: ``0.1442`` -> 1e-4,
    ``2.05e-03`` -> 1e-5, ``86`` -> 1."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** (int(exponent or 0) - decimals)


def differences(got: str, recorded: str) -> list[str]:
    """Where ``got`` differs from ``recorded``, line by line (empty when they agree)."""
    got_lines, rec_lines = got.splitlines(), recorded.splitlines()
    if len(got_lines) != len(rec_lines):
        return [f"{len(got_lines)} lines printed, the record has {len(rec_lines)}"]
    found = []
    for g, r in zip(got_lines, rec_lines):
        g_parts, r_parts = NUMBER.split(g), NUMBER.split(r)
        same = len(g_parts) == len(r_parts) and all(
            " ".join(a.split()) == " ".join(b.split()) if i % 2 == 0
            else abs(float(a) - float(b)) <= last_digit(b) * (1 + 1e-9)
            for i, (a, b) in enumerate(zip(g_parts, r_parts)))
        if not same:
            found.append(f"printed  {g!r}\n  record {r!r}")
    return found


def assert_same_printout(got: str, recorded: str, what: str) -> None:
    problems = differences(got, recorded)
    assert not problems, f"{what} prints something else now:\n" + "\n".join(problems[:5])


def assert_interrupted(err: str, command: str) -> None:
    """After Ctrl-C a command prints one line, ``tinynet COMMAND: interrupted``. When it had
    joblib worker processes, loky's resource tracker may add (now and then)
    its warning that it cleans up a semaphore a stopped worker left: that, and only that,
    may follow."""
    first, *rest = err.splitlines()
    assert first == f"tinynet {command}: interrupted", err
    assert all("loky/backend/resource_tracker.py" in line or line.strip().startswith(
        "warnings.warn(") for line in rest), err
