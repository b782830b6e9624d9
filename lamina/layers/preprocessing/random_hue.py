"""RandomHue: rotate the hue of each image by a random amount during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation
from lamina.ops import image as image_ops


class RandomHue(BaseAugmentation):
    """Shifts the hue of each RGB image by ``±f / 2`` of a full turn, ``f`` uniform in ``factor``
    and the sign a coin flip, as Keras 3 does; identity at inference.

    Images are mapped from ``value_range`` to [0, 1], converted to HSV, the hue is shifted and
    wrapped into [0, 1], and the result is converted back, clipped and mapped to ``value_range``.
    ``factor=(0.5, 0.5)`` pins the shift to a quarter turn (its sign stays random).

    Args:
        factor: a number ``f`` (meaning (0, f)) or a (lower, upper) pair in [0, 1].
        value_range: the (min, max) of pixel values (default (0, 255)).
        data_format: 'channels_last' or 'channels_first'.
        seed: an int for reproducible results.

    Example:
        >>> tuple(RandomHue(0.5, seed=1)(np.random.rand(2, 4, 4, 3) * 255, training=True).shape)
        (2, 4, 4, 3)
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _color.factor_pair("RandomHue", "factor", factor)
        self.value_range = value_range

    def _shift(self, n):
        sign = ops.where(ops.greater(random.uniform((n,), seed=self.generator), 0.5), -1.0, 1.0)
        amount = random.uniform((n,), self.factor[0], self.factor[1], seed=self.generator)
        return ops.cast(sign * amount * 0.5, self.compute_dtype)

    def augment(self, x):
        n = x.shape[0] if len(x.shape) == 4 else 1
        return self.apply_shift(x, self._shift(n))

    def apply_shift(self, x, shift):
        """Shift the hue of ``x`` by ``shift`` turns (one value per image)."""
        x = self._rescale(x, self.value_range, (0, 1))
        hsv = image_ops.rgb_to_hsv(x, data_format=self.data_format)
        c = self._channel_axis(x)
        h, s, v = (ops.take(hsv, i, axis=c) for i in range(3))
        h = h + ops.reshape(shift, self._batch_shape(x)[:-1])
        h = ops.where(ops.greater(h, 1.0), h - 1.0, h)
        h = ops.where(ops.less(h, 0.0), h + 1.0, h)
        out = image_ops.hsv_to_rgb(ops.stack([h, s, v], axis=c), data_format=self.data_format)
        return self._rescale(ops.clip(out, 0.0, 1.0), (0, 1), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
