"""What ``tinynet train`` does; ``cli.py`` parses its arguments.

Read top to bottom: the run's settings (or a checkpoint's), the data (a built-in dataset
or a CSV file, whose label and task are said), a validation split carved from the
training data, the model and loss the task needs, ``Trainer.fit``, the report.
"""

from __future__ import annotations

import sys
import time

from .commands import import_user_code, optimizer_from_args, optimizer_options

# the run as it was started; a resumed run keeps them (+ the optimizer's options)
FIXED_BY_CHECKPOINT = ("dataset", "data", "label", "task", "no_header", "validation_split",
                       "hidden", "activation", "loss", "optimizer", "batch_size", "seed",
                       "patience")
# run settings a checkpoint may lack (written before they existed): their defaults
OPTIONAL_RUN = {"label": None, "task": None, "header": True, "validation_split": 0.0}


def check_paths_apart(args) -> None:
    """No file the run writes may be a file it reads, or another file it writes: saving
    over the data, or the model over the checkpoint, would destroy what the user had."""
    import os

    roles = [("--data", args.data), ("--resume", args.resume), ("--save", args.save),
             ("--checkpoint", args.checkpoint), ("--history", args.history)]
    given = [(flag, os.path.realpath(path)) for flag, path in roles if path]
    for i, (flag, path) in enumerate(given):
        for other, other_path in given[i + 1:]:
            same_run = {flag, other} == {"--resume", "--checkpoint"}  # resume writes it on
            if path == other_path and not same_run:
                raise ValueError(f"{flag} and {other} name the same file ({path}); "
                                 f"one would overwrite the other")


def saved_run(path, run) -> dict:
    """The run settings ``tinynet train --checkpoint`` keeps in a checkpoint (data source,
    CSV options, validation split, seed, epochs), each checked: a one-line error naming
    the file and the field."""
    from .csvlabels import TASKS
    from .validation import check_number

    if not isinstance(run, dict) or "source" not in run:
        raise ValueError(f"{path} was not written by 'tinynet train --checkpoint'")
    limits = {"seed": (0, 2**32 - 1), "epochs": (1, 10**9)}
    for field in ("source", *limits):
        if field not in run:
            raise ValueError(f"{path}: its run settings lack {field!r}; it was not written by "
                             f"this version of 'tinynet train --checkpoint'")
    if not isinstance(run["source"], str) or not run["source"]:
        raise ValueError(f"{path}: its run setting 'source' must name a dataset or CSV file, "
                         f"got {run['source']!r}")
    run = {**OPTIONAL_RUN, **run}
    try:
        for field, (low, high) in limits.items():
            check_number(field, run[field], low=low, high=high, integer=True)
        check_number("validation_split", run["validation_split"], low=0.0, high=1.0,
                     high_open=True)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path}: its run setting {err}") from None
    checks = [("label", run["label"] is None or isinstance(run["label"], str),
               "a column name or null"),
              ("task", run["task"] is None or run["task"] in TASKS,
               "'classification', 'regression' or null"),
              ("header", isinstance(run["header"], bool), "true or false")]
    for field, ok, what in checks:
        if not ok:
            raise ValueError(f"{path}: its run setting {field!r} must be {what}, got "
                             f"{run[field]!r}")
    return run


def cmd_train(args) -> int:
    from .callbacks import Checkpoint, EarlyStopping
    from .files import check_writable
    from .trainer import Trainer

    check_paths_apart(args)
    for path in (args.save, args.checkpoint, args.history):
        if path:
            check_writable(path)  # fail now, not after training
    if args.resume:
        clash = [f"--{k.replace('_', '-')}" for k in (*FIXED_BY_CHECKPOINT, *optimizer_options())
                 if vars(args).get(k) is not None]
        clash += ["--param"] * bool(args.param)
        if clash:
            raise ValueError(f"--resume continues the saved run as it was; {clash[0]} cannot "
                             f"change it")
        import_user_code(args.imports)
        trainer = Trainer.load_checkpoint(args.resume, progress=not args.no_progress)
        run = saved_run(args.resume, trainer.checkpoint_extra)
        target = args.epochs or run["epochs"]
    else:
        if args.patience is not None and not args.validation_split:
            raise ValueError("--patience stops on the validation loss: give --validation-split "
                             "too, e.g. --validation-split 0.2 --patience 5")
        run = {"source": args.data or args.dataset or "digits", "seed": args.seed or 0,
               "epochs": args.epochs or 30, "label": args.label, "task": args.task,
               "header": not args.no_header, "validation_split": args.validation_split or 0.0}
        trainer, target = None, run["epochs"]
    data = load_data(run)
    X_train, X_test, y_train, y_test = data
    validation = None
    if run["validation_split"]:
        from .datasets import validation_split

        X_train, X_val, y_train, y_val = validation_split(
            X_train, y_train, run["validation_split"], run["seed"], data.task)
        validation = (X_val, y_val)
    if trainer is None:
        trainer = new_trainer(args, data)
        if args.patience is not None:  # kept with the trainer: a checkpoint resumes it
            # on val_loss, restoring the best epoch's weights and optimizer state
            trainer.callbacks.append(EarlyStopping(patience=args.patience))
    trainer.checkpoint_extra = run
    print_setup(run, data, trainer, len(X_train), validation, len(X_test))
    remaining = target - trainer.epoch
    if args.resume:
        print(f"resuming {args.resume} at epoch {trainer.epoch} of {target}")
    callbacks = [Checkpoint(args.checkpoint or args.resume)] if (
        args.checkpoint or args.resume) else []
    start = time.perf_counter()
    if remaining > 0:
        history = trainer.fit(X_train, y_train, epochs=remaining, validation_data=validation,
                              callbacks=callbacks)
        if history.interrupted:  # stop as a Unix program does: exit 130, nothing half-made
            kept = (f"{args.checkpoint or args.resume} holds epoch {trainer.epoch}"
                    if callbacks and trainer.epoch else "nothing was saved")
            print(f"interrupted during epoch {trainer.epoch + 1}: {kept}; --save and "
                  f"--history were not written", file=sys.stderr)
            raise KeyboardInterrupt
    print(f"trained to epoch {trainer.epoch} in {time.perf_counter() - start:.1f} s")
    report_early_stopping(trainer)
    metric = trainer.loss.metric_name
    name = "accuracy" if metric == "accuracy" else "R²"
    print(f"train {name}: {trainer.evaluate(X_train, y_train)[metric]:.4f}")
    if validation:
        print(f"validation {name}: {trainer.evaluate(*validation)[metric]:.4f}")
    print(f"test {name}:  {trainer.evaluate(X_test, y_test)[metric]:.4f}")
    if args.history:
        trainer.history.to_csv(args.history)
        print(f"wrote history to {args.history}")
    if args.save:
        trainer.model.save(args.save)
        print(f"saved model to {args.save}")
    return 0


def print_setup(run: dict, data, trainer, n_train: int, validation, n_test: int) -> None:
    """What is trained, on what, with what: said before the first epoch."""
    model = trainer.model
    sizes = "-".join(str(d.n_in) for d in model.dense_layers) + f"-{model.n_outputs}"
    acts = [type(x).__name__.lower() for x in model.layers if x not in model.dense_layers]
    mlp = f"MLP {sizes} {acts[0]}" if acts else f"MLP {sizes}"
    val = f", {len(validation[0])} validation" if validation else ""
    print(f"tinynet: {run['source']} ({n_train} train{val}, {n_test} test, {data.task}), "
          f"{mlp}, {trainer.loss!r}, {trainer.optimizer!r}")
    if data.label_summary:
        print(data.label_summary)


def report_early_stopping(trainer) -> None:
    """Say at which epoch early stopping stopped, and whose weights the model holds."""
    from .callbacks import EarlyStopping

    stopper = next((cb for cb in trainer.callbacks if isinstance(cb, EarlyStopping)), None)
    if stopper is None or stopper.best_epoch is None:
        return
    best = f"epoch {stopper.best_epoch + 1} (validation loss {stopper.best:.4f})"
    if stopper.stopped_epoch is not None:
        after = stopper.stopped_epoch - stopper.best_epoch
        print(f"stopped early at epoch {stopper.stopped_epoch + 1}, {after} epochs without a "
              f"better validation loss (patience {stopper.patience}): the weights of the best, "
              f"{best}, are restored")
    else:
        print(f"did not stop early; the weights of the best epoch, {best}, are restored")


def load_data(run: dict):
    from . import datasets

    return datasets.load(run["source"], seed=run["seed"], label=run["label"], task=run["task"],
                         header=run["header"])


def new_trainer(args, data):
    """The model and loss for the data's task: the loss given with --loss (any registered
    one), else softmax cross-entropy for classes and MSE for a regression."""
    from .layers import Softmax
    from .losses import LOSSES
    from .model import Sequential, mlp
    from .trainer import Trainer

    opt = optimizer_from_args(args)
    X_train, _, y_train, _ = data  # a validation split is stratified: the same classes
    regression = data.task == "regression"
    name = args.loss or ("mse" if regression else "softmax_cross_entropy")
    loss = LOSSES[name]()
    check_loss_fits(name, loss, data)
    n_out = 1
    if not regression:
        n_classes = int(y_train.max()) + 1
        if n_classes < 2:
            raise ValueError("the training labels hold a single class; need at least two")
        if loss.head == "sigmoid" and n_classes != 2:
            raise ValueError(f"--loss {name} is for 2 classes (one output), the labels have "
                             f"{n_classes}: use softmax_cross_entropy")
        n_out = 1 if loss.head == "sigmoid" else n_classes
    # diabetes-sized regression overfits a 128-64 network badly; 16 units generalise
    hidden = args.hidden or ([16] if regression else [128, 64])
    layers = mlp([X_train.shape[1], *hidden, n_out], activation=args.activation or "relu",
                 seed=args.seed or 0).layers
    if loss.head == "probabilities":  # cross_entropy takes probabilities: end with Softmax
        layers.append(Softmax())
    model = Sequential(layers, head=loss.head)
    return Trainer(model, loss, opt, batch_size=args.batch_size or 32, seed=args.seed or 0,
                   progress=not args.no_progress)


def check_loss_fits(name: str, loss, data) -> None:
    """A classification loss needs classes, a regression loss numbers: refuse a mismatch."""
    wants = "classification" if loss.metric_name == "accuracy" else "regression"
    if wants == data.task:
        return
    if data.task == "classification":
        what, fix = "classes", "softmax_cross_entropy, binary_cross_entropy or cross_entropy"
        if data.label_summary:  # a CSV's integer labels may be quantities
            fix += " (or --task regression if the labels are quantities)"
    else:
        what, fix = "a regression target", "mse"
    raise ValueError(f"--loss {name} is a {wants} loss, but the labels are {what}: use {fix}")
