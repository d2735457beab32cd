"""A user's own code, named with ``--import``: modules or ``.py`` files, which may register
optimizers and losses. Imported once per process (a worker process imports them itself)."""

from __future__ import annotations

_imported: set = set()  # targets import_once has imported in this process


def import_user_code(targets: list[str]) -> None:
    """Import modules or .py files named with --import (they may register optimizers)."""
    import importlib
    import importlib.util
    from pathlib import Path

    for target in targets:
        if target.endswith(".py"):
            path = Path(target)
            if not path.is_file():
                raise FileNotFoundError(f"--import: no such file {target}")
            spec = importlib.util.spec_from_file_location(f"tinynet_user_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
            except Exception as err:  # the user's code: report it in one line
                raise ValueError(f"--import {target}: {type(err).__name__}: {err}") from err
        else:
            try:
                importlib.import_module(target)
            except Exception as err:
                raise ValueError(f"--import: cannot import {target!r} ({type(err).__name__}: "
                                 f"{err})") from err


def import_once(targets) -> None:
    """``import_user_code`` for the targets this process has not imported through here yet:
    a worker process runs many runs, and a second import would register the same names
    again."""
    fresh = [t for t in targets if t not in _imported]
    import_user_code(fresh)
    _imported.update(fresh)


def for_workers(targets) -> tuple:
    """The targets as a worker process finds them: a ``.py`` file by its absolute path (a
    worker may start in another folder), a module by its name."""
    from pathlib import Path

    return tuple(str(Path(t).resolve()) if t.endswith(".py") else t for t in targets)
