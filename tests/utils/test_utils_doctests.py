"""The examples in the utils and progress-bar docstrings run."""

import doctest

import numpy as np
import pytest

from lamina.callbacks import progbar_logger
from lamina.datasets import digits
from lamina.utils import numerical_utils, py_dataset, rng_utils, sequence_utils


@pytest.mark.parametrize("module", [numerical_utils, py_dataset, rng_utils, sequence_utils,
                                    progbar_logger, digits])
def test_docstring_examples(module):
    result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
