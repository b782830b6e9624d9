"""The base of the image augmentation layers: the ``factor`` convention, a per-layer
SeedGenerator, and the rule that augmentation happens only when ``training`` is true."""

from __future__ import annotations

from lamina import config as _config
from lamina import ops
from lamina.layers.layer import Layer
from lamina.random import SeedGenerator


class BaseAugmentation(Layer):
    """Random image augmentation: ``augment(x)`` when training, ``inference(x)`` otherwise.

    Called directly a layer augments (``training`` defaults to the module's training flag, as
    Dropout does); inside ``fit`` it augments, inside ``predict``/``evaluate`` it does not.
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
