"""The reading path of one training step: every function a learner opens to follow
``Trainer.train_step`` down to RMSProp's arithmetic, layer by layer (``opt.fused = False``),
with its file and length. The README's reading-path table is this script's output.

    python tools/reading_path.py
"""

from __future__ import annotations

import inspect
from pathlib import Path

import tinynet as tn
from tinynet import layers, losses, model, trainer
from tinynet.optimizers import base, rmsprop

# In the order a learner meets them, for an MLP with ReLU, softmax cross-entropy and RMSProp.
PATH = [
    trainer.Trainer.train_step,
    model.Sequential.forward,
    layers.Dense.forward, layers.ReLU.forward,
    losses.Loss.forward, losses.SoftmaxCrossEntropy._forward,
    losses.SoftmaxCrossEntropy.backward,
    model.Sequential.backward, layers.ReLU.backward, layers.Dense.backward,
    base.Optimizer.step, model.trainable_layers, base._same_arrays, base.Optimizer.state_of,
    rmsprop.RMSProp.update, base.divide,
]
ROOT = Path(tn.__file__).parent


def rows() -> list[tuple[str, str, int]]:
    """(file, function, lines) for every function on the path, blank lines not counted."""
    out = []
    for func in PATH:
        source, _ = inspect.getsourcelines(func)
        lines = sum(1 for line in source if line.strip())
        out.append((str(Path(inspect.getsourcefile(func)).relative_to(ROOT.parent)),
                    func.__qualname__, lines))
    return out


def main() -> None:
    table = rows()
    by_file: dict[str, int] = {}
    for file, _, n in table:
        by_file[file] = by_file.get(file, 0) + n
    print("| file | functions | lines |")
    print("|---|---|---|")
    for file, n in by_file.items():
        names = ", ".join(f"`{q}`" for f, q, _ in table if f == file)
        print(f"| `{file}` | {names} | {n} |")
    print(f"| {len(by_file)} files | {len(table)} functions | {sum(by_file.values())} |")


if __name__ == "__main__":
    main()
