import pathlib

import numpy as np
import pytest

import lamina


@pytest.fixture(autouse=True)
def _fresh_names():
    """Each test starts with automatic names 'dense', 'dense_1', ... and a fixed seed."""
    lamina.backend.clear_session()
    np.random.seed(0)
    lamina.backend.set_seed(0)
    yield


# ---------------------------------------------------------------------- the JAX run
# `LAMINA_BACKEND=jax python -m pytest` runs the neutral suite on the JAX backend. The tests that
# do not pass there yet are listed, honestly and by node id prefix, in tests/jax_known_failures.txt;
# they run as non-strict xfails, so a fix shows up as XPASS and the list can shrink.
_JAX_KNOWN = pathlib.Path(__file__).with_name("jax_known_failures.txt")


def pytest_collection_modifyitems(config, items):
    if lamina.backend.backend() != "jax":
        return
    prefixes = [line.split("#", 1)[0].strip() for line in _JAX_KNOWN.read_text().splitlines()]
    prefixes = tuple(p for p in prefixes if p)
    mark = pytest.mark.xfail(reason="not yet passing under the JAX backend (tests/jax_known_failures.txt)",
                             strict=False)
    for item in items:
        if item.nodeid.startswith(prefixes):
            item.add_marker(mark)
