"""RandomBrightness: add a random offset to each image during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _image
from lamina.layers.preprocessing._augment import BaseAugmentation


class RandomBrightness(BaseAugmentation):
    """Adds ``d * (max - min)`` to each image, ``d`` uniform in ``factor`` (a number ``f`` means
    ``(-f, f)``), then clips to ``value_range``; only when training.

    Args:
        factor: a number or a (lower, upper) pair in [-1, 1].
        value_range: the (min, max) of pixel values (default (0, 255)).
        seed: an int for reproducible results.

    Example:
        >>> tuple(RandomBrightness(0.2, seed=1)(np.ones((2, 4, 4, 3))).shape)
        (2, 4, 4, 3)
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self._set_factor(factor)
        self.value_range = sorted(_image.value_range_check("RandomBrightness", value_range))

    def augment(self, x):
        d = random.uniform(self._batch_shape(x), self.factor[0], self.factor[1], seed=self.generator)
        d = ops.cast(d * (self.value_range[1] - self.value_range[0]), self.compute_dtype)
        return ops.clip(x + d, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
