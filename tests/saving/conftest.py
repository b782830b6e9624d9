"""Fixtures for the saving tests."""

from __future__ import annotations

import numpy as np
import pytest

from saving_helpers import fixture_path


@pytest.fixture(scope="session")
def reference():
    return dict(np.load(fixture_path("reference.npz")))


def pytest_configure(config):
    # Keras 3.15.1 (the reference) warns about itself under NumPy 2 and when it finds no
    # optimizer state in a weights file; neither is about lamina.
    config.addinivalue_line("filterwarnings", "ignore:__array__ implementation doesn't accept a copy keyword")
    config.addinivalue_line("filterwarnings", "ignore:Skipping variable loading for optimizer:UserWarning")
