"""RandomInvert: invert a random subset of images during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._augment import BaseAugmentation


class RandomInvert(BaseAugmentation):
    """Replaces images by ``value_range[1] - x``: each image draws a probability ``p`` uniformly
    in ``factor`` and is inverted with probability ``p`` (Keras 3's rule); only when training.

    Args:
        factor: a number ``f`` (meaning (0, f)) or a (lower, upper) pair in [0, 1]. Keras's
            default 1.0 thus inverts about half the images; (1.0, 1.0) inverts every image.
        value_range: the (min, max) of pixel values (default (0, 255)).
        seed: an int for reproducible results.
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> np.asarray(RandomInvert((1.0, 1.0), seed=1)(np.zeros((1, 1, 1, 1)), training=True)).ravel().tolist()
        [255.0]
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range

    def augment(self, x):
        shape = self._batch_shape(x)
        p = random.uniform(shape, self.factor[0], self.factor[1], seed=self.generator)
        apply = ops.less(random.uniform(shape, 0.0, 1.0, seed=self.generator), p)
        return ops.where(apply, self.value_range[1] - x, x)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
