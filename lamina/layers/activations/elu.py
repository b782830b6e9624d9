"""ELU: exponential linear unit."""

from __future__ import annotations

from lamina import ops
from lamina.layers.layer import Layer


class ELU(Layer):
    """``f(x) = x if x > 0 else alpha * (exp(x) - 1)``.

    Args:
        alpha: scale of the negative part (1.0 by default).

    Example:
        >>> import lamina
        >>> lamina.layers.ELU(alpha=2.0)(lamina.ops.convert_to_tensor([0.0, 1.0])).tolist()
        [0.0, 1.0]
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True

    def call(self, inputs):
        return ops.elu(inputs, self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
