"""What ``tinynet compare | explain | playground`` do, and what every command shares (the
optimizer options, ``--import``); ``train_cli.py`` is ``tinynet train``; ``cli.py`` parses.

Heavy imports (scikit-learn, matplotlib) happen inside the commands, so ``tinynet --help``
and ``tinynet explain`` answer quickly.
"""

from __future__ import annotations

import sys

from .usercode import import_user_code  # noqa: F401  (the commands' --import)

# explain's settings for every optimizer that takes them, unless given: the worked example's
EXPLAIN_DEFAULTS = {"lr": 0.01, "rho": 0.9, "eps": 0.0}


def optimizer_options() -> dict[str, dict]:
    """Every constructor argument of every registered optimizer, which the command line
    offers as ``--NAME``: ``{name: {"default_type": type, "takers": {class: default}}}``."""
    import inspect

    from . import optimizers

    options: dict[str, dict] = {}
    for name in optimizers.available():
        cls = optimizers.lookup(name)
        params = inspect.signature(cls.__init__).parameters
        for arg in cls.hyperparam_names():
            default = params[arg].default
            entry = options.setdefault(arg, {"default_type": type(default), "takers": {}})
            entry["takers"][cls.__name__] = default
    return options


def given_hyperparams(args) -> dict:
    """The optimizer options set on the command line, with the --param ones."""
    given = {k: v for k in optimizer_options() if (v := getattr(args, k, None)) is not None}
    given.update(dict(args.param))
    return given


def optimizer_from_args(args) -> object:
    """Build the optimizer named on the command line with the hyperparameters given."""
    from . import optimizers

    import_user_code(args.imports)
    return optimizers.get(args.optimizer or "rmsprop", **given_hyperparams(args))


def cmd_compare(args) -> int:
    from . import compare, compare_tables, datasets, plots, surfaces
    from .model import mlp
    from .usercode import for_workers

    import_user_code(args.imports)
    names = [n.strip() for n in args.optimizers.split(",") if n.strip()]
    if not names:
        raise ValueError("--optimizers: give at least one optimizer name, e.g. sgd,rmsprop")
    if args.plot:
        check_writable_plot(args.plot)
    if args.surface:
        if args.dataset:
            raise ValueError("give --dataset or --surface, not both")
        csv_options = [f for f, v in (("--label", args.label), ("--task", args.task),
                                      ("--no-header", args.no_header)) if v is not None]
        if csv_options:
            raise ValueError(f"{csv_options[0]} is for a CSV --dataset, not a --surface")
        if args.jobs != 1:
            raise ValueError("--jobs is for training runs on a --dataset; a --surface "
                             "comparison takes a moment in one process")
        surface = surfaces.get(args.surface)
        lr = args.lr or 0.01
        results = compare.compare_on_surface(surface, compare.build_optimizers(names, lr),
                                             steps=args.steps)
        print(f"{surface!r}, start {surface.start}, {args.steps} steps, lr = {lr:g} for all")
        print(compare_tables.surface_table(results, 1e-3, surface))
        if args.plot:
            plots.plot_trajectories(surface, {r.name: r.trajectory for r in results}, args.plot)
    else:
        data = datasets.load(args.dataset or "digits", seed=args.seed,  # compare's own --seed
                             label=args.label, task=args.task, header=not args.no_header)
        if data.task != "classification":
            raise ValueError(f"compare works on classification datasets; "
                             f"{data.label_summary or args.dataset + ' is a regression'}")
        split = compare.three_way(data, seed=args.seed)
        sizes = [split.X_train.shape[1], *args.hidden, int(data[2].max()) + 1]
        seeds = tuple(range(args.seed, args.seed + args.seeds))
        print(f"{args.dataset or 'digits'}: {len(split.X_train)} train / {len(split.X_val)} "
              f"validation (from the training data) / {len(split.X_test)} test, MLP "
              f"{'-'.join(map(str, sizes))}, {args.epochs} epochs, batch {args.batch_size}, "
              f"seeds {', '.join(map(str, seeds))}")
        if data.label_summary:
            print(data.label_summary)
        if args.lr:
            print(f"one fixed learning rate for every optimizer: lr = {args.lr:g} (not tuned)")
        else:
            grid = ", ".join(f"{lr:g}" for lr in args.lrs)
            print(f"learning rate: each optimizer's best on the grid {grid} (lowest final "
                  f"validation loss, seed {seeds[0]})")
        runs = compare.count_runs(names, seeds, args.lr, args.lrs)
        if args.lr:
            print(f"{runs} training runs ({len(seeds)} per optimizer)")
        else:
            print(f"{runs} training runs: per optimizer, {len(args.lrs)} rates x 2 (each also "
                  f"from weights nudged in the last bit, to find erratic rates), then "
                  f"{len(seeds)} at its rate")
        with runs_bar(runs, args.no_progress) as bar:
            entries = compare.compare_on_data(
                lambda seed: mlp(sizes, seed=seed), split, names, epochs=args.epochs,
                batch_size=args.batch_size, seeds=seeds, lr=args.lr, grid=args.lrs,
                target=args.target, on_run=bar.update, jobs=args.jobs,
                imports=for_workers(args.all_imports))
        if not args.lr:
            print()
            print(compare_tables.grid_report(entries))
        spread = " (mean ± standard deviation over the seeds)" if len(seeds) > 1 else ""
        print(f"\nat the chosen rates{spread}")
        print(compare_tables.data_table(entries, args.target))
        same = all(compare.identical_conditions([e.runs[k] for e in entries])
                   for k in range(len(seeds)))
        print(f"identical initial weights and batch order for every optimizer (per seed): "
              f"{'yes' if same else 'NO'}")
        if args.plot:
            plots.plot_comparison(entries, args.plot, title=args.dataset or "digits")
    if args.plot:
        print(f"saved plot to {args.plot}")
    return 0


def runs_bar(total: int, hidden: bool, desc: str = "training", leave: bool = False):
    """One tqdm bar over all of a command's training runs, on stderr; none with
    --no-progress or when stderr is not a terminal (a log file gets no bar lines).
    ``leave``: keep its last line (runs, time, rate) once done."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="run", desc=desc, leave=leave,
                disable=hidden or not sys.stderr.isatty())


def check_writable_plot(path) -> None:
    from . import plots
    from .files import check_writable

    if not plots.have_matplotlib():
        raise ValueError("--plot needs matplotlib: pip install -e '.[plot]'")
    check_writable(path)


def cmd_explain(args) -> int:
    from . import optimizers
    from .explain import check_grads, explain, read_grads, sgd_contrast

    if args.optimizer.lower() == "backprop":
        from .explain_backprop import explain_backprop

        if len(args.sizes) < 2:
            raise ValueError("--sizes needs at least an input and an output width, e.g. 2,3,2")
        print(explain_backprop(args.sizes, args.activation, args.loss, args.samples, args.seed))
        return 0
    import_user_code(args.imports)
    given = given_hyperparams(args)
    takes = optimizers.lookup(args.optimizer).hyperparam_names()
    defaults = {k: v for k, v in EXPLAIN_DEFAULTS.items() if k in takes and k not in given}
    opt = optimizers.get(args.optimizer, **defaults, **given)
    if args.grads:
        grads = read_grads(args.grads)
    else:
        try:
            grad = [float(x) for x in args.grad.split(",")]
        except ValueError:
            raise ValueError(f"--grad: expected numbers like 100,1, got {args.grad!r}") from None
        grads = check_grads([grad] * args.steps, "--grad")
    text = explain(opt, grads).split("\n")
    if defaults:  # said, so that two optimizers' explanations are read as comparable
        text.insert(1, "explain's settings for every optimizer unless given: "
                    + ", ".join(f"{k} = {v:g}" for k, v in defaults.items())
                    + " (the article's worked example)")
    print("\n".join(text))
    print(sgd_contrast(opt.lr, grads[0]))
    return 0


def cmd_playground(args) -> int:
    import webbrowser

    from .playground.server import Playground

    import_user_code(args.imports)  # a user's registered optimizer shows up in the page
    server = Playground(args.port)
    print(f"tinynet playground at {server.url} (127.0.0.1 only); Ctrl-C stops it")
    if not args.no_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("playground stopped")
    finally:
        server.server_close()
    return 0
