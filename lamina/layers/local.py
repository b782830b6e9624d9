"""Keras 2 module path `keras.layers.local`: a deprecated spelling of `lamina.layers`."""

from lamina.layers.legacy_paths import module_getattr

__getattr__ = module_getattr("lamina.layers.local")
