"""The ``tinynet`` command line: ``tinynet train | compare | explain``.

Every mistake on the command line ends with exit status 2 and one line on stderr;
``--debug`` shows the full traceback instead.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from . import argtypes, optimizers, suggest, train_cli
from . import commands as commands_mod
from .bench import command as bench_command
from .compare import LR_GRID
from .csvlabels import TASKS
from .exercises import command as exercises_command
from .explain_backprop import LOSS_TEXT
from .layers import ACTIVATIONS
from .losses import LOSSES
from .surfaces import SURFACES

COMMANDS = ("train", "compare", "playground", "explain", "exercises", "bench")
INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)$")


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (no usage block) and exit 2,
    and a mistyped option or choice gets the closest real one (suggest.py)."""

    commands: dict = {}  # the top-level parser's subcommand parsers, by name

    def error(self, message: str):
        typo = INVALID_CHOICE.search(message)
        if typo:
            close = suggest.closest_choice(typo[1], re.findall(r"'([^']*)'", typo[2]))
            message += f"; did you mean {close!r}?" if close else ""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def parse_args(self, args=None, namespace=None):
        argv = sys.argv[1:] if args is None else list(args)
        parsed, extras = self.parse_known_args(argv, namespace)
        if extras:  # only ever after a command: argparse ends 'tinynet --x' before this
            sub = self.commands[parsed.command]
            options = [o for a in sub._actions for o in a.option_strings if o.startswith("--")]
            switches = {o: a.option_strings[0] for a in sub._actions
                        if isinstance(a, argparse.BooleanOptionalAction) for o in a.option_strings}
            sub.error(suggest.unrecognized(extras, options, switches, argv))
        return parsed


def add_optimizer_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("optimizer")
    group.add_argument("--optimizer", type=str.lower, choices=optimizers.available(),
                       help="a registered optimizer, --import'ed ones included (default: "
                       "rmsprop)")
    _add_hyperparameters(group)
    group.add_argument("--param", type=argtypes.key_value, action="append", default=[],
                       metavar="NAME=VALUE", help="a hyperparameter of an optimizer "
                       "added with --import, e.g. gamma=0.5")
    _add_import(group)


def _add_hyperparameters(parser, article: dict | None = None) -> None:
    """One ``--NAME`` option per constructor argument of the registered optimizers, read
    from their signatures: a new optimizer's arguments need no list to be edited here."""
    kinds = {int: int, float: float}
    for name, option in commands_mod.optimizer_options().items():
        takers = option["takers"]
        defaults = ", ".join(f"{cls} {value!r}" for cls, value in takers.items())
        if article and name in article:  # explain's defaults: the worked example's
            defaults = f"{article[name]!r} for every optimizer that takes it (the article's)"
        flag = f"--{name.replace('_', '-')}"
        if option["default_type"] is bool:  # a switch: --centered, --no-centered
            parser.add_argument(flag, action=argparse.BooleanOptionalAction,
                                help=f"default: {defaults}")
            continue
        # any other type (a str default, None): argparse passes the text as given
        kind = argtypes.positive(float) if name == "lr" else kinds.get(option["default_type"])
        parser.add_argument(flag, type=kind, help=f"default: {defaults}")


def _add_csv_options(parser) -> None:
    parser.add_argument("--label", metavar="NAME", help="the label column (default: the one "
                        "named label, target, class or y; or one-hot columns NAME_a, NAME_b)")
    parser.add_argument("--task", choices=TASKS, help="default: from the labels (text or "
                        "integers: classification; mostly non-integers: regression)")
    parser.add_argument("--no-header", action="store_true", default=None,  # None: not given
                        help="the file has no header row: columns are x1..xn, the last one "
                        "the label")


def _add_import(parser) -> None:
    parser.add_argument("--import", dest="imports", action="append", default=[],
                        metavar="MODULE", help="import a module or .py file first (one that "
                        "registers your own optimizer), e.g. examples/custom_optimizer.py")


def _add_debug(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: only when given here, so 'tinynet --debug train' keeps working too
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback on errors")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tinynet", description="Train small MLPs on numpy and see how "
                     "optimizers behave. Run 'tinynet COMMAND --help' for a command's options.")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")  # also _Parser
    commands.required = True
    parser.commands = commands.choices

    train = commands.add_parser("train", help="train an MLP and report its accuracy",
                                description="Train an MLP on a dataset and print train and "
                                "test accuracy (R² for regression). Defaults: digits, "
                                "64-128-64-10 ReLU, RMSProp, 30 epochs.")
    data = train.add_argument_group("data").add_mutually_exclusive_group()
    data.add_argument("--dataset",
                      help="digits, moons, circles, iris, wine, breast_cancer, blobs or "
                      "diabetes (regression) (default: digits)")
    data.add_argument("--data", metavar="CSV", help="a CSV file instead (format: data/README.md)")
    _add_csv_options(train.add_argument_group("CSV files"))
    model = train.add_argument_group("model")
    model.add_argument("--hidden", type=argtypes.int_list, metavar="W1,W2",
                       help="hidden layer widths (default: 128,64; 16 for regression)")
    model.add_argument("--activation", choices=list(ACTIVATIONS),
                       help="hidden activation (default: relu)")
    add_optimizer_options(train)
    run = train.add_argument_group("training")
    run.add_argument("--epochs", type=argtypes.positive(int),
                     help="epochs (default: 30; with --resume, the total to reach)")
    run.add_argument("--batch-size", type=argtypes.positive(int),
                     help="mini-batch size (default: 32)")
    run.add_argument("--seed", type=argtypes.non_negative_int,
                     help="seed for data split, weights and batch order (default: 0)")
    run.add_argument("--loss", choices=list(LOSSES),
                     help="default: softmax_cross_entropy for classes, mse for a regression")
    run.add_argument("--validation-split", type=argtypes.fraction, metavar="FRACTION",
                     help="carve this fraction of the training data off for validation, "
                     "reported every epoch (stratified, seeded)")
    run.add_argument("--patience", type=argtypes.non_negative_int, metavar="N",
                     help="stop when the validation loss has not improved for N epochs and "
                     "keep the best epoch's weights (needs --validation-split)")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    out = train.add_argument_group("files")
    out.add_argument("--save", metavar="PATH", help="save the trained model (.npz)")
    out.add_argument("--checkpoint", metavar="PATH",
                     help="save a checkpoint (model, optimizer state, RNG, history) after "
                     "every epoch")
    out.add_argument("--resume", metavar="PATH",
                     help="continue the run saved in this checkpoint, exactly where it stopped")
    out.add_argument("--history", metavar="PATH", help="write per-epoch metrics as CSV")
    train.set_defaults(run=train_cli.cmd_train)
    _add_debug(train)

    compare = commands.add_parser(
        "compare", help="optimizers side by side from identical starts",
        description="Train each optimizer from the same initial weights with the same batch "
        "order (or run it over a 2-D surface from the same point) and print a table.")
    compare.add_argument("--dataset", help="a dataset name or CSV path "
                         "(default: digits)")
    _add_csv_options(compare)
    compare.add_argument("--surface", choices=list(SURFACES),
                         help="compare on a 2-D surface instead of a dataset")
    compare.add_argument("--optimizers", default="sgd,momentum,rmsprop,adam",
                         help="comma-separated registered names (default: %(default)s)")
    compare.add_argument("--lr", type=argtypes.positive(float),
                         help="one fixed learning rate for all, not tuned (default on a "
                         "dataset: each optimizer's best on --lrs; on a surface: 0.01)")
    compare.add_argument("--lrs", type=argtypes.float_list, default=list(LR_GRID),
                         metavar="LR,LR,...", help="the grid each optimizer's rate is tuned "
                         "on, by final validation loss (default: 1e-4,3e-4,...,0.3,1)")
    compare.add_argument("--seeds", type=argtypes.positive(int), default=3,
                         help="train at the chosen rates with this many seeds (--seed, "
                         "--seed + 1, ...): mean ± spread (default: 3)")
    compare.add_argument("--jobs", type=argtypes.positive(int), default=1, help="training runs "
                         "side by side in this many processes, same results (default: 1)")
    compare.add_argument("--epochs", type=argtypes.positive(int), default=20,
                         help="epochs (default: 20)")
    compare.add_argument("--batch-size", type=argtypes.positive(int), default=32)
    compare.add_argument("--hidden", type=argtypes.int_list, default=[128, 64], metavar="W1,W2")
    compare.add_argument("--target", type=float, default=0.95,
                         help="validation accuracy whose first epoch is reported (0.95)")
    compare.add_argument("--steps", type=argtypes.bounded(1_000_000), default=200,
                         help="steps on a surface (default: 200)")
    compare.add_argument("--seed", type=int, default=0)
    compare.add_argument("--plot", metavar="PNG", help="save loss curves, or trajectories on "
                         "the contour plot (needs matplotlib)")
    compare.add_argument("--no-progress", action="store_true",
                         help="no progress bar over the training runs")
    _add_import(compare)
    compare.set_defaults(run=commands_mod.cmd_compare)
    _add_debug(compare)

    playground = commands.add_parser(
        "playground", help="watch networks and optimizers learn, live, in the browser",
        description="Start a local server (127.0.0.1 only) and open its page: pick a 2-D "
        "dataset, a network and optimizers, press play, and watch the decision regions, loss "
        "curves and each layer's effective learning rate and optimizer state. Ctrl-C stops it.")
    playground.add_argument("--port", type=argtypes.port, default=8000,
                            help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    playground.add_argument("--no-browser", action="store_true",
                            help="do not open a browser window")
    _add_import(playground)
    playground.set_defaults(run=commands_mod.cmd_playground)
    _add_debug(playground)

    explain = commands.add_parser(
        "explain", help="one optimizer step, or one backprop pass, every number shown",
        description="'tinynet explain OPTIMIZER': apply an optimizer to a parameter theta = 0 "
        "with a given gradient and print each quantity of its formula, computed by the real "
        "optimizer class. 'tinynet explain backprop': one forward and backward pass of a tiny "
        "network, every quantity with its formula and shape, then each gradient entry beside "
        "its finite difference.")
    explain.add_argument("optimizer", help="backprop, or sgd, momentum, rmsprop, adam, "
                         "adagrad or any registered optimizer name")
    bp = explain.add_argument_group("backprop")
    bp.add_argument("--sizes", type=argtypes.int_list, default=[2, 3, 2], metavar="N0,N1,...",
                    help="layer widths (default: 2,3,2)")
    bp.add_argument("--activation", default="relu", choices=list(ACTIVATIONS))
    bp.add_argument("--loss", default="softmax_cross_entropy", choices=list(LOSS_TEXT))
    bp.add_argument("--samples", type=argtypes.positive(int), default=2,
                    help="batch size B (default: 2)")
    bp.add_argument("--seed", type=int, default=0, help="weights and data (default: 0)")
    explain.add_argument("--grad", default="100,1", metavar="G1,G2",
                         help="the gradient, comma-separated (default: 100,1, the article's)")
    explain.add_argument("--grads", metavar="FILE", help="a sequence of gradients, one per line")
    explain.add_argument("--steps", type=argtypes.positive(int), default=1,
                         help="repeat the same gradient this many steps (default: 1)")
    _add_hyperparameters(explain, article=commands_mod.EXPLAIN_DEFAULTS)
    explain.add_argument("--param", type=argtypes.key_value, action="append", default=[],
                         metavar="NAME=VALUE")
    _add_import(explain)
    explain.set_defaults(run=commands_mod.cmd_explain)
    _add_debug(explain)
    _add_debug(exercises_command.add_parser(commands))
    bench = bench_command.add_parser(commands, argtypes)
    _add_import(bench), _add_debug(bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Each line out as it is printed, also into a pipe: whoever reads it (a log, a test
    # waiting for training to start) sees progress now, not when a block buffer fills.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    argv = sys.argv[1:] if argv is None else list(argv)
    imported = _import_first(argv)
    if isinstance(imported, int):
        return imported
    args = build_parser().parse_args(argv)
    # imported once here: a second import would register the same names again (a bench's
    # worker processes import every one themselves: all_imports)
    args.all_imports = list(args.imports)
    args.imports = [t for t in args.imports if t not in imported]
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError, ArithmeticError, RuntimeError, MemoryError) as err:
        # bad arguments, unreadable files, a diverging run: one line, no traceback
        if isinstance(err, BrokenPipeError):
            return _broken_pipe()
        if args.debug:
            raise
        message = " ".join(str(err).split()) or type(err).__name__
        if isinstance(err, MemoryError):
            message = f"not enough memory ({message}): try smaller --hidden, --batch-size or data"
        print(f"tinynet {args.command}: error: {message} (--debug shows the traceback)",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tinynet {args.command}: interrupted", file=sys.stderr)
        return 130


def _import_first(argv: list[str]) -> list[str] | int:
    """Import the --import modules before the parser is built, so that their optimizers
    and losses are among its choices and in --help: the targets imported, or exit status 2
    after one line on stderr."""
    pre = argparse.ArgumentParser(add_help=False)  # --imp too, as the real parser reads it
    pre.add_argument("--import", dest="imports", action="append", default=[])
    pre.add_argument("--debug", action="store_true")
    known, _ = pre.parse_known_args(argv)
    try:
        commands_mod.import_user_code(known.imports)
    except (ValueError, OSError) as err:
        if known.debug:
            raise
        command = next((f" {a}" for a in argv if a in COMMANDS), "")
        print(f"tinynet{command}: error: {err} (--debug shows the traceback)", file=sys.stderr)
        return 2
    return known.imports


def _broken_pipe() -> int:
    """The reader went away (``tinynet ... | head``): stop quietly, as Unix tools do."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # so that Python's exit flush does not fail again
    return 141  # 128 + SIGPIPE
