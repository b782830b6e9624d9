"""Flatten: collapse all non-batch dimensions into one."""

from __future__ import annotations

import math

from lamina import config as _config
from lamina import ops
from lamina.layers.layer import Layer


class Flatten(Layer):
    """Flattens the input to (batch, features). With data_format='channels_first' an NCHW input
    is flattened in channels-last order, as Keras does, so a following Dense is layout-agnostic.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = ops.transpose(inputs, (0,) + tuple(range(2, inputs.ndim)) + (1,))
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        n = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], n)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
