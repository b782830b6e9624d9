"""``LayerScale``: multiply each channel by a learned factor (ConvNeXt, CaiT)."""

from __future__ import annotations

from lamina import initializers
from lamina.layers.layer import Layer


class LayerScale(Layer):
    """Scales the last axis by a trainable vector ``gamma`` that starts at ``init_values``.

    Keras's ConvNeXt layer of the same name; the weight is named ``gamma`` and has shape
    ``(projection_dim,)``, so Keras's weight files load.

    Args:
        init_values: the initial value of every factor (ConvNeXt uses 1e-6).
        projection_dim: the size of the last axis.

    Example:
        >>> import numpy as np
        >>> from lamina import ops
        >>> ops.convert_to_numpy(LayerScale(0.5, 2)(np.ones((1, 2), "float32")))
        array([[0.5, 0.5]], dtype=float32)
    """

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(self.projection_dim,), name="gamma",
                                     initializer=initializers.Constant(self.init_values), trainable=True)
        self.built = True

    def call(self, x):
        return x * self.gamma

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "init_values": self.init_values, "projection_dim": self.projection_dim}
