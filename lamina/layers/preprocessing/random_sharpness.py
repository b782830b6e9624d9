"""RandomSharpness: sharpen or soften each image by a random amount during training."""

from __future__ import annotations

import numpy as np

from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation


class RandomSharpness(BaseAugmentation):
    """Blends each image with a 3x3 smoothed copy (kernel [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13,
    zero padding): ``x + (1 - 2f) * (smooth(x) - x)``, ``f`` uniform in ``factor``, clipped to
    ``value_range`` (Keras 3). ``f = 0.5`` keeps the image, below softens, above sharpens.
    Identity at inference.

    Args:
        factor: a number ``f`` (meaning (0, f)) or a (lower, upper) pair in [0, 1].
        value_range: the (min, max) of pixel values (default (0, 255)).
        data_format: 'channels_last' or 'channels_first'.
        seed: an int for reproducible results.

    Example:
        >>> x = np.random.rand(1, 4, 4, 3) * 255
        >>> bool(np.allclose(np.asarray(RandomSharpness((0.5, 0.5))(x, training=True)), x, atol=1e-4))
        True
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _color.factor_pair("RandomSharpness", "factor", factor)
        self.value_range = _color.value_range("RandomSharpness", value_range)

    def augment(self, x):
        f = random.uniform(self._batch_shape(x), self.factor[0], self.factor[1], seed=self.generator)
        s = ops.cast(f * 2.0, self.compute_dtype)
        unbatched = len(x.shape) == 3
        y = ops.expand_dims(x, 0) if unbatched else x
        c = y.shape[-1] if self.data_format == "channels_last" else y.shape[1]
        k = np.full((3, 3), 1.0 / 13.0, "float32")
        k[1, 1] = 5.0 / 13.0
        kernel = ops.cast(ops.convert_to_tensor(np.tile(k[:, :, None, None], (1, 1, c, 1))), self.compute_dtype)
        smooth = ops.depthwise_conv(y, kernel, strides=1, padding="same", data_format=self.data_format)
        smooth = ops.squeeze(smooth, 0) if unbatched else smooth
        return ops.clip(x + (1.0 - s) * (smooth - x), self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
