"""Every bad input answered clearly, before anything changes; faults lose nothing."""

import errno
import subprocess
import sys
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet import checkpoint, surfaces
from tinynet.csvdata import read_csv
from tinynet.estimators import TinyNetClassifier, TinyNetRegressor
from tinynet.explain import check_grads
from tinynet.optimizers import schedules


class Ctx:
    """A trained trainer (so the optimizer has state), data, and a scratch folder."""

    def __init__(self, tmp_path):
        rng = np.random.default_rng(0)
        self.X, self.y = rng.standard_normal((24, 4)), rng.integers(0, 3, 24)
        self.model = tn.mlp([4, 5, 3], seed=0)
        self.opt = tn.optimizers.Adam(lr=0.01)
        self.trainer = tn.Trainer(self.model, tn.SoftmaxCrossEntropy(), self.opt, batch_size=8,
                                  progress=False)
        self.trainer.fit(self.X, self.y, epochs=1)
        self.tmp = tmp_path
        self.model.save(tmp_path / "model.npz")
        self.trainer.save_checkpoint(tmp_path / "run.npz")
        (tmp_path / "text.npz").write_text("plain text")
        np.savez(tmp_path / "obj.npz", a=np.array([object()], dtype=object))

    def snapshot(self):
        return ({k: a.copy() for k, a in self.model.arrays().items()},
                self.opt.state_dict(), self.trainer.epoch, len(self.trainer.history))

    def unchanged(self, before) -> bool:
        weights, state, epoch, n = before
        now = self.snapshot()
        return (all(np.array_equal(a, now[0][k]) for k, a in weights.items())
                and all(np.array_equal(v, now[1][k]) if isinstance(v, np.ndarray)
                        else v == now[1][k] for k, v in state.items())
                and (epoch, n) == now[2:])


def X_with(c, i, j, value):
    X = c.X.copy()
    X[i, j] = value
    return X


def bad_state(c):
    state = c.opt.state_dict()
    state["v_dW/1"] = np.zeros((9, 9))
    return state


# (id, action on a Ctx, exception type, message fragment)
CASES = [
    # layers
    ("dense forward width", lambda c: tn.Dense(4, 5).forward(np.ones((2, 3))), ValueError,
     r"Dense\(n_in=4, n_out=5.*expects input of shape \(batch, 4\), got \(2, 3\)"),
    ("dense forward 1-D", lambda c: tn.Dense(4, 5).forward(np.ones(4)), ValueError,
     "expects input of shape"),
    ("dense forward text", lambda c: tn.Dense(2, 2).forward([["a", "b"]]), TypeError,
     "must be numeric"),
    ("dense backward shape", lambda c: c.model.dense_layers[1].backward(np.ones((24, 2))),
     ValueError, r"expects a gradient of shape \(\d+, 3\), got \(24, 2\)"),
    ("relu backward shape", lambda c: (lambda r: (r.forward(np.ones((2, 3))),
                                                  r.backward(np.ones((3, 2)))))(tn.ReLU()),
     ValueError, r"shaped like the forward output \(2, 3\), got \(3, 2\)"),
    ("dense bad init", lambda c: tn.Dense(2, 2, init="orthogonal"), ValueError,
     "init must be one of"),
    ("dense n_out float", lambda c: tn.Dense(2, 2.5), TypeError, "n_out must be an integer"),
    ("leaky alpha", lambda c: tn.LeakyReLU(alpha=1.5), ValueError, "alpha must be < 1"),
    # losses
    ("softmax labels range", lambda c: tn.SoftmaxCrossEntropy().forward(np.zeros((2, 3)),
                                                                       [0, 3]),
     ValueError, r"labels must lie in \[0, 2\]"),
    ("softmax output 1-D", lambda c: tn.SoftmaxCrossEntropy().forward(np.zeros(3), [0]),
     ValueError, "2-D array"),
    ("loss length", lambda c: tn.MSE().forward(np.zeros((3, 1)), [1.0, 2.0]), ValueError,
     "different lengths"),
    ("bce two outputs", lambda c: tn.BinaryCrossEntropy().forward(np.zeros((2, 2)), [0, 1]),
     ValueError, "needs a model with 1 output"),
    ("mse y NaN", lambda c: tn.MSE().forward(np.zeros((2, 1)), [1.0, np.nan]), ValueError,
     "y contains 1 NaN"),
    # model
    ("predict width", lambda c: c.model.predict(np.zeros((2, 10))), ValueError,
     "expected 4 features, got 10"),
    ("predict inf", lambda c: c.model.predict(X_with(c, 1, 2, np.inf)), ValueError,
     r"infinite value\(s\), the first at index \(1, 2\)"),
    ("load missing", lambda c: tn.Sequential.load(c.tmp / "nope.npz"), FileNotFoundError,
     "model file not found"),
    ("load text", lambda c: tn.Sequential.load(c.tmp / "text.npz"), ValueError,
     "not an .npz archive"),
    ("load object arrays", lambda c: tn.Sequential.load(c.tmp / "obj.npz"), ValueError,
     "object arrays"),
    ("load checkpoint as model", lambda c: tn.Sequential.load(c.tmp / "run.npz"), ValueError,
     "not a tinynet model file"),
    ("load_weights other arch", lambda c: tn.mlp([4, 6, 3]).load_weights(c.tmp / "model.npz"),
     ValueError, "different architecture"),
    ("save into missing folder", lambda c: c.model.save(c.tmp / "no" / "m.npz"),
     FileNotFoundError, "does not exist"),
    ("save path type", lambda c: c.model.save(3), TypeError, "path must be a str or path"),
    ("mlp seed", lambda c: tn.mlp([2, 2], seed="zero"), TypeError, "seed must be an integer"),
    ("mlp dtype", lambda c: tn.mlp([2, 2], dtype=np.float16), TypeError,
     "dtype must be float32 or float64"),
    ("sequential head", lambda c: tn.Sequential([tn.Dense(2, 2)], head="tanh"), ValueError,
     "head must be one of"),
    # optimizers
    ("step on a string", lambda c: c.opt.step("model"), TypeError,
     "step\\(\\) takes a Sequential or a list"),
    ("state of other shape", lambda c: c.opt.load_state_dict(bad_state(c), c.model), ValueError,
     r"v_dW/1: expected shape \(4, 5\)"),
    ("effective_lr layer 0", lambda c: c.opt.effective_lr(0), ValueError, "no layer 0"),
    ("adam beta2", lambda c: tn.optimizers.Adam(beta2=1), ValueError, "beta2 must be < 1"),
    ("momentum lr text", lambda c: tn.optimizers.Momentum(lr="fast"), TypeError,
     "lr must be a number"),
    ("weight decay negative", lambda c: tn.optimizers.SGD(weight_decay=-1), ValueError,
     "weight_decay must be >= 0"),
    ("unknown optimizer", lambda c: tn.optimizers.get("yogi"), ValueError,
     "unknown optimizer 'yogi'"),
    ("schedule gamma", lambda c: schedules.Exponential(gamma=0), ValueError,
     "gamma must be > 0"),
    ("schedule epoch", lambda c: schedules.Constant().apply(c.opt, -1), ValueError,
     "epoch must be >= 0"),
    # trainer and callbacks
    ("fit labels", lambda c: c.trainer.fit(c.X, c.y + 5), ValueError, "labels from 5 to 7"),
    ("fit lengths", lambda c: c.trainer.fit(c.X, c.y[:-3]), ValueError,
     "24 samples and 21 targets"),
    ("fit NaN", lambda c: c.trainer.fit(X_with(c, 3, 0, np.nan), c.y), ValueError, "NaN"),
    ("fit epochs", lambda c: c.trainer.fit(c.X, c.y, epochs=-2), ValueError,
     "epochs must be >= 1"),
    ("fit validation tuple", lambda c: c.trainer.fit(c.X, c.y, validation_data=c.X),
     ValueError, r"validation_data must be a tuple \(X_val, y_val\)"),
    ("evaluate width", lambda c: c.trainer.evaluate(c.X[:, :3], c.y), ValueError,
     "expected 4 features, got 3"),
    ("early stopping patience", lambda c: tn.EarlyStopping(patience=-1), ValueError,
     "patience must be >= 0"),
    ("stats every", lambda c: tn.OptimizerStats(every=0), ValueError, "every must be >= 1"),
    ("scheduler callable", lambda c: tn.LearningRateScheduler(0.1), TypeError,
     "schedule must be callable"),
    ("fit callbacks", lambda c: c.trainer.fit(c.X, c.y, callbacks=[print]), TypeError,
     "not a tinynet Callback"),
    ("trainer batch size", lambda c: tn.Trainer(c.model, "mse", "sgd", batch_size=0),
     ValueError, "batch_size must be >= 1"),
    # checkpoints
    ("checkpoint missing", lambda c: tn.Trainer.load_checkpoint(c.tmp / "none.npz"),
     FileNotFoundError, "checkpoint not found"),
    ("checkpoint is a model", lambda c: tn.Trainer.load_checkpoint(c.tmp / "model.npz"),
     ValueError, "it is a model file"),
    ("checkpoint object arrays", lambda c: checkpoint.load(c.tmp / "obj.npz"), ValueError,
     "object arrays"),
    ("checkpoint to a folder", lambda c: c.trainer.save_checkpoint(c.tmp), ValueError,
     "it is a folder"),
    # datasets and CSV
    ("dataset name", lambda c: tn.datasets.load("mnist"), ValueError,
     "unknown dataset 'mnist'"),
    ("dataset test_size", lambda c: tn.datasets.load("iris", test_size=0), ValueError,
     "test_size must be > 0"),
    ("dataset scale", lambda c: tn.datasets.load("iris", scale="yes"), TypeError,
     "scale must be True or False"),
    ("csv text feature", lambda c: read_csv(_csv(c, "a,b,label\n1,x,0\n1,2,1\n")), ValueError,
     "line 2: column 'b' holds 'x'"),
    ("csv one column", lambda c: read_csv(_csv(c, "label\n1\n")), ValueError,
     "needs at least one feature column"),
    # gradcheck, surfaces, explain
    ("gradcheck eps", lambda c: tn.gradcheck(c.model, tn.SoftmaxCrossEntropy(), c.X, c.y,
                                             eps=0), ValueError, "eps must be > 0"),
    ("gradcheck loss", lambda c: tn.gradcheck(c.model, "mse", c.X, c.y), TypeError,
     "loss must be a tinynet Loss"),
    ("surface start", lambda c: surfaces.run("sgd", "quadratic", start=(np.nan, 1)),
     ValueError, "start must be finite numbers"),
    ("surface a", lambda c: surfaces.Quadratic(a=0), ValueError, "a must be > 0"),
    ("explain ragged", lambda c: check_grads([[1, 2], [3]], "--grads"), ValueError,
     "same length"),
    # estimators
    ("estimator activation", lambda c: TinyNetClassifier(activation="gelu").fit(c.X, c.y),
     ValueError, "activation must be one of"),
    ("estimator epochs", lambda c: TinyNetRegressor(epochs=0).fit(c.X, c.X[:, 0]), ValueError,
     "epochs must be >= 1"),
    ("estimator one class", lambda c: TinyNetClassifier().fit(c.X, np.zeros(24)), ValueError,
     "needs at least 2 classes"),
]


def _csv(c, text):
    path = c.tmp / "data.csv"
    path.write_text(text)
    return path


def test_the_table_is_big_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name, action, error, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_clearly_and_changes_nothing(tmp_path, name, action, error,
                                                           fragment):
    c = Ctx(tmp_path)
    before = c.snapshot()
    with pytest.raises(error, match=fragment):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            action(c)
    assert c.unchanged(before)


@pytest.mark.parametrize("make", [lambda: tn.ReLU(), lambda: tn.Tanh(), lambda: tn.Dense(2, 2),
                                  lambda: tn.SoftmaxCrossEntropy(), lambda: tn.MSE()])
def test_backward_before_forward_says_so(make):
    obj = make()
    with pytest.raises(RuntimeError, match=r"backward\(\) called before forward\(\)"):
        obj.backward(np.ones((1, 2))) if isinstance(obj, tn.Layer) else obj.backward()


# ----- command line -------------------------------------------------------------------------


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "tinynet", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


@pytest.mark.parametrize("args, fragment", [
    (["train", "--resume", "missing.npz"], "checkpoint not found: missing.npz"),
    (["train", "--data", "setup.cfg"], "setup.cfg"),
    (["train", "--optimizer", "sgd", "--lr", "1e300", "--epochs", "3"], "training diverged"),
    (["train", "--batch-size", "-4"], "--batch-size: must be > 0"),
    (["compare", "--surface", "bowl"], "invalid choice: 'bowl'"),
    (["compare", "--optimizers", "sgd,yogi", "--epochs", "1"], "unknown optimizer 'yogi'"),
    (["explain", "rmsprop", "--grad", "1,x"], "expected numbers like 100,1"),
    (["explain", "rmsprop", "--grads", "nope.txt"], "gradient file not found"),
    (["explain", "rmsprop", "--rho", "2"], "rho must be < 1"),
])
def test_cli_errors_are_one_line_with_status_2(args, fragment):
    result = cli(*args, "--no-progress") if args[0] == "train" else cli(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_cli_debug_shows_the_traceback():
    result = cli("explain", "rmsprop", "--rho", "2", "--debug")
    assert result.returncode == 1 and "Traceback" in result.stderr
    assert "rho must be < 1" in result.stderr
    assert cli("--debug", "explain", "rmsprop", "--rho", "2").returncode == 1


def test_cli_import_error_in_user_code_is_one_line(tmp_path):
    (tmp_path / "broken.py").write_text("def oops(:\n")
    result = cli("train", "--import", str(tmp_path / "broken.py"), "--no-progress")
    assert result.returncode == 2 and "SyntaxError" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# ----- faults -------------------------------------------------------------------------------


@pytest.mark.parametrize("err, kind, fragment", [
    (OSError(errno.ENOSPC, "No space left on device"), OSError, "No space left on device"),
    (PermissionError(errno.EACCES, "Permission denied"), PermissionError, "Permission denied"),
])
def test_full_disk_or_permission_error_on_save_is_clear_and_loses_nothing(
        tmp_path, monkeypatch, err, kind, fragment):
    c = Ctx(tmp_path)
    before = (tmp_path / "run.npz").read_bytes()

    def failing_savez(file, **arrays):
        file.write(b"PK partial")
        raise err

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(kind, match=f"cannot save to .*run.npz: {fragment}; any previous"):
        c.trainer.save_checkpoint(tmp_path / "run.npz")
    with pytest.raises(kind, match=fragment):
        c.model.save(tmp_path / "model.npz")
    assert (tmp_path / "run.npz").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_one_sample_and_batches_larger_than_the_data_train():
    X, y = np.array([[0.5, -1.0]]), np.array([1])
    t = tn.Trainer(tn.mlp([2, 4, 2]), tn.SoftmaxCrossEntropy(), "sgd", batch_size=32,
                   progress=False)
    h = t.fit(X, y, epochs=3)
    assert len(h) == 3 and t.optimizer.t == 3
    X5, y5 = np.random.default_rng(0).standard_normal((5, 2)), np.array([0, 1, 0, 1, 1])
    t = tn.Trainer(tn.mlp([2, 4, 2]), tn.SoftmaxCrossEntropy(), "sgd", batch_size=64,
                   drop_last=True, progress=False)
    t.fit(X5, y5, epochs=2)
    assert t.optimizer.t == 2  # one (short) batch per epoch, even with drop_last


# ----- numerical safety ---------------------------------------------------------------------


@pytest.mark.parametrize("big", [1e4, -1e4])
def test_huge_logits_stay_finite_without_warnings(big):
    Z = np.array([[big, 0.0, -big], [0.0, big, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow RuntimeWarning fails the test
        with np.errstate(under="ignore"):
            sce = tn.SoftmaxCrossEntropy()
            assert np.isfinite(sce.forward(Z, np.array([2, 0])))
            assert np.all(np.isfinite(sce.backward()))
            assert np.all(np.isfinite(tn.SoftmaxCrossEntropy.predict_proba(Z)))
            bce = tn.BinaryCrossEntropy()
            assert np.isfinite(bce.forward(Z[:, :1], np.array([0, 1])))
            assert np.all(np.isfinite(bce.backward()))
            assert np.all(np.isfinite(tn.BinaryCrossEntropy.predict_proba(Z[:, :1])))
            s = tn.Sigmoid()
            out = s.forward(Z)
            assert np.all((out >= 0) & (out <= 1)) and np.all(np.isfinite(s.backward(Z)))
            m = tn.mlp([3, 2])
            m.dense_layers[0].W[...] = big
            assert np.all(np.isfinite(m.predict_proba(np.ones((2, 3)))))
