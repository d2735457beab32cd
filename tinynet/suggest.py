"""What a mistyped command-line option most likely meant.

``--learning-rate 0.1`` is what Keras, PyTorch scripts and scikit-learn's names teach; the
answer should be ``did you mean --lr?``, not only "unrecognized arguments".
"""

from __future__ import annotations

import difflib

# other tools' names for tinynet's options (after lower-casing and _ -> -); a prefix of an
# option (--epoch, --optim) needs no entry: argparse takes it as that option
SYNONYMS = {
    "--lr": ("--learning-rate", "--learningrate", "--learning-rate-init", "--eta",
             "--step-size", "--rate"),
    "--epochs": ("--n-epochs", "--num-epochs", "--max-epochs", "--max-iter", "--iterations"),
    "--batch-size": ("--batchsize", "--bs", "--minibatch-size"),
    "--hidden": ("--hidden-layer-sizes", "--hidden-layers", "--hidden-sizes", "--layers",
                 "--units", "--sizes"),
    "--optimizer": ("--solver", "--optimiser"),
    "--label": ("--target", "--label-column", "--target-column", "--y", "--class"),
    "--validation-split": ("--val-split", "--validation-fraction", "--val-fraction",
                           "--valid-split"),
    "--patience": ("--early-stopping", "--n-iter-no-change", "--early-stop"),
    "--seed": ("--random-state", "--random-seed"),
    "--weight-decay": ("--wd", "--l2", "--alpha"),
    "--data": ("--csv", "--file", "--input"),
    "--save": ("--output", "--out", "--model"),
}


def closest_option(typed: str, options: list[str]) -> str | None:
    """The long option among ``options`` that ``typed`` most likely meant, or None."""
    name = typed.partition("=")[0].lower().replace("_", "-")
    if name in options:  # --batch_size, --LR
        return name
    for option, others in SYNONYMS.items():
        if name in others and option in options:
            return option
    close = difflib.get_close_matches(name, options, cutoff=0.75)
    return close[0] if close else None


TRUE, FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


def unrecognized(extras: list[str], options: list[str], switches: dict[str, str],
                 argv: list[str]) -> str:
    """The message for arguments argparse did not recognise, with a suggestion for the
    first one that resembles a real option, or for a switch given a value (``--centered
    true``: a boolean option takes none). ``switches`` maps each of a switch's forms
    (``--centered``, ``--no-centered``) to its positive form."""
    message = f"unrecognized arguments: {' '.join(extras)}"
    for extra in extras:
        if extra.startswith("--"):
            option = closest_option(extra, options)
            if option:
                return f"{message}; did you mean {option}?"
        elif extra.lower() in TRUE + FALSE:  # argv[0] is the command: never a value
            before = argv[argv.index(extra) - 1]
            if before in switches:
                yes = switches[before]
                write = yes if extra.lower() in TRUE else "--no-" + yes[2:]
                return f"{message}; {before} is a switch and takes no value: write {write}"
    return message


def closest_choice(value: str, choices: list[str]) -> str | None:
    """The choice ``value`` most likely meant (``rmsporp`` -> ``rmsprop``), or None."""
    close = difflib.get_close_matches(value.lower(), choices)
    return close[0] if close else None
