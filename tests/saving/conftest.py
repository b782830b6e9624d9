"""Fixtures for the saving tests."""

from __future__ import annotations

import os

import numpy as np
import pytest

from saving_helpers import fixture_path


@pytest.fixture(scope="session")
def reference():
    return dict(np.load(fixture_path("reference.npz")))


@pytest.fixture(scope="session")
def keras():
    """Keras 3 on the torch backend, as a numeric and format reference."""
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras")
