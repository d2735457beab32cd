"""The ``tinynet`` command line: ``tinynet train | compare | explain``.

Every mistake on the command line ends with exit status 2 and one line on stderr;
``--debug`` shows the full traceback instead.
"""

from __future__ import annotations

import argparse
import sys
import time


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (no usage block) and exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _int_list(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer widths like 128,64, got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer widths must be >= 1, got {text!r}")
    return sizes


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _key_value(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    if value.lower() in ("true", "false"):
        return key, value.lower() == "true"
    try:
        return key, int(value)
    except ValueError:
        pass
    try:
        return key, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{key}: expected a number or true/false, got "
                                         f"{value!r}") from None


OPTIMIZER_FLAGS = ("lr", "rho", "eps", "beta", "beta1", "beta2", "momentum", "weight_decay")


def add_optimizer_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("optimizer")
    group.add_argument("--optimizer", default=None,
                       help="registered optimizer name: adagrad, adam, momentum, rmsprop, sgd "
                       "or one added with --import (default: rmsprop)")
    group.add_argument("--lr", type=_positive(float), default=None,
                       help="learning rate (default: the optimizer's own; 0.001 for rmsprop)")
    group.add_argument("--rho", type=float, default=None, help="RMSProp decay rate (0.9)")
    group.add_argument("--eps", type=float, default=None,
                       help="epsilon added outside the square root (1e-8)")
    group.add_argument("--beta", type=float, default=None, help="Momentum's decay rate (0.9)")
    group.add_argument("--beta1", type=float, default=None, help="Adam's first-moment decay (0.9)")
    group.add_argument("--beta2", type=float, default=None,
                       help="Adam's second-moment decay (0.999)")
    group.add_argument("--momentum", type=float, default=None, help="RMSProp's momentum (0)")
    group.add_argument("--weight-decay", type=float, default=None,
                       help="coupled L2 penalty on W (0: off)")
    group.add_argument("--param", type=_key_value, action="append", default=[],
                       metavar="NAME=VALUE", help="any other hyperparameter, e.g. centered=true")
    group.add_argument("--import", dest="imports", action="append", default=[],
                       metavar="MODULE", help="import a module or .py file first (one that "
                       "registers your own optimizer)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tinynet", description="Train small MLPs on numpy and see how "
                     "optimizers behave. Run 'tinynet COMMAND --help' for a command's options.")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    train = commands.add_parser("train", help="train an MLP and report its accuracy",
                                description="Train an MLP on a dataset and print train and "
                                "test accuracy (R² for regression). Defaults: digits, "
                                "64-128-64-10 ReLU, RMSProp, 30 epochs.")
    data = train.add_argument_group("data").add_mutually_exclusive_group()
    data.add_argument("--dataset", default=None,
                      help="digits, moons, circles, iris, wine, breast_cancer, blobs or "
                      "diabetes (regression) (default: digits)")
    data.add_argument("--data", metavar="CSV", help="a CSV file instead (format: data/README.md)")
    model = train.add_argument_group("model")
    model.add_argument("--hidden", type=_int_list, default=None, metavar="W1,W2",
                       help="hidden layer widths (default: 128,64; 16 for regression)")
    model.add_argument("--activation", default=None,
                       choices=["relu", "leaky_relu", "tanh", "sigmoid", "identity"],
                       help="hidden activation (default: relu)")
    add_optimizer_options(train)
    run = train.add_argument_group("training")
    run.add_argument("--epochs", type=_positive(int), default=None,
                     help="epochs (default: 30; with --resume, the total to reach)")
    run.add_argument("--batch-size", type=_positive(int), default=32,
                     help="mini-batch size (default: 32)")
    run.add_argument("--seed", type=int, default=0,
                     help="seed for data split, weights and batch order (default: 0)")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    out = train.add_argument_group("files")
    out.add_argument("--save", metavar="PATH", help="save the trained model (.npz)")
    out.add_argument("--checkpoint", metavar="PATH",
                     help="save a checkpoint (model, optimizer state, RNG, history) after "
                     "every epoch")
    out.add_argument("--resume", metavar="PATH",
                     help="continue the run saved in this checkpoint, exactly where it stopped")
    out.add_argument("--history", metavar="PATH", help="write per-epoch metrics as CSV")
    train.set_defaults(run=cmd_train)
    return parser


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
            spec.loader.exec_module(module)
        else:
            try:
                importlib.import_module(target)
            except ImportError as err:
                raise ValueError(f"--import: cannot import {target!r} ({err})") from err


def optimizer_from_args(args) -> object:
    """Build the optimizer named on the command line with the hyperparameters given."""
    from . import optimizers

    import_user_code(args.imports)
    given = {k: getattr(args, k) for k in OPTIMIZER_FLAGS if getattr(args, k) is not None}
    given.update(dict(args.param))
    return optimizers.get(args.optimizer or "rmsprop", **given)


FIXED_BY_CHECKPOINT = ("dataset", "data", "hidden", "activation", "optimizer", "lr", "rho",
                       "eps", "beta", "beta1", "beta2", "momentum", "weight_decay")


def cmd_train(args) -> int:
    from .callbacks import Checkpoint
    from .files import check_writable
    from .trainer import Trainer

    for path in (args.save, args.checkpoint, args.history):
        if path:
            check_writable(path)  # fail now, not after training
    if args.resume:
        clash = [f"--{k.replace('_', '-')}" for k in FIXED_BY_CHECKPOINT
                 if getattr(args, k) is not None] + ["--param"] * bool(args.param)
        if clash:
            raise ValueError(f"--resume continues the saved run as it was; {clash[0]} cannot "
                             f"change it")
        import_user_code(args.imports)
        trainer = Trainer.load_checkpoint(args.resume, progress=not args.no_progress)
        run = trainer.checkpoint_extra
        if "source" not in run:
            raise ValueError(f"{args.resume} was not written by 'tinynet train --checkpoint'")
        target = args.epochs or run["epochs"]
    else:
        run = {"source": args.data or args.dataset or "digits", "seed": args.seed,
               "epochs": args.epochs or 30}
        trainer, target = None, run["epochs"]
    data = load_data(run["source"], run["seed"])
    if trainer is None:
        trainer = new_trainer(args, data)
    trainer.checkpoint_extra = run
    X_train, X_test, y_train, y_test = data
    model, opt = trainer.model, trainer.optimizer
    sizes = "-".join(str(d.n_in) for d in model.dense_layers) + f"-{model.n_outputs}"
    act = next((type(x).__name__.lower() for x in model.layers if x not in model.dense_layers), "")
    print(f"tinynet: {run['source']} ({len(X_train)} train, {len(X_test)} test, {data.task}), "
          f"MLP {sizes} {act}, {opt!r}")
    remaining = target - trainer.epoch
    if args.resume:
        print(f"resuming {args.resume} at epoch {trainer.epoch} of {target}")
    callbacks = [Checkpoint(args.checkpoint or args.resume)] if (
        args.checkpoint or args.resume) else []
    start = time.perf_counter()
    if remaining > 0:
        history = trainer.fit(X_train, y_train, epochs=remaining, callbacks=callbacks)
        if history.interrupted:
            print(f"interrupted during epoch {trainer.epoch + 1}; the model keeps its weights")
    print(f"trained to epoch {trainer.epoch} in {time.perf_counter() - start:.1f} s")
    metric = trainer.loss.metric_name
    name = "accuracy" if metric == "accuracy" else "R²"
    print(f"train {name}: {trainer.evaluate(X_train, y_train)[metric]:.4f}")
    print(f"test {name}:  {trainer.evaluate(X_test, y_test)[metric]:.4f}")
    if args.history:
        trainer.history.to_csv(args.history)
        print(f"wrote history to {args.history}")
    if args.save:
        model.save(args.save)
        print(f"saved model to {args.save}")
    return 0


def load_data(source: str, seed: int):
    from . import datasets

    return datasets.load(source, seed=seed)


def new_trainer(args, data):
    from .losses import MSE, SoftmaxCrossEntropy
    from .model import mlp
    from .trainer import Trainer

    opt = optimizer_from_args(args)
    X_train, _, y_train, _ = data
    regression = data.task == "regression"
    n_out = 1 if regression else int(y_train.max()) + 1
    if not regression and n_out < 2:
        raise ValueError("the training labels hold a single class; need at least two")
    # diabetes-sized regression overfits a 128-64 network badly; 16 units generalise
    hidden = args.hidden or ([16] if regression else [128, 64])
    model = mlp([X_train.shape[1], *hidden, n_out],
                activation=args.activation or "relu", seed=args.seed,
                head="identity" if regression else None)
    loss = MSE() if regression else SoftmaxCrossEntropy()
    return Trainer(model, loss, opt, batch_size=args.batch_size, seed=args.seed,
                   progress=not args.no_progress)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError) as err:
        if args.debug:
            raise
        print(f"tinynet {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tinynet {args.command}: interrupted", file=sys.stderr)
        return 130
