"""Shared by the examples: where figures go, and whether matplotlib is here."""

from __future__ import annotations

import argparse
from pathlib import Path

from tinynet.plots import have_matplotlib

FIGURES = Path(__file__).resolve().parent / "figures"


def output_folder(description: str) -> Path | None:
    """Parse ``--out DIR`` (default examples/figures); None when matplotlib is missing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=FIGURES, help="folder for the PNG files")
    out = parser.parse_args().out
    if not have_matplotlib():
        print("(matplotlib is not installed: numbers only; pip install -e '.[plot]' for PNGs)")
        return None
    out.mkdir(parents=True, exist_ok=True)
    return out
