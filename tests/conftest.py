import numpy as np
import pytest


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
