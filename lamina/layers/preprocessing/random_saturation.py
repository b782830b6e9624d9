"""RandomSaturation: scale the saturation of each image by a random factor during training."""

from __future__ import annotations

from lamina import config as _config
from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation
from lamina.ops import image as image_ops


class RandomSaturation(BaseAugmentation):
    """Multiplies the HSV saturation of each RGB image by ``f / (1 - f)``, ``f`` uniform in
    ``factor``, clipped to ``value_range``, as Keras 3 does; identity at inference.

    ``f = 0.5`` keeps the image, ``f = 0`` makes it grey, ``f = 1`` fully saturates it; a
    number ``f`` means the range (-f, f) (Keras's convention: negative draws give grey).

    Args:
        factor: a number or a (lower, upper) pair in [-1, 1] (use [0, 1]).
        value_range: the (min, max) of pixel values (default (0, 255)).
        data_format: 'channels_last' or 'channels_first'.
        seed: an int for reproducible results.

    Example:
        >>> out = RandomSaturation((0.0, 0.0))(np.random.rand(1, 2, 2, 3), training=True)
        >>> bool(np.allclose(np.asarray(out)[..., 0], np.asarray(out)[..., 1]))
        True
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _color.factor_pair("RandomSaturation", "factor", factor, bounds=(-1, 1))
        self.value_range = _color.value_range("RandomSaturation", value_range)

    def augment(self, x):
        n = x.shape[0] if len(x.shape) == 4 else 1
        f = random.uniform((n,), self.factor[0], self.factor[1], seed=self.generator)
        f = ops.cast(f / (1.0 - f + _config.epsilon()), self.compute_dtype)
        hsv = image_ops.rgb_to_hsv(x, data_format=self.data_format)
        c = self._channel_axis(x)
        h, s, v = (ops.take(hsv, i, axis=c) for i in range(3))
        s = ops.clip(s * ops.reshape(f, self._batch_shape(x)[:-1]), self.value_range[0], self.value_range[1])
        return image_ops.hsv_to_rgb(ops.stack([h, s, v], axis=c), data_format=self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
