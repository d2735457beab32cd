"""``tinynet exercises list | start DIR | check FILE``: the stubs, and grading a file.

``start`` writes ``DIR/exercises.py``: one stub per exercise, each raising
``NotImplementedError("your code here")`` under its formula. ``check`` runs the file and
grades every exercise function it defines (exit 1 if one fails).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import textwrap
from pathlib import Path

from . import EXERCISES, check
from .grader import Grade

STUB_FILE = "exercises.py"

HEADER = '''"""tinynet exercises: backprop and the article's optimizers, written by you.

Replace each `raise NotImplementedError("your code here")` with your code (numpy only;
batches are rows), then grade every function of this file:

    tinynet exercises check {path}

The grader runs each function on cases chosen so that the typical mistakes show, compares
it with tinynet's own code, and says what is wrong. Do them in order: each builds on the
last.
"""

import numpy as np
'''


def stub_text(path: str) -> str:
    """The text of the stub file, which will be at ``path``."""
    return HEADER.format(path=path) + "".join(f"\n\n{stub(ex)}" for ex in EXERCISES.values())


def stub(ex) -> str:
    """One exercise's stub: its signature, task and formula, and ``raise
    NotImplementedError("your code here")`` (notebook 06's cells are these too)."""
    head = ex.signature.split(" -> ")[0]
    task = "\n".join(f"    # {line}" for line in textwrap.wrap(ex.task, 84))
    formula = "\n".join(f"    #   {line}" for line in ex.formula.splitlines())
    todo = '    raise NotImplementedError("your code here")'
    return f"def {head}:\n{task}\n    #\n{formula}\n{todo}\n"


def start(folder: str) -> Path:
    """Write the stub file into ``folder`` (made if missing); never over an existing file."""
    path = Path(folder) / STUB_FILE
    if path.exists():
        raise ValueError(f"{path} exists (your work?): choose another folder, or move the "
                         f"file away first")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as f:  # "x": never replaces a file
        f.write(stub_text(str(path)))
    return path


def solutions(file: str) -> dict:
    """The exercise functions that ``file`` defines, by name (the file is run)."""
    path = Path(file)
    if not path.is_file():
        raise ValueError(f"no file {file} (tinynet exercises start DIR writes one)")
    spec = importlib.util.spec_from_file_location("tinynet_learner_solutions", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        raise ValueError(f"{file}, line {err.lineno}: {err.msg}") from None
    except Exception as err:  # noqa: BLE001 - the learner's file may raise anything
        raise ValueError(f"running {file} raised {type(err).__name__}: {err}") from None
    found = {n: getattr(module, n) for n in EXERCISES if callable(getattr(module, n, None))}
    if not found:
        raise ValueError(f"{file} defines none of the exercises: {', '.join(EXERCISES)}")
    return found


def grade_file(file: str) -> list[Grade]:
    """Every exercise function of ``file``, graded, in the exercises' order."""
    return [check(name, fn) for name, fn in solutions(file).items()]


# ----- the command line ----------------------------------------------------------------------

def add_parser(commands) -> argparse.ArgumentParser:
    """``tinynet exercises`` among ``commands`` (the subparsers of ``tinynet``)."""
    parser = commands.add_parser(
        "exercises", help="graded exercises: backprop and the optimizers, written by you",
        description="'list' the exercises; 'start DIR' writes DIR/exercises.py, one stub per "
        "exercise with its formula; 'check FILE' grades every exercise function FILE "
        "defines and names the mistake when one is wrong (exit 1 if any fails).")
    parser.add_argument("action", choices=["list", "start", "check"])
    parser.add_argument("path", nargs="?", help="start: a folder; check: a file")
    parser.set_defaults(run=cmd_exercises, imports=[])
    return parser


def cmd_exercises(args: argparse.Namespace) -> int:
    if args.action == "list":
        if args.path:
            raise ValueError("'list' takes no path")
        for ex in EXERCISES.values():
            print(f"{ex.signature}\n    {ex.task}")
        return 0
    if not args.path:
        what = "a folder for the stubs" if args.action == "start" else "the file to grade"
        raise ValueError(f"'{args.action}' needs {what}: tinynet exercises {args.action} "
                         f"{'DIR' if args.action == 'start' else 'FILE'}")
    if args.action == "start":
        path = start(args.path)
        print(f"wrote {path}: {len(EXERCISES)} stubs. Write one, then: "
              f"tinynet exercises check {path}")
        return 0
    grades = grade_file(args.path)
    for g in grades:
        print(f"{'PASS' if g.passed else 'FAIL'}  {g.message}")
    passed = sum(g.passed for g in grades)
    todo = sum("not implemented yet" in g.message for g in grades)
    print(f"{passed} of {len(grades)} exercises pass"
          + (f" ({todo} not implemented yet)" if todo else ""))
    sys.stdout.flush()
    return 0 if passed == len(grades) else 1
