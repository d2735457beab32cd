"""Saving files: what a save does with the temporary files earlier saves left behind."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from tinynet.files import _alive, _temp_prefix, atomic_open


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: that pid names no process now
    return proc.pid


def test_alive_tells_running_processes_from_finished_ones(monkeypatch):
    received = []
    monkeypatch.setattr(signal, "signal", signal.signal)  # restored afterwards
    previous = signal.signal(signal.SIGHUP, lambda sig, frame: received.append(sig))
    try:
        assert _alive(os.getpid()) is True
        assert _alive(1) is True  # init: it exists, whether or not it is ours to signal
        assert _alive(dead_pid()) is False
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert received == []  # asking (signal 0) sends nothing


def test_a_process_we_may_not_signal_is_alive(monkeypatch):
    def not_ours(pid, sig):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", not_ours)
    assert _alive(12345) is True


def test_a_save_removes_temporaries_of_killed_saves_and_keeps_live_ones(tmp_path):
    target = tmp_path / "m.npz"
    prefix = _temp_prefix(target)
    killed = tmp_path / f"{prefix}{dead_pid()}-abc.tmp"
    live = tmp_path / f"{prefix}{os.getpid()}-def.tmp"  # a save in progress right now
    strange = tmp_path / f"{prefix}notapid-ghi.tmp"
    other = tmp_path / f".other.npz.tinynet-{dead_pid()}-jkl.tmp"  # another file's
    for p in (killed, live, strange, other):
        p.write_bytes(b"half a save")
    with atomic_open(target) as f:
        f.write(b"done")
    assert target.read_bytes() == b"done"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, live.name, strange.name, other.name])


def test_the_prefix_names_the_file_and_stays_short():
    assert _temp_prefix(Path("/x/model.npz")) == ".model.npz.tinynet-"
    # 255 bytes is the longest file name: the prefix keeps 40 characters of the target's
    assert _temp_prefix(Path("/x/" + "a" * 300)) == "." + "a" * 40 + ".tinynet-"
