"""Keras 3 on its torch backend: the suite's numeric and file-format reference.

Tests compare lamina with Keras 3 run on torch, whichever backend lamina itself runs on
(``LAMINA_BACKEND=jax`` changes lamina, not the reference). Use the ``keras`` fixture of
tests/conftest.py, or call :func:`keras3` where a fixture does not fit (module level, helpers)."""

from __future__ import annotations

import os
import sys

import pytest


def keras3():
    """Return the ``keras`` module imported on its torch backend, or skip the calling test.

    Keras reads ``KERAS_BACKEND`` once, when it is first imported, so the variable is set to
    ``torch`` only before that import (one set in the shell does not turn the comparisons off). A
    missing Keras skips with ``pytest.importorskip``'s reason; a Keras that something else already
    imported on another backend skips and names that backend. Works at module level too.

    Example:
        keras = keras3()
        keras.layers.Dense(2)
    """
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")
    backend = keras.backend.backend()
    if backend != "torch":
        pytest.skip(f"the Keras reference tests need Keras on torch; this process imported it on {backend}",
                    allow_module_level=True)
    return keras
