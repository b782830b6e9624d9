"""UnitNormalization: scale each sample to unit L2 norm."""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.layers.layer import Layer
from lamina.layers.normalization._common import check_axes


class UnitNormalization(Layer):
    """Divides each sample by its L2 norm over ``axis`` (``x / max(||x||, 1e-12)``).

    Args:
        axis: an integer or a list of integers: the axes the norm is taken over.

    Example:
        >>> import lamina
        >>> lamina.layers.UnitNormalization()(lamina.ops.convert_to_tensor([[3.0, 4.0]])).tolist()
        [[0.6000000238418579, 0.800000011920929]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = list(axis)
        elif isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                f"UnitNormalization: axis must be an integer or a list of integers, received axis={axis!r}."
            )
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs):
        return ops.l2_normalize(inputs, self.axis, 1e-12)

    def compute_output_shape(self, input_shape):
        check_axes(self, self.axis if isinstance(self.axis, list) else [self.axis], input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
