"""Keras 1/2 ``keras.utils.np_utils``: ``from lamina.utils.np_utils import to_categorical``.

Deprecated: import ``to_categorical`` and ``normalize`` from ``lamina.utils``.
"""

from __future__ import annotations

from lamina.errors import deprecated
from lamina.utils import numerical_utils as _numerical


def to_categorical(y, num_classes=None, dtype="float32", nb_classes=None):
    """Deprecated alias of :func:`lamina.utils.to_categorical` (``nb_classes`` is Keras 1)."""
    deprecated("keras.utils.np_utils.to_categorical", "lamina.utils.to_categorical")
    if nb_classes is not None:
        if num_classes is not None:
            raise TypeError("to_categorical got both num_classes and its Keras 1 name nb_classes.")
        deprecated("to_categorical(nb_classes=...)", "to_categorical(num_classes=...)")
        num_classes = nb_classes
    return _numerical.to_categorical(y, num_classes, dtype)


def normalize(x, axis=-1, order=2):
    """Deprecated alias of :func:`lamina.utils.normalize`."""
    deprecated("keras.utils.np_utils.normalize", "lamina.utils.normalize")
    return _numerical.normalize(x, axis, order)
