"""Reading and writing ``.npz`` files safely.

Two promises: nothing a user saved is ever half-written (we write a temporary file in
the same folder, then ``os.replace`` it over the target, which is atomic), and loading
never runs code (``allow_pickle=False``; structured metadata travels as JSON text).
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def check_path(path, name: str = "path") -> Path:
    """Return ``path`` as a Path, rejecting non-paths and empty strings."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or path, got {type(path).__name__}")
    if str(path) == "":
        raise ValueError(f"{name} is empty")
    return Path(path)


def json_array(obj) -> np.ndarray:
    """Encode plain data as a 0-d unicode array (loadable without pickle)."""
    return np.array(json.dumps(obj))


def from_json_array(arr: np.ndarray, path, key: str):
    """Decode what ``json_array`` wrote; a malformed entry names the file and the key."""
    try:
        return json.loads(str(arr[()]))
    except (ValueError, TypeError, IndexError) as err:
        raise ValueError(f"{path}: entry {key!r} is not valid tinynet metadata ({err})") from err


def check_writable(path) -> Path:
    """Fail early (before hours of training) if ``path`` cannot be saved to."""
    path = check_path(path)
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: folder {folder} does not exist")
    if path.is_dir():
        raise ValueError(f"cannot save to {path}: it is a folder")
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"cannot save to {path}: folder {folder} is not writable")
    return path


@contextmanager
def atomic_open(path, mode: str = "wb"):
    """Open a temporary file beside ``path``; on success it replaces ``path`` in one step,
    on any failure (an exception, Ctrl-C, a full disk) it is removed and ``path`` is as
    it was."""
    path = check_writable(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise _save_error(path, err) from err
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"newline": ""})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise _save_error(path, err) from err
        raise


def _save_error(path: Path, err: OSError) -> OSError:
    """The same kind of error (PermissionError, a full disk's OSError, ...), saying which
    file could not be saved; the previous file is untouched."""
    return OSError(err.errno, f"cannot save to {path}: {err.strerror or err}; "
                              f"any previous file there is unchanged")


def save_npz(path, arrays: dict) -> Path:
    """Write ``arrays`` to ``path`` as an .npz, atomically: the old file survives any failure."""
    with atomic_open(path) as f:
        np.savez(f, **arrays)
    return Path(path)


def load_npz(path, what: str = "file") -> dict:
    """Read every array of an ``.npz`` file into memory, never unpickling.

    Raises FileNotFoundError for a missing file and ValueError, naming the file, for
    anything that is not a readable npz archive of plain arrays.
    """
    path = check_path(path)
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a {what}")
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError(f"{path} is not a {what}: it is a .npy array, not an .npz archive")
        with data:
            return {key: data[key] for key in data.files}
    except ValueError as err:
        if "allow_pickle" in str(err) and "Object arrays" in str(err):
            raise ValueError(
                f"{path} holds object arrays, which tinynet never loads (they need pickle)"
            ) from err
        if "pickled" in str(err) or "allow_pickle" in str(err):
            raise ValueError(f"{path} is not a {what}: it is not an .npz archive") from err
        if str(path) in str(err):
            raise
        raise ValueError(f"{path} is not a readable {what}: {err}") from err
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as err:
        raise ValueError(f"{path} is not a readable {what} (truncated or corrupt): {err}") from err
