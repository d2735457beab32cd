import os
import sys

import numpy as np
import pytest

# Under `mutmut run`, its statistics pass marks this process "stats" (README, "Mutation
# testing"). A tinynet that a test starts as a subprocess would inherit the mark and try to
# record its calls from a folder without mutmut's configuration; it runs the plain code
# instead (this process keeps the mark). While a mutant is tested, subprocesses run it too.
if "MUTANT_UNDER_TEST" in os.environ:
    # mutmut calls every tinynet function through a trampoline of its own: a frame a
    # teaching warning must look past to find the test's line, as it looks past tinynet's
    from tinynet import warn

    warn.INTERNAL_MODULES.append("mutmut.")
if os.environ.get("MUTANT_UNDER_TEST") == "stats":
    del os.environ["MUTANT_UNDER_TEST"]


@pytest.fixture(autouse=True)
def _registry_restored():
    """Optimizers a test registers (a README block, an --import) leave with the test."""
    from tinynet.optimizers import registry

    saved = dict(registry._REGISTRY)
    yield
    registry._REGISTRY.clear()
    registry._REGISTRY.update(saved)


@pytest.fixture(autouse=True)
def _no_worker_processes_kept():
    """joblib keeps its worker processes for the next call. After each test they are
    stopped: none is left behind, and a process forked later (mutmut tests every mutant in a
    fork of the process that ran the tests first) starts its own instead of waiting forever
    on its parent's."""
    yield
    reusable = sys.modules.get("joblib.externals.loky.reusable_executor")
    if reusable is not None and reusable._executor is not None:
        reusable._executor.shutdown(wait=True)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def digits():
    import tinynet as tn

    return tn.datasets.load("digits", test_size=0.2, seed=0)


@pytest.fixture(scope="session")
def moons():
    import tinynet as tn

    return tn.datasets.load("moons", test_size=0.2, seed=0)


@pytest.fixture
def assert_figure():
    """Check that a PNG is a real figure: it decodes, is of a plotted size, and has drawn
    content (many colours, a fair share of non-white pixels), not a blank or tiny image."""
    def check(path, min_size=(300, 400)):
        import matplotlib.image

        image = matplotlib.image.imread(str(path))
        height, width = image.shape[:2]
        assert height >= min_size[0] and width >= min_size[1], (path, image.shape)
        rgb = image[..., :3].reshape(-1, 3)
        inked = np.mean(np.any(rgb < 0.9, axis=1))
        colours = len(np.unique((rgb * 255).astype(np.uint8), axis=0))
        assert inked > 0.02 and colours > 20, (path, inked, colours)
    return check
