"""Pooling layers. Import them from ``lamina.layers``; ``lamina.layers.pooling`` is also a Keras 1
module path, kept as a deprecated spelling."""

from lamina.layers.legacy_paths import module_getattr

__getattr__ = module_getattr("lamina.layers.pooling")
