"""RandomContrast: scale each image's deviation from its mean by a random factor."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _image
from lamina.layers.preprocessing._augment import BaseAugmentation


class RandomContrast(BaseAugmentation):
    """Adjusts contrast per image during training: ``(x - mean) * c + mean``, clipped to
    ``value_range``, with ``c`` uniform in ``[1 - lower, 1 + upper]`` and the mean taken over
    height and width per channel.

    ``factor`` follows Keras 3 exactly: a number ``f`` becomes ``(0, f)`` (bounds [0, 1]), so
    ``RandomContrast(0.2)`` draws ``c`` in [1, 1.2]; pass ``(0.2, 0.2)`` for [0.8, 1.2].

    Args:
        factor: a number or a (lower, upper) pair in [0, 1].
        value_range: the (min, max) of pixel values (default (0, 255)).
        seed: an int for reproducible results.

    Example:
        >>> tuple(RandomContrast(0.5, seed=1)(np.ones((2, 4, 4, 3))).shape)
        (2, 4, 4, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self._set_factor(factor)
        self.value_range = _image.value_range_check("RandomContrast", value_range)

    def augment(self, x):
        h = self._h_axis(x)
        c = random.uniform(self._batch_shape(x), 1.0 - self.factor[0], 1.0 + self.factor[1],
                           dtype=self.compute_dtype, seed=self.generator)
        mean = ops.mean(x, axis=(h, h + 1), keepdims=True)
        return ops.clip((x - mean) * c + mean, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
