"""Hostile files, faults and interrupts (issue 15): nothing lost, nothing hangs, every error
says what to fix. One table per category; real signals and real kill -9 in subprocesses."""

import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import tinynet as tn
from tinynet import checkpoint
from tinynet.cli import main
from tinynet.csvdata import read_csv
from tinynet.files import atomic_open

ROOT = Path(__file__).resolve().parents[1]
# PYTHONUNBUFFERED unset, as on most machines: what a reader waits for must be flushed
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
       "PYTHONPATH": str(ROOT)}


def trained(tmp_path, callbacks=()):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 4)), rng.integers(0, 3, 40)
    trainer = tn.Trainer(tn.mlp([4, 6, 3], seed=0), tn.SoftmaxCrossEntropy(), "adam",
                         batch_size=8, progress=False, callbacks=list(callbacks))
    trainer.fit(X, y, epochs=2)
    return trainer, X, y


def npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def zip_with(members: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def npy_header(shape, dtype="<f8") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False,
                                               "shape": shape})
    return buf.getvalue()


# ----- saving over special files ----------------------------------------------------------

@pytest.mark.parametrize("target", ["fifo", "device", "write-protected"])
def test_saving_never_replaces_a_special_or_protected_file(tmp_path, target):
    if target == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)
    elif target == "write-protected":
        path = tmp_path / "keep.npz"
        path.write_bytes(b"precious")
        path.chmod(0o444)
    else:  # a device like /dev/null, made here: a bug (or a mutant) can only replace this one
        path = tmp_path / "null"
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs root (CI runs as root)")
    before = path.lstat()
    model = tn.mlp([2, 2])
    error = PermissionError if target == "write-protected" else ValueError
    with pytest.raises(error, match="not a regular file|write-protected"):
        model.save(path)
    after = path.lstat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    if target == "write-protected":
        assert path.read_bytes() == b"precious"


def test_loading_from_a_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    for load in (tn.Sequential.load, checkpoint.load, read_csv):
        with pytest.raises(ValueError, match="not a regular file"):
            load(fifo)


def test_a_save_keeps_the_file_mode_and_the_umask(tmp_path):
    path = tmp_path / "m.npz"
    old = os.umask(0o022)
    try:
        tn.mlp([2, 2]).save(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # 0666 less the umask, as open()
        path.chmod(0o640)
        tn.mlp([2, 2]).save(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640  # an existing file keeps its mode
    finally:
        os.umask(old)


def test_a_symlink_stays_a_link_and_its_target_is_saved(tmp_path):
    target, link = tmp_path / "real.npz", tmp_path / "link.npz"
    target.write_bytes(b"old")
    link.symlink_to(target)
    tn.mlp([2, 2]).save(link)
    assert link.is_symlink() and tn.Sequential.load(target).n_params() == 6


def test_long_file_names_can_be_saved(tmp_path):
    path = tmp_path / ("m" * 251 + ".npz")  # 255 bytes, the usual limit
    tn.mlp([2, 2]).save(path)
    assert tn.Sequential.load(path).n_params() == 6


# ----- memory and time bombs --------------------------------------------------------------

def test_bombs_are_refused_before_anything_large_is_allocated(tmp_path, monkeypatch):
    from tinynet import files

    monkeypatch.setattr(files, "MAX_LOAD_BYTES", 50 * 2**20)  # 50 MB instead of 1 GB
    np.savez_compressed(tmp_path / "inflates.npz", a=np.zeros(100 * 2**20 // 8))  # 100 MB
    assert (tmp_path / "inflates.npz").stat().st_size < 2**20  # from well under 1 MB
    cases = {  # a header that declares terabytes, in a tiny member
        "declares.npz": zip_with({"W/1.npy": npy_header((2**20, 2**20)) + b"\0" * 64})}
    config = json.dumps({"layers": [{"type": "Dense", "n_in": 100_000, "n_out": 100_000,
                                     "init": "he"}], "dtype": "float64", "head": "softmax"})
    cases["architecture.npz"] = npz_bytes(format=np.array("tinynet-model"),
                                          version=np.array(1), config=np.array(config))
    messages = {"inflates.npz": "would take 100 MB once loaded, more than the 50 MB",
                "declares.npz": "declares shape (1048576, 1048576)",
                "architecture.npz": "missing weights 'W/1'"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    for name, message in messages.items():
        start = time.perf_counter()
        with pytest.raises(ValueError, match=re.escape(message)):
            tn.Sequential.load(tmp_path / name)
        assert time.perf_counter() - start < 5  # refused from the headers, not by trying


# ----- corrupt or crafted files -----------------------------------------------------------

def crafted_files(tmp_path, trainer) -> dict:
    trainer.save_checkpoint(tmp_path / "good.npz")
    good = dict(np.load(tmp_path / "good.npz"))
    meta = json.loads(str(good["meta"]))

    def with_meta(**changes):
        return npz_bytes(**{**good, "meta": np.array(json.dumps({**meta, **changes}))})

    nested = "[" * 100_000 + "]" * 100_000
    W1 = good["model/W/1"].copy()
    W1[0, 0] = np.nan
    state = {k: v for k, v in good.items() if k.startswith("optimizer/")}
    bad_state = {**good, **{k: np.full_like(v, np.inf) for k, v in state.items()}}
    def patched(offset_local, offset_central, value, bitwise=False):
        data = bytearray(zip_with({"meta.npy": b"x" * 10}))
        for pos in (offset_local, data.index(b"PK\x01\x02") + offset_central):
            data[pos] = data[pos] | value if bitwise else value
        return bytes(data)

    encrypted = patched(6, 8, 1, bitwise=True)  # the "encrypted" flag bit
    unknown_method = patched(8, 10, 99)  # a compression method zipfile does not know
    return {
        "missing key": (npz_bytes(**{k: v for k, v in good.items() if k != "meta"}), "meta"),
        "encrypted member": (encrypted, "RuntimeError"),
        "unknown compression": (unknown_method, "NotImplementedError"),
        "nested json": (npz_bytes(**{**good, "meta": np.array(nested)}), "not valid tinynet"),
        "huge number": (with_meta(epoch=10**400), "epoch must be <="),
        "epoch unlike history": (with_meta(epoch=7), "its history has 2 epochs"),
        "negative epoch": (with_meta(epoch=-3), "epoch must be >= 0"),
        "fractional epoch": (with_meta(epoch=2.5), "epoch must be an integer"),
        "wrong-typed setting": (with_meta(trainer={**meta["trainer"], "batch_size": "32"}),
                                "batch_size"),
        "settings not a dict": (with_meta(trainer=[1, 2]), "not a usable tinynet checkpoint"),
        "layers not a list": (with_meta(model={**meta["model"], "layers": 5}),
                              "not a usable tinynet checkpoint|invalid"),
        "nan weights": (npz_bytes(**{**good, "model/W/1": W1}), "NaN or infinite"),
        "inf optimizer state": (npz_bytes(**bad_state), "NaN or infinite"),
        "bad rng state": (with_meta(rng={"bit_generator": "PCG64", "state": 3}),
                          "not a usable tinynet checkpoint"),
    }


def test_every_crafted_checkpoint_is_one_clear_error_naming_the_file(tmp_path):
    trainer, _, _ = trained(tmp_path)
    for name, (data, message) in crafted_files(tmp_path, trainer).items():
        path = tmp_path / f"{name.replace(' ', '_')}.npz"
        path.write_bytes(data)
        with pytest.raises(ValueError) as info:
            tn.Trainer.load_checkpoint(path)
        text = str(info.value)
        assert str(path) in text, (name, text)
        assert any(m in text for m in message.split("|")), (name, text)


def test_resume_from_a_crafted_file_is_one_line_and_status_2(tmp_path):
    trainer, _, _ = trained(tmp_path)
    data, _ = crafted_files(tmp_path, trainer)["nested json"]
    (tmp_path / "bad.npz").write_bytes(data)
    result = subprocess.run([sys.executable, "-m", "tinynet", "train", "--resume",
                             str(tmp_path / "bad.npz"), "--no-progress"], capture_output=True,
                            text=True, env=ENV, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("extra, message", [
    ({"source": "iris", "seed": 0}, "its run settings lack 'epochs'"),
    ({"source": "iris", "epochs": 4}, "its run settings lack 'seed'"),
    ({"source": "iris", "seed": 0, "epochs": "ten"}, "its run setting epochs must be an "
                                                     "integer, got 'ten' (str)"),
    ({"source": "iris", "seed": 0, "epochs": 0}, "its run setting epochs must be >= 1"),
    ({"source": "iris", "seed": 0, "epochs": 2.5}, "epochs must be an integer, got 2.5"),
    ({"source": "iris", "seed": -1, "epochs": 4}, "its run setting seed must be >= 0"),
    ({"source": 7, "seed": 0, "epochs": 4}, "'source' must name a dataset or CSV file, got 7"),
    ({"seed": 0, "epochs": 4}, "was not written by 'tinynet train --checkpoint'"),
    ([1, 2], "was not written by 'tinynet train --checkpoint'"),
])
def test_resume_checks_every_run_setting_it_reads(tmp_path, capsys, extra, message):
    trainer, _, _ = trained(tmp_path)
    path = tmp_path / "run.npz"
    trainer.save_checkpoint(path, extra=extra)
    assert main(["train", "--resume", str(path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err and str(path) in err, err


def test_resume_with_valid_run_settings_continues(tmp_path, capsys):
    assert main(["train", "--dataset", "iris", "--epochs", "2", "--no-progress",
                 "--checkpoint", str(tmp_path / "run.npz")]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(tmp_path / "run.npz"), "--epochs", "3",
                 "--no-progress"]) == 0
    assert "at epoch 2 of 3" in capsys.readouterr().out


# ----- clashing paths ---------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--data", "{d}", "--save", "{d}"], "--data and --save name the same file"),
    (["--checkpoint", "{r}", "--history", "{r}"], "--checkpoint and --history name the same"),
    (["--resume", "{r}", "--save", "{r}"], "--resume and --save name the same file"),
    (["--save", "{m}", "--history", "{m2}"], "--save and --history name the same file"),
])
def test_clashing_paths_are_refused_before_anything_is_written(tmp_path, capsys, args, message):
    d, r, m = tmp_path / "d.csv", tmp_path / "r.npz", tmp_path / "m.npz"
    d.write_text("a,label\n1,0\n2,1\n3,0\n4,1\n")
    r.write_bytes(b"keep")
    (tmp_path / "m2.npz").symlink_to(m)  # the same file by another name
    before = {p: p.read_bytes() for p in (d, r)}
    argv = [a.format(d=d, r=r, m=m, m2=tmp_path / "m2.npz") for a in args]
    assert main(["train", *argv, "--no-progress"]) == 2
    assert message in capsys.readouterr().err
    assert all(p.read_bytes() == b for p, b in before.items()) and not m.exists()


def test_resume_refuses_options_it_would_ignore(tmp_path, capsys):
    trainer, _, _ = trained(tmp_path)
    for flag, value in (("--batch-size", "8"), ("--seed", "3")):
        assert main(["train", "--resume", str(tmp_path / "x.npz"), flag, value]) == 2
        assert f"{flag} cannot change it" in capsys.readouterr().err


# ----- interrupts ---------------------------------------------------------------------------

def DEFAULT_CTRL_C() -> None:
    """In the child: Ctrl-C handled as in a terminal, even when this run was started in the
    background by a shell, which makes its jobs ignore it (and a child inherits that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_and_interrupt(args, after: float, cwd, env=ENV) -> subprocess.CompletedProcess:
    """Start tinynet, wait for its first line (imports done, work begun), then Ctrl-C."""
    proc = subprocess.Popen([sys.executable, "-m", "tinynet", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=DEFAULT_CTRL_C)
    first = proc.stdout.readline()
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(args, proc.returncode, first + out, err)


@pytest.mark.slow
@pytest.mark.parametrize("unbuffered", [None, "1"], ids=["buffered", "PYTHONUNBUFFERED"])
def test_ctrl_c_in_train_exits_130_and_writes_no_half_trained_model(tmp_path, unbuffered):
    (tmp_path / "m.npz").write_bytes(b"the model I had")
    env = {**ENV, **({"PYTHONUNBUFFERED": unbuffered} if unbuffered else {})}
    result = run_and_interrupt(["train", "--epochs", "100000", "--no-progress", "--save",
                                "m.npz", "--checkpoint", "run.npz"], after=2.0, cwd=tmp_path,
                               env=env)
    assert result.returncode == 130, result.stderr
    assert "--save and --history were not written" in result.stderr
    assert (tmp_path / "m.npz").read_bytes() == b"the model I had"
    kept = tn.Trainer.load_checkpoint(tmp_path / "run.npz")  # the last whole epoch
    assert f"run.npz holds epoch {kept.epoch}" in result.stderr


@pytest.mark.slow
def test_ctrl_c_stops_compare_and_a_grid_search(tmp_path):
    result = run_and_interrupt(["compare", "--dataset", "digits"], after=1.0, cwd=tmp_path)
    assert result.returncode == 130 and "interrupted" in result.stderr
    assert "Traceback" not in result.stderr and "at the chosen rates" not in result.stdout
    script = tmp_path / "search.py"
    script.write_text(
        "import sys\nfrom sklearn.datasets import load_digits\n"
        "from sklearn.model_selection import GridSearchCV\n"
        "from tinynet.estimators import TinyNetClassifier\n"
        "X, y = load_digits(return_X_y=True)\n"
        "print('started', flush=True)\n"
        "try:\n"
        "    GridSearchCV(TinyNetClassifier(epochs=100000), {'lr': [1e-3, 1e-2]}, cv=2).fit(X, y)\n"
        "except KeyboardInterrupt:\n"
        "    print('stopped'); sys.exit(130)\n"
        "print('finished')\n")
    proc = subprocess.Popen([sys.executable, str(script)], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=DEFAULT_CTRL_C)
    assert proc.stdout.readline().strip() == "started"
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "stopped" in out and "finished" not in out


def test_piping_into_head_is_quiet(tmp_path):
    result = subprocess.run(f"{sys.executable} -m tinynet explain rmsprop --steps 2000 | head -1",
                            shell=True, capture_output=True, text=True, env=ENV, timeout=60)
    assert result.stdout.startswith("RMSProp(") and "Broken pipe" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_kill_9_during_saves_leaves_no_temp_files_behind(tmp_path):
    script = ("import os, numpy as np, tinynet as tn\n"
              "from tinynet.files import atomic_open\n"
              "with atomic_open('big.npz') as f:\n"
              "    f.write(b'x' * 1000)\n"
              "    os.kill(os.getpid(), 9)\n")
    for _ in range(3):
        subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=ENV, timeout=60)
    # each save removes what earlier killed saves left, so kill -9 leaves one file at most
    assert len(list(tmp_path.glob(".big.npz.tinynet-*.tmp"))) == 1
    with atomic_open(tmp_path / "big.npz") as f:  # and the next save that succeeds, none
        f.write(b"done")
    assert [p.name for p in tmp_path.iterdir()] == ["big.npz"]


# ----- resume with callbacks ----------------------------------------------------------------

def test_resume_is_exact_with_a_schedule_and_early_stopping(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 4)), rng.integers(0, 3, 60)
    val = (X[:20], y[:20])

    def make():
        return tn.Trainer(tn.mlp([4, 6, 3], seed=0), tn.SoftmaxCrossEntropy(), "adam",
                          batch_size=8, progress=False, callbacks=[
                              tn.LearningRateScheduler(tn.optimizers.schedules.StepDecay(
                                  step_size=1, gamma=0.5)),
                              tn.EarlyStopping(patience=50, restore_best=True),
                              tn.OptimizerStats(every=5)])

    straight = make()
    straight.fit(X, y, epochs=4, validation_data=val)
    first = make()
    first.fit(X, y, epochs=2, validation_data=val, callbacks=[tn.Checkpoint(tmp_path / "r.npz")])
    resumed = tn.Trainer.load_checkpoint(tmp_path / "r.npz")
    assert [type(cb).__name__ for cb in resumed.callbacks] == [
        "LearningRateScheduler", "EarlyStopping", "OptimizerStats"]
    resumed.fit(X, y, epochs=2, validation_data=val)
    assert resumed.history["lr"] == straight.history["lr"]  # the schedule went on: 1e-3 ... 1.25e-4
    for key, W in straight.model.arrays().items():
        assert np.array_equal(resumed.model.arrays()[key], W), key
    a, b = straight.callbacks[1], resumed.callbacks[1]
    assert (a.best, a.best_epoch, a.wait) == (b.best, b.best_epoch, b.wait)


def test_a_callback_a_checkpoint_cannot_rebuild_is_named(tmp_path):
    class Mine(tn.Callback):
        pass

    trainer, _, _ = trained(tmp_path, callbacks=[Mine()])
    trainer.save_checkpoint(tmp_path / "r.npz")
    with pytest.warns(UserWarning, match=r"callbacks \['Mine'\].*add them again") as caught:
        tn.Trainer.load_checkpoint(tmp_path / "r.npz"); line = sys._getframe().f_lineno  # noqa: E702
    assert (caught[0].filename, caught[0].lineno) == (__file__, line)  # the caller's line


# ----- CSV traps --------------------------------------------------------------------------

@pytest.mark.parametrize("text, outcome", [
    ("\ufefflabel,a,b\n0,1,2\n1,3,4\n", ("label", ["a", "b"])),  # Excel's BOM
    ("a,label\n1,10000000000000000001\n2,10000000000000000002\n3,10000000000000000001\n",
     ("classes", [10000000000000000001, 10000000000000000002])),
    ("a,label\n1,1e19\n2,2e19\n3,1e19\n", ("regression", None)),
    ("a,label\n1,inf\n2,0\n", ("error", "line 2: label 'inf' in column 'label' is not a finite")),
    ("a,label\n1,nan\n2,0\n", ("error", "line 2: label 'nan' in column 'label' is not a finite")),
])
def test_csv_traps(tmp_path, text, outcome):
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    kind, expected = outcome
    if kind == "error":
        with pytest.raises(ValueError, match=expected):
            read_csv(path)
        return
    data = read_csv(path)
    if kind == "label":
        assert (data.label_name, data.feature_names) == ("label", expected)
    elif kind == "classes":
        assert data.classes == expected and data.y.tolist() == [0, 1, 0]
    else:
        assert data.task == "regression"


def test_overflowing_features_and_lone_classes_are_named_before_training(tmp_path):
    rows = "\n".join(f"{v},{i % 2}" for i, v in enumerate([1e200, -1e200, 1.0, 2.0] * 3))
    (tmp_path / "big.csv").write_text("huge,label\n" + rows + "\n")
    with pytest.raises(ValueError, match="feature column 'huge' .* overflows when standardised"):
        tn.datasets.load(tmp_path / "big.csv")
    (tmp_path / "lone.csv").write_text("a,label\n" + "\n".join(
        f"{i},{'x' if i == 0 else 'ab'[i % 2]}" for i in range(12)) + "\n")
    with pytest.raises(ValueError, match="class 'x' has a single sample"):
        tn.datasets.load(tmp_path / "lone.csv")


# ----- smaller ones -------------------------------------------------------------------------

def wrong_W(grads=False):
    layer = tn.Dense(3, 4)
    layer.W = np.zeros((4, 3))  # the next forward or step says so, before numpy would
    if grads:
        layer.dW, layer.db = np.zeros((3, 4)), np.zeros(4)
    return layer


@pytest.mark.parametrize("call, error, message", [
    (lambda: main(["train", "--hidden", ""]), SystemExit, None),
    (lambda: main(["train", "--hidden", "32,,32"]), SystemExit, None),
    (lambda: main(["compare", "--surface", "saddle", "--steps", "10000000000"]), SystemExit,
     None),
    (lambda: tn.Sequential([(d := tn.Dense(2, 2)), tn.ReLU(), d]), ValueError,
     r"layers\[2\] is the same Dense object as layers\[0\]"),
    (lambda: wrong_W().forward(np.ones((2, 3))), ValueError,
     r"\.W must be an array of shape \(3, 4\), got \(4, 3\)"),
    (lambda: tn.optimizers.SGD().step([wrong_W(grads=True)]), ValueError,
     r"\.W must be an array of shape \(3, 4\), got \(4, 3\)"),
    (lambda: tn.mlp([2, 2], dtype=np.float32).predict(np.array([[1e39, 0.0]])), ValueError,
     "beyond float32's range"),
])
def test_smaller_traps(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_compare_with_no_optimizer_names_and_data_caused_divergence(capsys):
    assert main(["compare", "--optimizers", ",", "--surface", "saddle"]) == 2
    assert "--optimizers: give at least one optimizer name" in capsys.readouterr().err
    X = np.random.default_rng(0).standard_normal((20, 2))
    trainer = tn.Trainer(tn.mlp([2, 1], head="identity"), tn.MSE(), "sgd", progress=False)
    with pytest.raises(tn.DivergenceError, match="no update has happened yet, so not the "
                                                 r"learning rate.*largest \|y\| 1e\+300"):
        trainer.fit(X, np.full(20, 1e300))


# ----- the npz reader's own checks, exactly ----------------------------------------------

def test_the_npz_reader_names_what_it_expected(tmp_path):
    from tinynet.files import load_npz

    with pytest.raises(FileNotFoundError, match=r"^file not found: .*missing\.npz$"):
        load_npz(tmp_path / "missing.npz")
    np.save(tmp_path / "array.npy", np.zeros(3))
    with pytest.raises(ValueError, match=r"array\.npy is not a model: it is a \.npy array, "
                                         r"not an \.npz archive$"):
        load_npz(tmp_path / "array.npy", "model")
    (tmp_path / "text.npz").write_bytes(b"\x93NUMP")  # shorter than the .npy magic
    with pytest.raises(ValueError, match=r"text\.npz is not a file: it is not an \.npz archive$"):
        load_npz(tmp_path / "text.npz")


def test_the_size_limit_counts_what_the_arrays_take_and_allows_exactly_it(tmp_path):
    from tinynet.files import load_npz

    path = tmp_path / "a.npz"
    np.savez(path, a=np.zeros(100), b=np.ones(20, dtype=np.float32))
    total = sum(m.file_size for m in zipfile.ZipFile(path).infolist())
    assert set(load_npz(path, max_bytes=total)) == {"a", "b"}
    with pytest.raises(ValueError) as info:
        load_npz(path, "model", max_bytes=total - 1)
    assert str(info.value) == (f"{path}: its arrays would take 0 MB once loaded, more than the "
                               f"0 MB a model may use")  # named once, not wrapped again


def test_a_version_2_array_header_is_read(tmp_path):
    from tinynet.files import load_npz

    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.arange(5.0), version=(2, 0))
    (tmp_path / "v2.npz").write_bytes(zip_with({"x.npy": buf.getvalue()}))
    assert load_npz(tmp_path / "v2.npz")["x"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_an_array_that_declares_more_than_it_holds_is_refused_by_its_numbers(tmp_path):
    from tinynet.files import load_npz

    header = npy_header((100,))
    lying = tmp_path / "lying.npz"
    lying.write_bytes(zip_with({"x.npy": header + b"\0" * 16}))
    with pytest.raises(ValueError) as info:
        load_npz(lying)
    size = len(header) + 16
    assert str(info.value) == (f"{lying}: array 'x' declares shape (100,) (800 bytes) but "
                               f"holds {size:,} bytes")
    # declaring exactly the member's size passes this check; the short data then fails
    exact = tmp_path / "exact.npz"
    shape = ((len(header) + 800) // 8,)
    header = npy_header(shape)
    exact.write_bytes(zip_with({"x.npy": header + b"\0" * (shape[0] * 8 - len(header))}))
    with pytest.raises(ValueError, match=r"exact\.npz is not a readable file: EOF: reading "
                                         r"array data"):
        load_npz(exact)


def test_a_checkpoint_says_what_else_a_file_is(tmp_path):
    tn.mlp([2, 2]).save(tmp_path / "model.npz")
    with pytest.raises(ValueError) as info:
        tn.Trainer.load_checkpoint(tmp_path / "model.npz")
    assert str(info.value) == (f"{tmp_path / 'model.npz'} is not a tinynet checkpoint (it is a "
                               f"model file: use Sequential.load)")
    np.savez(tmp_path / "other.npz", x=np.zeros(2))
    with pytest.raises(ValueError) as info:
        tn.Trainer.load_checkpoint(tmp_path / "other.npz")
    assert str(info.value) == f"{tmp_path / 'other.npz'} is not a tinynet checkpoint"


def test_checkpoint_errors_name_the_file_once_and_the_entry(tmp_path):
    trainer, _, _ = trained(tmp_path)
    trainer.save_checkpoint(tmp_path / "good.npz")
    good = dict(np.load(tmp_path / "good.npz"))
    meta = json.loads(str(good["meta"]))
    cases = {
        "meta": (npz_bytes(**{**good, "meta": np.array("{not json")}),
                 "{path}: entry 'meta' is not valid tinynet metadata"),
        "optimizer": (npz_bytes(**{**good, "meta": np.array(json.dumps(
            {**meta, "optimizer": {**meta["optimizer"], "name": "zzz"}}))}),
            "{path}: not a usable tinynet checkpoint (ValueError: it uses optimizer 'zzz', "
            "which is not registered here: import the module that registers it first)"),
        "epoch": (npz_bytes(**{**good, "meta": np.array(json.dumps(
            {**meta, "epoch": 10**9 + 1}))}),
            "{path}: not a usable tinynet checkpoint (ValueError: epoch must be <= 1000000000, "
            "got 1000000001)"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / f"{name}.npz"
        path.write_bytes(data)
        with pytest.raises(ValueError) as info:
            tn.Trainer.load_checkpoint(path)
        assert str(info.value).startswith(message.format(path=path)), name
        assert str(info.value).count(str(path)) == 1, name


def test_a_checkpoint_from_before_dropout_callbacks_and_extras_still_loads(tmp_path):
    trainer, X, y = trained(tmp_path)
    trainer.save_checkpoint(tmp_path / "new.npz")
    good = dict(np.load(tmp_path / "new.npz"))
    meta = json.loads(str(good["meta"]))
    for key in ("dropout_rngs", "callbacks", "extra"):
        del meta[key]
    (tmp_path / "old.npz").write_bytes(npz_bytes(**{**good, "meta": np.array(json.dumps(meta))}))
    old = tn.Trainer.load_checkpoint(tmp_path / "old.npz")
    assert old.epoch == 2 and old.callbacks == [] and old.checkpoint_extra == {}
    old.fit(X, y, epochs=1)
    assert old.epoch == 3


def test_a_checkpoint_file_says_its_format_and_version_and_refuses_a_custom_loss(tmp_path):
    trainer, _, _ = trained(tmp_path)
    trainer.save_checkpoint(tmp_path / "run.npz")
    with np.load(tmp_path / "run.npz", allow_pickle=False) as saved:
        assert str(saved["format"]) == "tinynet-checkpoint" and int(saved["version"]) == 1

    class Mine(tn.MSE):
        pass

    trainer.loss = Mine()
    with pytest.raises(ValueError, match=r"cannot checkpoint a custom loss \(Mine\); built-in "
                                         r"losses: \["):
        trainer.save_checkpoint(tmp_path / "mine.npz")
    assert not (tmp_path / "mine.npz").exists()
