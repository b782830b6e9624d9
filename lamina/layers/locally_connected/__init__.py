"""Keras 2's locally-connected layers (convolutions with unshared weights).

Import them from ``lamina.layers``; Keras 2's path ``lamina.layers.local`` also works.
"""
