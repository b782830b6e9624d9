"""CenterCrop: crop the centre of images to a target size (resizing up when they are smaller)."""

from __future__ import annotations

from lamina import config as _config
from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _image


class CenterCrop(Layer):
    """Crops the central ``height`` x ``width`` region of images.

    Images smaller than the target are first resized (bilinear, keeping the aspect ratio by
    cropping, as Keras's ``smart_resize``) so the output always has the target size. Integer
    inputs come back in the compute dtype (float32), as in Keras.

    Args:
        height: output height.
        width: output width.
        data_format: 'channels_last' (default from ``image_data_format``) or 'channels_first'.

    Input shape: (batch, height, width, channels) or one image (height, width, channels).

    Example:
        >>> tuple(CenterCrop(2, 2)(np.ones((1, 4, 4, 3))).shape)
        (1, 2, 2, 3)
    """

    _casts_integer_inputs = False  # integer inputs (images, ids) keep their dtype

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = int(height)
        self.width = int(width)
        self.data_format = _config.standardize_data_format(data_format)

    def call(self, inputs):
        x = ops.cast(inputs, self.compute_dtype)
        h_axis = _image.height_axis(x, self.data_format)
        h, w = x.shape[h_axis], x.shape[h_axis + 1]
        if h >= self.height and w >= self.width:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            return _image.crop(x, h_axis, top, left, self.height, self.width)
        return _image.smart_resize(x, (self.height, self.width), "bilinear", h_axis)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h_axis = len(shape) - 3 if self.data_format == "channels_last" else len(shape) - 2
        shape[h_axis], shape[h_axis + 1] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "height": self.height, "width": self.width})
        return config
