"""``StochasticDepth``: drop a whole residual branch per sample during training (Huang et al., 2016)."""

from __future__ import annotations

from lamina import ops
from lamina import random as _random
from lamina.layers.layer import Layer


class StochasticDepth(Layer):
    """In training, zeroes the input for a random ``drop_path_rate`` fraction of the samples and
    scales the rest by ``1 / (1 - drop_path_rate)``; at inference, the identity.

    Args:
        drop_path_rate: the probability of dropping a sample's branch, in [0, 1).

    Example:
        >>> import numpy as np
        >>> from lamina import ops
        >>> ops.convert_to_numpy(StochasticDepth(0.5)(np.ones((2, 3), "float32")))  # inference: identity
        array([[1., 1., 1.],
               [1., 1., 1.]], dtype=float32)
    """

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= drop_path_rate < 1:
            raise ValueError(f"StochasticDepth: drop_path_rate must be in [0, 1). Received: {drop_path_rate!r}")
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training or self.drop_path_rate == 0:
            return x
        keep = 1.0 - self.drop_path_rate
        shape = (ops.shape(x)[0],) + (1,) * (len(x.shape) - 1)
        mask = ops.floor(keep + _random.uniform(shape, 0.0, 1.0, dtype=x.dtype))
        return x / keep * mask

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}
