"""Mutation score per core module, from the results of ``mutmut run``.

    mutmut run                              # mutates the modules listed in setup.cfg [mutmut]
    python tools/mutation_score.py          # the table, and every survivor not accepted
    python tools/mutation_score.py --all    # ... and the accepted ones too

A survivor is a one-line bug that no test caught. Some survivors cannot be caught because
the bug changes nothing observable (an "equivalent" mutant, e.g. ``np.add.reduce(dZ,
axis=0)`` -> ``np.add.reduce(dZ)``, whose default axis is 0). Those are listed in
``tools/mutants_accepted.txt``, one per line, as ``function | mutated line | why``; the
score counts them as neither killed nor survived. Matching is by function and mutated
line, not by mutmut's numbers, which change whenever the code does. A mutant that only
rewords text for a person (an error message inside a ``raise``, or the command line's help
page: ``help=``, ``description=``, ``metavar=``, group titles) is counted apart too, as
"words": the tests check the facts in that text (names, numbers, stated defaults), not
every word.

Exit status 1 if any module scores below ``--target`` (default 95%), or if any mutant
has not been run yet.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
ACCEPTED = ROOT / "tools" / "mutants_accepted.txt"
KILLED, SURVIVED = {1, 3, 24, -24, 36, 152, 255}, {0}  # timeouts count as killed, as in mutmut


def module_of(key: str) -> str:
    """``tinynet.optimizers.rmsprop.x_update__mutmut_3`` -> ``optimizers`` (one row per
    core module; the optimizer package is one module)."""
    parts = key.split(".")
    return parts[1]


def function_of(key: str) -> str:
    """The mutated function's readable name: ``RMSProp.update`` or ``mlp``."""
    name = key.rsplit(".", 1)[1]
    name = re.sub(r"__mutmut_\d+$", "", name)
    if name.startswith("xǁ"):
        cls, func = name[2:].split("ǁ", 1)
        return f"{cls}.{func}"
    return name[2:] if name.startswith("x_") else name


def functions(source: str) -> dict:
    """Every function of a mutated module by name: (first line, end line, the lines inside
    a ``raise``), from one parse of the module (it holds every mutant: parse it once)."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            raises = {line - first for sub in ast.walk(node) if isinstance(sub, ast.Raise)
                      for line in range(sub.lineno, sub.end_lineno + 1)}
            found[node.name] = (first, node.end_lineno, raises)
    return found


def changed_lines(source: str, key: str, funcs: dict | None = None) -> tuple[str, str, bool]:
    """The original and mutated text of the lines a mutant changes, and whether every
    changed line lies inside a ``raise`` statement (the mutant only rewords an error)."""
    name = key.rsplit(".", 1)[1]
    orig = re.sub(r"__mutmut_\d+$", "__mutmut_orig", name)
    src = source.splitlines()
    funcs = funcs if funcs is not None else functions(source)
    bodies = {}
    for fname in (name, orig):
        if fname in funcs:
            first, end, _ = funcs[fname]
            bodies[fname] = [line.replace(fname, "FUNC") for line in src[first - 1:end]]
    raises = funcs[orig][2] if orig in funcs else set()
    a, b = bodies.get(orig, []), bodies.get(name, [])
    minus, plus, where = [], [], set()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op != "equal":
            minus += [line.strip() for line in a[i1:i2]]
            plus += [line.strip() for line in b[j1:j2]]
            where.update(range(i1, i2))
    words = bool(where) and (where <= raises or only_help_text(a, b))
    return " / ".join(minus), " / ".join(plus), words


HELP_WORDS = {"help", "description", "metavar"}  # argparse's text for the help page


class _WithoutHelpText(ast.NodeTransformer):
    """Drops what only a help page shows: help=, description=, metavar= and the titles of
    argument groups."""

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        node.keywords = [k for k in node.keywords if k.arg not in HELP_WORDS]
        if isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument_group":
            node.args = []
        return node


def only_help_text(orig: list[str], mutant: list[str]) -> bool:
    """True when two versions of a function differ only in the text of a help page."""
    try:
        trees = [ast.parse(textwrap.dedent("\n".join(body))) for body in (orig, mutant)]
    except SyntaxError:
        return False
    return len({ast.dump(_WithoutHelpText().visit(tree)) for tree in trees}) == 1


def load_accepted() -> list[tuple[str, str, str]]:
    rows = []
    if ACCEPTED.exists():
        for line in ACCEPTED.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                func, rest = line.split(" | ", 1)
                mutated, why = rest.rsplit(" | ", 1)  # the mutated line may hold " | " itself
                rows.append((func.strip(), " ".join(mutated.split()), why.strip()))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="also list accepted survivors")
    parser.add_argument("--target", type=float, default=95.0, help="minimum score per module")
    args = parser.parse_args(argv)
    metas = sorted(MUTANTS.glob("tinynet/**/*.py.meta"))
    if not metas:
        print("no results: run `mutmut run` first", file=sys.stderr)
        return 2
    accepted = load_accepted()
    counts: dict = defaultdict(lambda: defaultdict(int))
    survivors, used = [], set()
    for meta in metas:
        source = meta.with_suffix("").read_text()  # the mutated module: every mutant in it
        funcs = None  # parsed when the first survivor needs it
        results = json.loads(meta.read_text())["exit_code_by_key"]
        for key, code in results.items():
            row = counts[module_of(key)]
            if code in KILLED:
                row["killed"] += 1
                continue
            if code not in SURVIVED:
                row["not run" if code is None else "no tests"] += 1
                continue
            func = function_of(key)
            funcs = funcs if funcs is not None else functions(source)
            before, after, words = changed_lines(source, key, funcs)
            if words:
                row["words"] += 1
                continue
            match = next((i for i, (f, m, _) in enumerate(accepted)
                          if f == func and m == " ".join(after.split())), None)
            if match is not None:
                row["accepted"] += 1
                used.add(match)
                if args.all:
                    survivors.append(("accepted", key, func, before, after, accepted[match][2]))
            else:
                row["survived"] += 1
                survivors.append(("survived", key, func, before, after, ""))

    print(f"{'module':<12}{'killed':>8}{'survived':>10}{'accepted':>10}{'words':>9}"
          f"{'no tests':>10}{'score':>9}")
    failing = []
    for module, row in sorted(counts.items()):
        if row["not run"]:
            print(f"{module}: {row['not run']} mutants not run yet")
        tried = row["killed"] + row["survived"] + row["no tests"]
        score = 100.0 * row["killed"] / tried if tried else 100.0
        failing += [module] if score < args.target else []
        print(f"{module:<12}{row['killed']:>8}{row['survived']:>10}{row['accepted']:>10}"
              f"{row['words']:>9}{row['no tests']:>10}{score:>8.1f}%")
    for status, key, func, before, after, why in survivors:
        print(f"\n{status}: {key}\n  {func}:  {before}\n  {'':{len(func)}}-> {after}"
              + (f"\n  why: {why}" if why else ""))
    stale = [accepted[i] for i in range(len(accepted)) if i not in used]
    if stale and not any(row["not run"] for row in counts.values()):  # after a full run
        print(f"\n{len(stale)} accepted line(s) matched no survivor (remove them):")
        for func, mutated, _ in stale:
            print(f"  {func} | {mutated}")
    if failing:
        print(f"\nbelow {args.target:g}%: {', '.join(failing)}")
    unrun = sum(row["not run"] for row in counts.values())
    if unrun:  # a score over part of a module's mutants proves nothing about the rest
        print(f"\nincomplete: {unrun} mutants not run yet (`mutmut run` goes on from here)")
    return 1 if failing or unrun else 0


if __name__ == "__main__":
    sys.exit(main())
