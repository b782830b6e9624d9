"""AutoContrast: stretch each image's values to the full value range."""

from __future__ import annotations

from lamina import config as _config
from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _image


class AutoContrast(Layer):
    """Rescales each image (per channel) so its darkest value maps to the range's minimum and its
    brightest to the maximum. Deterministic: applied in training and inference, as in Keras.
    Constant channels (max == min) are left unchanged.

    Args:
        value_range: the (min, max) of pixel values (default (0, 255)).

    Example:
        >>> np.asarray(AutoContrast()(np.array([[[[10.0]], [[20.0]]]]))).ravel().tolist()
        [0.0, 255.0]
    """

    def __init__(self, value_range=(0, 255), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _config.standardize_data_format(data_format)
        self.value_range = sorted(_image.value_range_check("AutoContrast", value_range))

    def call(self, inputs):
        lo_r, hi_r = self.value_range
        x = ops.cast(inputs, self.compute_dtype)
        images = (x - lo_r) / (hi_r - lo_r) * 255.0
        h = len(x.shape) - (3 if self.data_format == "channels_last" else 2)
        axes = (h, h + 1)
        low = ops.min(images, axis=axes, keepdims=True)
        high = ops.max(images, axis=axes, keepdims=True)
        scale = 255.0 / (high - low)
        out = ops.clip(images * scale - low * scale, 0.0, 255.0)
        out = out / 255.0 * (hi_r - lo_r) + lo_r
        return ops.where(ops.isnan(out), x, out)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "value_range": self.value_range})
        return config
