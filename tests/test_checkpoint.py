"""Checkpoints: exact resume, atomic writes, safe loading."""

import numpy as np
import pytest

import tinynet as tn
from tinynet.cli import main


def make(opt_name, seed=0):
    model = tn.mlp([64, 32, 16, 10], seed=seed)
    return tn.Trainer(model, tn.SoftmaxCrossEntropy(), tn.optimizers.get(opt_name, lr=0.01),
                      batch_size=32, seed=seed, progress=False)


@pytest.fixture(scope="module")
def data():
    X_train, X_test, y_train, y_test = tn.datasets.load("digits", seed=0)
    return X_train[:400], y_train[:400], X_test, y_test


@pytest.mark.parametrize("opt_name", ["rmsprop", "adam", "momentum"])
def test_resume_is_bit_identical(opt_name, data, tmp_path):
    X, y, Xv, yv = data
    straight = make(opt_name)
    straight.fit(X, y, epochs=4, validation_data=(Xv, yv))

    first = make(opt_name)
    first.fit(X, y, epochs=2, validation_data=(Xv, yv))
    first.save_checkpoint(tmp_path / "run.npz")
    resumed = tn.Trainer.load_checkpoint(tmp_path / "run.npz")
    assert resumed.epoch == 2 and type(resumed.optimizer) is type(straight.optimizer)
    resumed.fit(X, y, epochs=2, validation_data=(Xv, yv))

    for key, arr in straight.model.arrays().items():
        assert np.array_equal(arr, resumed.model.arrays()[key]), key
    a, b = straight.optimizer.state_dict(), resumed.optimizer.state_dict()
    assert a["t"] == b["t"] and all(np.array_equal(a[k], b[k]) for k in a if "/" in k)
    assert straight.history.metrics == resumed.history.metrics


def test_checkpoint_holds_everything_as_plain_arrays(data, tmp_path):
    X, y, _, _ = data
    t = make("adam")
    t.fit(X, y, epochs=1)
    t.save_checkpoint(tmp_path / "c.npz", extra={"note": "hi"})
    with np.load(tmp_path / "c.npz", allow_pickle=False) as z:
        keys = set(z.files)
    assert {"format", "meta", "model/W/1", "model/b/3", "optimizer/v_dW/1",
            "optimizer/s_db/3"} <= keys
    loaded = tn.Trainer.load_checkpoint(tmp_path / "c.npz")
    assert loaded.checkpoint_extra == {"note": "hi"}
    assert loaded.batch_size == 32 and loaded.optimizer.t == t.optimizer.t
    assert loaded.rng.bit_generator.state == t.rng.bit_generator.state


def test_interrupted_checkpoint_write_leaves_previous_file_intact(data, tmp_path, monkeypatch):
    X, y, _, _ = data
    t = make("rmsprop")
    t.fit(X, y, epochs=1)
    path = tmp_path / "run.npz"
    t.save_checkpoint(path)
    before = path.read_bytes()
    t.fit(X, y, epochs=1)

    def exploding_savez(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt  # as if Ctrl-C hit mid-write

    monkeypatch.setattr(np, "savez", exploding_savez)
    with pytest.raises(KeyboardInterrupt):
        t.save_checkpoint(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.npz"]  # no temp file left behind
    monkeypatch.undo()
    assert tn.Trainer.load_checkpoint(path).epoch == 1


def test_unwritable_path_is_a_clear_error(data, tmp_path):
    X, y, _, _ = data
    t = make("sgd")
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        t.save_checkpoint(tmp_path / "file" / "run.npz")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        tn.Checkpoint(tmp_path / "nope" / "run.npz")
    with pytest.raises(ValueError, match="it is a folder"):
        t.save_checkpoint(tmp_path)


def test_loading_bad_checkpoints(data, tmp_path):
    X, y, _, _ = data
    with pytest.raises(FileNotFoundError, match="checkpoint not found"):
        tn.Trainer.load_checkpoint(tmp_path / "missing.npz")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ValueError, match="text.npz is not a tinynet checkpoint"):
        tn.Trainer.load_checkpoint(tmp_path / "text.npz")
    tn.mlp([2, 2]).save(tmp_path / "model.npz")
    with pytest.raises(ValueError, match="it is a model file"):
        tn.Trainer.load_checkpoint(tmp_path / "model.npz")
    t = make("rmsprop")
    t.fit(X, y, epochs=1)
    t.save_checkpoint(tmp_path / "good.npz")
    raw = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(raw[: len(raw) * 2 // 3])
    with pytest.raises(ValueError, match="cut.npz"):
        tn.Trainer.load_checkpoint(tmp_path / "cut.npz")
    with np.load(tmp_path / "good.npz") as z:
        arrays = {k: z[k] for k in z.files}
    np.savez(tmp_path / "obj.npz", **{**arrays, "meta": np.array([{"x": 1}], dtype=object)})
    with pytest.raises(ValueError, match="object arrays"):
        tn.Trainer.load_checkpoint(tmp_path / "obj.npz")
    np.savez(tmp_path / "arch.npz", **{**arrays, "optimizer/s_dW/2": np.zeros((5, 5))})
    with pytest.raises(ValueError, match=r"arch.npz.*s_dW/2: expected shape \(32, 16\)"):
        tn.Trainer.load_checkpoint(tmp_path / "arch.npz")
    np.savez(tmp_path / "w.npz", **{**arrays, "model/W/1": np.zeros((64, 7))})
    with pytest.raises(ValueError, match=r"w.npz: weights 'model/W/1' have shape \(64, 7\)"):
        tn.Trainer.load_checkpoint(tmp_path / "w.npz")


def test_load_weights_checks_the_architecture(tmp_path):
    tn.mlp([4, 8, 3], seed=1).save(tmp_path / "m.npz")
    same = tn.mlp([4, 8, 3], seed=2)
    same.load_weights(tmp_path / "m.npz")
    assert np.array_equal(same.dense_layers[0].W, tn.mlp([4, 8, 3], seed=1).dense_layers[0].W)
    other = tn.mlp([4, 9, 3], seed=2)
    before = other.dense_layers[0].W.copy()
    with pytest.raises(ValueError, match=r"different architecture: saved \[Dense\(4,8\)"):
        other.load_weights(tmp_path / "m.npz")
    assert np.array_equal(before, other.dense_layers[0].W)


def test_unregistered_optimizer_cannot_be_checkpointed(tmp_path, data):
    class Local(tn.optimizers.SGD):
        pass

    X, y, _, _ = data
    t = tn.Trainer(tn.mlp([64, 10]), tn.SoftmaxCrossEntropy(), Local(), progress=False)
    t.fit(X, y, epochs=1)
    with pytest.raises(ValueError, match="register it"):
        t.save_checkpoint(tmp_path / "c.npz")


def test_cli_checkpoint_and_resume_match_a_straight_run(tmp_path, capsys):
    common = ["train", "--dataset", "iris", "--no-progress", "--hidden", "16"]
    assert main([*common, "--epochs", "6", "--save", str(tmp_path / "straight.npz")]) == 0
    assert main([*common, "--epochs", "3", "--checkpoint", str(tmp_path / "run.npz")]) == 0
    out = capsys.readouterr().out
    assert main(["train", "--resume", str(tmp_path / "run.npz"), "--epochs", "6",
                 "--no-progress", "--save", str(tmp_path / "resumed.npz"),
                 "--history", str(tmp_path / "h.csv")]) == 0
    out = capsys.readouterr().out
    assert "resuming" in out and "at epoch 3 of 6" in out
    a = tn.Sequential.load(tmp_path / "straight.npz")
    b = tn.Sequential.load(tmp_path / "resumed.npz")
    assert all(np.array_equal(x, y) for x, y in zip(a.arrays().values(), b.arrays().values()))
    assert len((tmp_path / "h.csv").read_text().splitlines()) == 7  # header + 6 epochs
    assert tn.Trainer.load_checkpoint(tmp_path / "run.npz").epoch == 6
    assert main(["train", "--resume", str(tmp_path / "run.npz"), "--hidden", "8"]) == 2
    assert "--hidden cannot change it" in capsys.readouterr().err
