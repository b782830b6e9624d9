"""RandomColorDegeneration: blend each image towards its greyscale version during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation
from lamina.ops import image as image_ops


class RandomColorDegeneration(BaseAugmentation):
    """``x + f * (grey(x) - x)``, clipped to ``value_range``, with ``f`` uniform in ``factor``
    per image (Keras 3); identity at inference. A number ``f`` means (-f, f).

    Args:
        factor: a number or a (lower, upper) pair in [-1, 1].
        value_range: the (min, max) of pixel values (default (0, 255)).
        data_format: 'channels_last' or 'channels_first'.
        seed: an int for reproducible results.

    Example:
        >>> out = np.asarray(RandomColorDegeneration((1.0, 1.0))(np.random.rand(1, 2, 2, 3), training=True))
        >>> bool(np.allclose(out[..., 0], out[..., 2]))
        True
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _color.factor_pair("RandomColorDegeneration", "factor", factor, bounds=(-1, 1))
        self.value_range = _color.value_range("RandomColorDegeneration", value_range)

    def augment(self, x):
        f = random.uniform(self._batch_shape(x), self.factor[0], self.factor[1], seed=self.generator)
        grey = image_ops.rgb_to_grayscale(x, data_format=self.data_format)
        out = x + ops.cast(f, self.compute_dtype) * (grey - x)
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config
