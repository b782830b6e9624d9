"""The bad-input tests, run under JAX from a torch (default) run (slow: a JAX subprocess).

Under JAX fit/evaluate/predict are compiled, so a user error must still come out as lamina's
message at build or trace time (or from the host checks before a step), never as an XLA trace:
the same files pass under both backends.
"""

import pytest

pytest.importorskip("jax")

from tests.backend.jax._subprocess import run  # noqa: E402

pytestmark = pytest.mark.slow
FILES = ["tests/training/test_bad_inputs.py", "tests/models/test_input_rank.py",
         "tests/layers/core/test_embedding_bad_ids.py", "tests/layers/test_data_dependent_shape_errors.py"]


def test_the_bad_input_tests_pass_under_jax():
    code = ("import sys, pytest; rc = pytest.main(['-q', '-o', 'addopts=', '-p', 'no:cacheprovider', "
            f"*{FILES!r}]); print('{{\"rc\": %d}}' % rc)")
    assert run("jax", code, timeout=1800) == {"rc": 0}
