"""Keras 2 module path `keras.layers.convolutional_recurrent`: a deprecated spelling of `lamina.layers`."""

from lamina.layers.legacy_paths import module_getattr

__getattr__ = module_getattr("lamina.layers.convolutional_recurrent")
