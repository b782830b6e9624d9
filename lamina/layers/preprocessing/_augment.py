"""The base of the image augmentation layers: the ``factor`` convention, a per-layer
SeedGenerator, and the rule that augmentation happens only when ``training`` is true."""

from __future__ import annotations

from lamina import config as _config
from lamina import ops
from lamina.layers.layer import Layer
from lamina.random import SeedGenerator


class BaseAugmentation(Layer):
    """Random image augmentation: ``augment(x)`` when training, ``inference(x)`` otherwise.

    Inside ``fit`` it augments, inside ``predict``/``evaluate`` it does not. Called directly,
    ``training`` follows lamina's training flag as Dropout does (Keras 3 augments by default
    there): pass ``training=True`` to augment, e.g. in ``dataset.map``.
    Each layer draws from its own ``SeedGenerator(seed)``: the same seed gives the same
    sequence of augmentations.
    """

    _FACTOR_BOUNDS = (-1, 1)

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.data_format = _config.standardize_data_format(data_format)

    def _set_factor(self, factor):
        lo_b, hi_b = self._FACTOR_BOUNDS
        msg = (f"{type(self).__name__}: factor must be a number or a pair of numbers in "
               f"[{lo_b}, {hi_b}]; received factor={factor!r}.")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > hi_b or factor[1] < lo_b:
                raise ValueError(msg)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
            if not lo_b <= factor <= hi_b:
                raise ValueError(msg)
            factor = abs(factor)
            lower, upper = max(-factor, lo_b), factor
        else:
            raise ValueError(msg)
        self.factor = (lower, upper)

    def _batch_shape(self, x):
        return (x.shape[0], 1, 1, 1) if len(x.shape) == 4 else (1, 1, 1)

    def _h_axis(self, x):
        nd = len(x.shape)
        if nd not in (3, 4):
            raise ValueError(f"{type(self).__name__} expects an image (height, width, channels) or a "
                             f"batch of images; received an input of shape {tuple(x.shape)}.")
        return nd - 3 if self.data_format == "channels_last" else nd - 2

    def call(self, inputs, training=True):
        x = ops.cast(inputs, self.compute_dtype)
        return self.augment(x) if training else self.inference(x)

    def _channel_axis(self, x):
        return -1 if self.data_format == "channels_last" else len(x.shape) - 3

    @staticmethod
    def _rescale(x, source, target):
        """Map values linearly from the ``source`` (min, max) range to ``target`` (Keras's
        ``_transform_value_range``); the identity when the ranges are equal."""
        if float(source[0]) == float(target[0]) and float(source[1]) == float(target[1]):
            return x
        return (x - source[0]) / (source[1] - source[0]) * (target[1] - target[0]) + target[0]

    def _per_image(self, values, x):
        """Reshape one value per image to broadcast against ``x`` (batched or not)."""
        return ops.reshape(values, self._batch_shape(x))

    def inference(self, x):
        return x

    def augment(self, x):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "seed": self.seed})
        return config


class AffineAugmentation(BaseAugmentation):
    """Base of the layers that warp images with an affine transform (rotation, zoom,
    translation): fill mode, fill value, interpolation, and the warp itself."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        from lamina.layers.preprocessing import _image
        from lamina.layers.preprocessing._utils import check_choice

        super().__init__(seed=seed, data_format=data_format, **kwargs)
        owner = type(self).__name__
        self.fill_mode = check_choice(owner, "fill_mode", fill_mode, _image.FILL_MODES)
        self.interpolation = check_choice(owner, "interpolation", interpolation, _image.INTERPOLATIONS)
        self.fill_value = fill_value

    def _range(self, factor, arg):
        msg = (f"{type(self).__name__}: {arg} must be a number or a (lower, upper) pair in [-1, 1]; "
               f"received {arg}={factor!r}.")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or not all(-1 <= f <= 1 for f in factor):
                raise ValueError(msg)
            return float(min(factor)), float(max(factor))
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or abs(factor) > 1:
            raise ValueError(msg)
        return -abs(float(factor)), abs(float(factor))

    def _size(self, x):
        h = self._h_axis(x)
        return (x.shape[0] if len(x.shape) == 4 else 1), x.shape[h], x.shape[h + 1]

    def _warp(self, x, transform):
        from lamina.layers.preprocessing import _image

        unbatched = len(x.shape) == 3
        if unbatched:
            x = ops.expand_dims(x, 0)
        out = _image.affine_transform(x, transform, self.interpolation, self.fill_mode, self.fill_value,
                                      h_axis=1 if self.data_format == "channels_last" else 2)
        return ops.squeeze(out, 0) if unbatched else out

    def get_config(self):
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode, "fill_value": self.fill_value,
                       "interpolation": self.interpolation})
        return config
