"""Resizing: resize images to a target height and width."""

from __future__ import annotations

from lamina import config as _config
from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _image
from lamina.layers.preprocessing._utils import check_choice


class Resizing(Layer):
    """Resizes images to ``(height, width)``.

    Bilinear resizing uses half-pixel centres without antialiasing (torch's
    ``interpolate(align_corners=False)``, which is what Keras 3 computes); 'nearest' picks the
    pixel whose centre is nearest ('nearest-exact'). ``crop_to_aspect_ratio`` first crops the
    centre to the target's aspect ratio; ``pad_to_aspect_ratio`` pads with ``fill_value``
    instead. Integer images are resized in float32 and rounded back to their dtype.

    Args:
        height, width: output size.
        interpolation: 'bilinear' (default) or 'nearest'.
        crop_to_aspect_ratio: crop instead of distorting (default False).
        pad_to_aspect_ratio: pad instead of distorting (default False).
        fill_mode: only 'constant' (the padding value is ``fill_value``).
        fill_value: padding value (default 0.0).
        antialias: only False (lamina does not antialias; raise an error otherwise).
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> tuple(Resizing(2, 3)(np.ones((1, 4, 4, 1))).shape)
        (1, 2, 3, 1)
    """

    _casts_integer_inputs = False  # integer inputs (images, ids) keep their dtype

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = int(height), int(width)
        self.interpolation = check_choice("Resizing", "interpolation", interpolation, _image.INTERPOLATIONS)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be "
                             "True; received both. Pick one.")
        check_choice("Resizing", "fill_mode", fill_mode, ("constant",))
        if antialias:
            raise ValueError("Resizing: antialias=True is not supported by lamina; received "
                             "antialias=True. Use antialias=False (Keras's default).")
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.data_format = _config.standardize_data_format(data_format)

    def call(self, inputs):
        in_dtype = ops.dtype(inputs)
        x = inputs if ops.is_float_dtype(in_dtype) else ops.cast(inputs, "float32")
        h_axis = _image.height_axis(x, self.data_format)
        size = (self.height, self.width)
        if self.crop_to_aspect_ratio:
            top, left, ch, cw = _image.aspect_crop_box(x.shape[h_axis], x.shape[h_axis + 1], *size)
            x = _image.crop(x, h_axis, top, left, ch, cw)
        elif self.pad_to_aspect_ratio:
            x = _image.pad_to_aspect(x, size, self.fill_value, h_axis)
        out = _image.resize(x, size, self.interpolation, h_axis)
        if not ops.is_float_dtype(in_dtype):
            info = {"uint8": (0, 255), "int8": (-128, 127), "int16": (-32768, 32767)}.get(in_dtype)
            out = ops.round(out)
            if info:
                out = ops.clip(out, *info)
            out = ops.cast(out, in_dtype)
        return out

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h_axis = len(shape) - 3 if self.data_format == "channels_last" else len(shape) - 2
        shape[h_axis], shape[h_axis + 1] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "height": self.height, "width": self.width,
                       "interpolation": self.interpolation,
                       "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                       "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                       "fill_value": self.fill_value, "antialias": self.antialias})
        return config
