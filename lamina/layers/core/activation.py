"""Activation: apply an activation function."""

from __future__ import annotations

from lamina import activations
from lamina.layers.layer import Layer
from lamina.layers.output_checks import warn_if_softmax_over_one


class Activation(Layer):
    """Applies an activation function, e.g. ``Activation('relu')``.

    Example:
        >>> import lamina
        >>> lamina.layers.Activation('relu')(lamina.ops.convert_to_tensor([[-1.0, 2.0]])).tolist()
        [[0.0, 2.0]]
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def build(self, input_shape):
        if input_shape:
            warn_if_softmax_over_one(self, self.activation, input_shape[-1], "its last axis")

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
