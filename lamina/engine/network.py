"""Keras 2 module path `keras.engine.network`: deprecated, see `lamina.engine`."""

from lamina.engine import ENGINE_NAMES
from lamina.utils.legacy_module import reexport

__getattr__, __dir__ = reexport("lamina.engine.network", ENGINE_NAMES)
