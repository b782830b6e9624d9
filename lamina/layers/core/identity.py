"""Identity: a layer that returns its inputs unchanged."""

from __future__ import annotations

from lamina.layers.layer import Layer


class Identity(Layer):
    """Returns its inputs (any structure) unchanged; a placeholder where a layer is expected.

    Masks pass through. It has no weights and no arguments besides the Layer base's.

    Example:
        >>> import lamina
        >>> lamina.layers.Identity()(lamina.ops.ones((1, 2))).tolist()
        [[1.0, 1.0]]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
