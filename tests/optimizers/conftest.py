import pytest

import lamina


@pytest.fixture(autouse=True)
def _fresh_names():
    """Automatic optimizer names start again from 'adam', 'sgd', ... in every test."""
    lamina.backend.clear_session()
    yield
