"""Normalization layers (BatchNormalization, LayerNormalization, ...). Import them from
``lamina.layers``; ``lamina.layers.normalization`` is also the Keras 1/2 module path, kept as a
deprecated spelling."""

from lamina.layers.legacy_paths import module_getattr

__getattr__ = module_getattr("lamina.layers.normalization")
