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
    group.add_argument("--optimizer", default="rmsprop",
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
                                "test accuracy. Defaults: digits, 64-128-64-10 ReLU, RMSProp.")
    train.add_argument("--dataset", default="digits",
                       help="a scikit-learn dataset name (default: digits)")
    train.add_argument("--hidden", type=_int_list, default=[128, 64], metavar="W1,W2",
                       help="hidden layer widths (default: 128,64)")
    train.add_argument("--activation", default="relu",
                       choices=["relu", "leaky_relu", "tanh", "sigmoid", "identity"],
                       help="hidden activation (default: relu)")
    add_optimizer_options(train)
    train.add_argument("--epochs", type=_positive(int), default=30, help="epochs (default: 30)")
    train.add_argument("--batch-size", type=_positive(int), default=32,
                       help="mini-batch size (default: 32)")
    train.add_argument("--seed", type=int, default=0, help="seed for data split, weights and "
                       "batch order (default: 0)")
    train.add_argument("--save", metavar="PATH", help="save the trained model (.npz)")
    train.add_argument("--no-progress", action="store_true", help="hide the progress bar")
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
    return optimizers.get(args.optimizer, **given)


def cmd_train(args) -> int:
    from . import datasets
    from .files import check_writable
    from .losses import SoftmaxCrossEntropy
    from .model import mlp
    from .trainer import Trainer

    opt = optimizer_from_args(args)
    if args.save:
        check_writable(args.save)
    X_train, X_test, y_train, y_test = datasets.load(args.dataset, seed=args.seed)
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    model = mlp([X_train.shape[1], *args.hidden, n_classes], activation=args.activation,
                seed=args.seed)
    trainer = Trainer(model, SoftmaxCrossEntropy(), opt, batch_size=args.batch_size,
                      seed=args.seed, progress=not args.no_progress)
    sizes = "-".join(str(d.n_in) for d in model.dense_layers) + f"-{model.n_outputs}"
    print(f"tinynet: {args.dataset} ({len(X_train)} train, {len(X_test)} test), MLP {sizes} "
          f"{args.activation}, {opt!r}")
    start = time.perf_counter()
    trainer.fit(X_train, y_train, epochs=args.epochs)
    seconds = time.perf_counter() - start
    train_acc = trainer.evaluate(X_train, y_train)["accuracy"]
    test_acc = trainer.evaluate(X_test, y_test)["accuracy"]
    print(f"trained {args.epochs} epochs in {seconds:.1f} s")
    print(f"train accuracy: {train_acc:.4f}")
    print(f"test accuracy:  {test_acc:.4f}")
    if args.save:
        model.save(args.save)
        print(f"saved model to {args.save}")
    return 0


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
