"""RandomShear: shear images along x and y by random amounts during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import AffineAugmentation


class RandomShear(AffineAugmentation):
    """Shears each image: output pixel (y, x) reads the input at ``(sy x + y, x + sx y)``, with
    ``sx`` uniform in ``x_factor``, ``sy`` uniform in ``y_factor`` and one random sign for both
    (Keras 3's transform); identity at inference. A number ``f`` means (-f, f).

    Args:
        x_factor: a number or a (lower, upper) pair in [0, 1] (default 0).
        y_factor: a number or a (lower, upper) pair in [0, 1] (default 0).
        interpolation: 'bilinear' (default) or 'nearest'.
        fill_mode: 'reflect' (default), 'wrap', 'constant' or 'nearest'.
        fill_value: the value outside the image with 'constant'.
        data_format: 'channels_last' or 'channels_first'.
        seed: an int for reproducible results.

    Example:
        >>> tuple(RandomShear(0.2, 0.2, seed=1)(np.random.rand(2, 5, 5, 3), training=True).shape)
        (2, 5, 5, 3)
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.x_factor = _color.factor_pair("RandomShear", "x_factor", x_factor, symmetric=True)
        self.y_factor = _color.factor_pair("RandomShear", "y_factor", y_factor, symmetric=True)

    def augment(self, x):
        n = self._size(x)[0]
        sign = ops.where(ops.greater(random.uniform((n,), seed=self.generator), 0.5), -1.0, 1.0)
        sy = random.uniform((n,), self.y_factor[0], self.y_factor[1], seed=self.generator) * sign
        sx = random.uniform((n,), self.x_factor[0], self.x_factor[1], seed=self.generator) * sign
        one, zero = ops.ones((n,)), ops.zeros((n,))
        return self._warp(x, ops.stack([one, sx, zero, sy, one, zero, zero, zero], axis=1))

    def get_config(self):
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor})
        return config
