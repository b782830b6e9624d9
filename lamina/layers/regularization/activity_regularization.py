"""ActivityRegularization: add an L1/L2 penalty on the activations to the loss."""

from __future__ import annotations

from lamina import regularizers
from lamina.layers.layer import Layer


class ActivityRegularization(Layer):
    """Returns its inputs unchanged and, on each call, adds
    ``(l1 * sum(|x|) + l2 * sum(x^2)) / batch_size`` to ``layer.losses`` (which ``fit`` adds
    to the training loss). The division by the batch size is Keras's.

    Args:
        l1: L1 factor (>= 0).
        l2: L2 factor (>= 0).

    Example:
        >>> import lamina
        >>> layer = lamina.layers.ActivityRegularization(l1=0.5)
        >>> _ = layer(lamina.ops.convert_to_tensor([[1.0, -3.0], [0.0, 2.0]]))
        >>> float(layer.losses[0])
        1.5
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(**kwargs)
        self._penalty = regularizers.L1L2(l1=l1, l2=l2)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True

    def call(self, inputs):
        if self.l1 or self.l2:
            batch = inputs.shape[0] if inputs.ndim > 0 else 1
            loss = self._penalty(inputs)
            self.add_loss(loss / batch if batch else loss * 0.0)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"l1": self.l1, "l2": self.l2})
        return config
