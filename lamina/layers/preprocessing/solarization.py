"""Solarization: invert the pixels above a threshold (after a random addition) during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation


class Solarization(BaseAugmentation):
    """Keras 3's solarization: on the [0, 255] scale, ``y = clip(x + a, 0, 255)`` and pixels with
    ``y >= t`` become ``255 - y``. ``a`` is uniform in ``[lower, upper * 255]`` of
    ``addition_factor`` and ``t`` likewise of ``threshold_factor``, one pair per image. With the
    defaults (both 0) every pixel is inverted. Like Keras, it acts only when training
    (identity at inference).

    Args:
        addition_factor: a number ``f`` (meaning (0, f)) or a pair in [0, 1] (default 0).
        threshold_factor: a number ``f`` (meaning (0, f)) or a pair in [0, 1] (default 0).
        value_range: the (min, max) of pixel values (default (0, 255)).
        seed: an int for reproducible results.

    Example:
        >>> np.asarray(Solarization()(np.array([[[[0.0, 55.0, 255.0]]]]), training=True)).ravel().tolist()
        [255.0, 200.0, 0.0]
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.addition_factor = _color.factor_pair("Solarization", "addition_factor", addition_factor)
        self.threshold_factor = _color.factor_pair("Solarization", "threshold_factor", threshold_factor)
        self.value_range = _color.value_range("Solarization", value_range)

    def augment(self, x):
        shape, dtype = self._batch_shape(x), self.compute_dtype
        add = random.uniform(shape, self.addition_factor[0], self.addition_factor[1] * 255,
                             dtype=dtype, seed=self.generator)
        threshold = random.uniform(shape, self.threshold_factor[0], self.threshold_factor[1] * 255,
                                   dtype=dtype, seed=self.generator)
        y = ops.clip(self._rescale(x, self.value_range, (0, 255)) + add, 0.0, 255.0)
        y = ops.where(ops.less(y, threshold), y, 255.0 - y)
        return self._rescale(y, (0, 255), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "addition_factor": self.addition_factor,
                       "threshold_factor": self.threshold_factor})
        return config
