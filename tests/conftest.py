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
