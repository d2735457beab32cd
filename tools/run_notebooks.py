"""Execute the notebooks in examples/notebooks, top to bottom, each in a fresh kernel.

    python tools/run_notebooks.py           # run them all and save them with their outputs
    python tools/run_notebooks.py 02        # only those whose name contains "02"

The committed notebooks carry their outputs, so they read on a code host without running;
tests/test_notebooks.py executes each into a temporary folder and checks that its printed
outputs still match the committed ones.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "examples" / "notebooks"


def execute(path: Path, timeout: int = 120):
    """The notebook at ``path``, executed in a fresh kernel started in its folder, with this
    tree's tinynet first on the path. A failing cell raises nbclient's CellExecutionError."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    os.environ.setdefault("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def main() -> None:
    import nbformat

    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        if sys.argv[1:] and not any(arg in path.name for arg in sys.argv[1:]):
            continue
        nbformat.write(execute(path), path)
        print("executed", path.relative_to(ROOT))


if __name__ == "__main__":
    main()
