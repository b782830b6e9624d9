"""Keras 2 module path `keras.engine.input_layer`: deprecated, see `lamina.engine`."""

from lamina.engine import ENGINE_NAMES
from lamina.utils.legacy_module import reexport

__getattr__, __dir__ = reexport("lamina.engine.input_layer", ENGINE_NAMES)
