"""Rescaling: multiply inputs by ``scale`` and add ``offset``."""

from __future__ import annotations

import numpy as np

from lamina import config as _config
from lamina import ops
from lamina.layers.layer import Layer


class Rescaling(Layer):
    """Rescales inputs: ``x * scale + offset``, in the layer's compute dtype.

    Integer images become floats, e.g. ``Rescaling(1/255)`` maps [0, 255] to [0, 1] and
    ``Rescaling(1/127.5, offset=-1)`` maps it to [-1, 1]. A per-channel ``scale`` (a list) follows
    ``image_data_format``.

    Args:
        scale: a float or a list of floats (one per channel).
        offset: a float added after scaling (default 0.0).

    Example:
        >>> float(Rescaling(1 / 255)(np.array([255.0]))[0])
        1.0
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        dtype = self.compute_dtype
        scale = np.asarray(self.scale, dtype=dtype)
        if scale.ndim > 0 and _config.image_data_format() == "channels_first":
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
        scale = ops.convert_to_tensor(scale) if scale.ndim else float(scale)
        offset = np.asarray(self.offset, dtype=dtype)
        offset = ops.convert_to_tensor(offset) if offset.ndim else float(offset)
        return ops.cast(inputs, dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": _plain(self.scale), "offset": _plain(self.offset)})
        return config


def _plain(v):
    return np.asarray(v).tolist() if isinstance(v, (np.ndarray, np.generic)) else v
