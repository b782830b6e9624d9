"""RandomPosterization: keep only a random number of bits per colour channel during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation


class RandomPosterization(BaseAugmentation):
    """Reduces each image to ``b`` bits per channel: values (mapped to [0, 255] and truncated to
    integers) keep their top ``b`` bits, as Keras 3 does. ``b`` is drawn per image from
    ``[lower, upper)`` (Keras draws with an exclusive upper bound), or is ``lower`` when both
    are equal. Identity at inference.

    Args:
        factor: an int ``f`` in [1, 8] (meaning (1, f)) or a (lower, upper) pair of ints.
        value_range: the (min, max) of pixel values (default (0, 255)).
        data_format: 'channels_last' or 'channels_first'.
        seed: an int for reproducible results.

    Example:
        >>> np.asarray(RandomPosterization((1, 1))(np.full((1, 1, 1, 3), 200.0), training=True)).ravel().tolist()
        [128.0, 128.0, 128.0]
    """

    _MAX_FACTOR = 8

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _color.factor_pair("RandomPosterization", "factor", factor, bounds=(1, 8))
        self.value_range = _color.value_range("RandomPosterization", value_range)

    def augment(self, x):
        n = x.shape[0] if len(x.shape) == 4 else 1
        if self.factor[0] != self.factor[1]:
            bits = random.randint((n,), int(self.factor[0]), int(self.factor[1]), seed=self.generator)
        else:
            bits = ops.full((n,), int(self.factor[0]), dtype="int32")
        step = ops.reshape(ops.power(2.0, ops.cast(self._MAX_FACTOR - bits, "float32")), self._batch_shape(x))
        step = ops.cast(step, self.compute_dtype)
        v = ops.floor(self._rescale(x, self.value_range, (0, 255)))  # Keras casts to uint8
        v = ops.floor(v / step) * step  # (v >> s) << s
        return self._rescale(v, (0, 255), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
