"""Reading and writing ``.npz`` files safely.

Two promises: nothing a user saved is ever half-written (we write a temporary file in
the same folder, then ``os.replace`` it over the target, which is atomic), and loading
never runs code (``allow_pickle=False``; structured metadata travels as JSON text).
"""

from __future__ import annotations

import contextlib
import glob
import json
import math
import os
import stat
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

# what reading a file's content raises when the content is not what it should be
MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError,
             RecursionError)


def unusable(path, what: str, err: Exception) -> ValueError:
    """The one-line error for a file whose content does not fit:
    ``{path}: {what} ({type}: {message})``."""
    return ValueError(f"{path}: {what} ({type(err).__name__}: {err})")


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
    except (ValueError, TypeError, IndexError, RecursionError) as err:
        raise ValueError(f"{path}: entry {key!r} is not valid tinynet metadata ({err})") from err


def check_writable(path) -> Path:
    """Fail early (before hours of training) if ``path`` cannot be saved to; return the
    path a save replaces (a symbolic link's target: the link stays a link)."""
    path = check_path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: folder {folder} does not exist")
    if path.is_dir():
        raise ValueError(f"cannot save to {path}: it is a folder")
    if path.exists():
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(f"cannot save to {path}: it is not a regular file (a device, FIFO "
                             f"or socket), and saving replaces the file; give a file name")
        if not mode & 0o222:
            raise PermissionError(f"cannot save to {path}: the file is write-protected "
                                  f"(chmod u+w it, or choose another name)")
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"cannot save to {path}: folder {folder} is not writable")
    return path


def _temp_prefix(path: Path) -> str:
    # short enough for a 255-byte target name; the pid lets a later save tell a live
    # writer from a save killed halfway (kill -9), whose file it then removes
    return f".{path.name[:40]}.tinynet-"


def _remove_stale_temps(path: Path) -> None:
    """Delete temporary files that earlier saves to ``path`` left when they were killed."""
    prefix = _temp_prefix(path)
    for tmp in path.parent.glob(glob.escape(prefix) + "*.tmp"):
        pid = tmp.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but is someone else's
        return True
    return True


def _new_file_mode(path: Path) -> int:
    """What a plain ``open(path, "w")`` would give: the old file's mode, or 0666 less the
    umask (mkstemp's files are 0600)."""
    if path.exists():
        return stat.S_IMODE(path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_open(path, mode: str = "wb"):
    """Open a temporary file beside ``path``; on success it replaces ``path`` in one step,
    on any failure (an exception, Ctrl-C, a full disk) it is removed and ``path`` is as
    it was."""
    path = check_writable(path)
    _remove_stale_temps(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp",
                                   prefix=f"{_temp_prefix(path)}{os.getpid()}-")
        os.chmod(tmp, _new_file_mode(path))
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


MAX_LOAD_BYTES = 1 << 30  # what one file may inflate to: far above any tinynet MLP


def load_npz(path, what: str = "file", max_bytes: int | None = None) -> dict:
    """Read every array of an ``.npz`` file into memory, never unpickling.

    Before anything is allocated, each member's header is read and checked: a plain
    dtype, and a declared size that the member really holds, within ``max_bytes`` for
    the whole file; so a small file cannot make the loader allocate gigabytes. Raises
    FileNotFoundError for a missing file and ValueError, naming the file, for anything
    that is not a readable npz archive of plain arrays.
    """
    path = check_path(path)
    max_bytes = MAX_LOAD_BYTES if max_bytes is None else max_bytes
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a {what}")
    if not path.is_file():  # a FIFO or a device: reading it could block forever
        raise ValueError(f"{path} is not a regular file (a device or FIFO), not a {what}")
    try:
        with path.open("rb") as f:
            magic = f.read(6)
        if magic == b"\x93NUMPY":
            raise ValueError(f"{path} is not a {what}: it is a .npy array, not an .npz archive")
        if not magic.startswith(b"PK"):
            raise ValueError(f"{path} is not a {what}: it is not an .npz archive")
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            total = sum(m.file_size for m in members)
            if total > max_bytes:
                raise ValueError(f"{path}: its arrays would take {total / 2**20:,.0f} MB once "
                                 f"loaded, more than the {max_bytes / 2**20:,.0f} MB a {what} "
                                 f"may use")
            return {m.filename[:-4]: _read_member(zf, m, path) for m in members}
    except ValueError as err:
        if str(path) in str(err):
            raise
        raise ValueError(f"{path} is not a readable {what}: {err}") from err
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, RuntimeError, NotImplementedError,
            OverflowError, TypeError, MemoryError, UnicodeDecodeError, SyntaxError) as err:
        # RuntimeError: an encrypted member; NotImplementedError: a compression method
        raise ValueError(f"{path} is not a readable {what} (truncated or corrupt): "
                         f"{type(err).__name__}: {err}") from err


def _read_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, path) -> np.ndarray:
    """One array, after checking what its header declares against what it holds."""
    name = member.filename
    if not name.endswith(".npy"):
        raise ValueError(f"{path}: member {name!r} is not an array (.npy)")
    with zf.open(member) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        if dtype.hasobject:
            raise ValueError(f"{path} holds object arrays, which tinynet never loads (they "
                             f"need pickle)")
        declared = math.prod(shape) * dtype.itemsize
        if declared > member.file_size:
            raise ValueError(f"{path}: array {name[:-4]!r} declares shape {shape} "
                             f"({declared:,} bytes) but holds {member.file_size:,} bytes")
    with zf.open(member) as f:
        return np.lib.format.read_array(f, allow_pickle=False)
