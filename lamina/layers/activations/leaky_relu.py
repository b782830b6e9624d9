"""LeakyReLU: x for x >= 0, negative_slope * x otherwise."""

from __future__ import annotations

from lamina import ops
from lamina.layers.layer import Layer


class LeakyReLU(Layer):
    """``f(x) = x if x >= 0 else negative_slope * x``.

    Args:
        negative_slope: the slope for negative inputs, >= 0 (0.3 by default, as Keras;
            Keras 1/2 spelling: ``alpha``).

    Example:
        >>> import lamina
        >>> lamina.layers.LeakyReLU(0.5)(lamina.ops.convert_to_tensor([-2.0, 3.0])).tolist()
        [-1.0, 3.0]
    """

    _legacy_kwargs = {"alpha": ("negative_slope", None)}

    def __init__(self, negative_slope=0.3, **kwargs):
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                f"LeakyReLU: negative_slope must be a non-negative number, received "
                f"negative_slope={negative_slope!r}. Example: LeakyReLU(negative_slope=0.1)."
            )
        self.negative_slope = negative_slope
        self.supports_masking = True

    def call(self, inputs):
        return ops.leaky_relu(inputs, self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config
