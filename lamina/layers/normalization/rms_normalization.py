"""RMSNormalization: scale each sample by the reciprocal root mean square of its features."""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.layers.layer import Layer
from lamina.layers.normalization._common import check_axes, normalize_axes


class RMSNormalization(Layer):
    """``x / sqrt(mean(x^2 over axis) + epsilon) * scale``, as ``torch.nn.RMSNorm``.

    Weight: ``scale`` (the normalised axes' shape, initialised to ones).

    Args:
        axis: an integer or a list of integers: the axes to normalise over.
        epsilon: added to the mean square (1e-6 by default, as Keras).

    Example:
        >>> import lamina
        >>> y = lamina.layers.RMSNormalization(epsilon=0.0)(lamina.ops.convert_to_tensor([[3.0, 4.0]]))
        >>> [round(v, 4) for v in y[0].tolist()]
        [0.8485, 1.1314]
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = list(axis)
        elif isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                f"RMSNormalization: axis must be an integer or a list of integers, received axis={axis!r}."
            )
        self.axis = axis
        self.epsilon = float(epsilon)
        self.supports_masking = True

    def _axes_list(self):
        return self.axis if isinstance(self.axis, list) else [self.axis]

    def build(self, input_shape):
        check_axes(self, self._axes_list(), input_shape)
        self._axes = normalize_axes(self._axes_list(), len(input_shape))
        self.scale = self.add_weight(shape=tuple(input_shape[a] for a in self._axes), initializer="ones",
                                     name="scale")

    def call(self, inputs):
        return ops.rms_norm(inputs, self.scale, self._axes, self.epsilon)

    def compute_output_shape(self, input_shape):
        check_axes(self, self._axes_list(), input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
