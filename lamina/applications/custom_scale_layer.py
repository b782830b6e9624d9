"""``CustomScaleLayer``: ``inputs[0] + inputs[1] * scale``, the residual link of InceptionResNetV2."""

from __future__ import annotations

from lamina.layers.layer import Layer


class CustomScaleLayer(Layer):
    """Adds a scaled residual: ``x + up * scale`` for ``inputs = [x, up]`` (Keras's layer of that name).

    Args:
        scale: the factor on the residual branch (0.17, 0.1 or 0.2 in InceptionResNetV2).

    Example:
        >>> import numpy as np
        >>> from lamina import ops
        >>> ops.convert_to_numpy(CustomScaleLayer(0.5)([np.ones((1, 2), "float32"), np.ones((1, 2), "float32")]))
        array([[1.5, 1.5]], dtype=float32)
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
