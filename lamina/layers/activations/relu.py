"""ReLU: rectified linear unit with Keras's optional cap, slope and threshold."""

from __future__ import annotations

from lamina import activations
from lamina.layers.layer import Layer


class ReLU(Layer):
    """``f(x) = min(x, max_value)`` for ``x >= threshold``, else
    ``negative_slope * (x - threshold)``.

    Args:
        max_value: cap on the output (None: no cap); must be >= 0.
        negative_slope: slope below the threshold; must be >= 0.
        threshold: where the slope changes; must be >= 0.

    Example:
        >>> import lamina
        >>> lamina.layers.ReLU(max_value=1.0)(lamina.ops.convert_to_tensor([-1.0, 0.5, 3.0])).tolist()
        [0.0, 0.5, 1.0]
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, value, allow_none in (("max_value", max_value, True),
                                        ("negative_slope", negative_slope, False),
                                        ("threshold", threshold, False)):
            if (value is None and not allow_none) or (value is not None and value < 0):
                raise ValueError(
                    f"ReLU: {name} must be a non-negative number, received {name}={value!r}."
                )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                                threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config
