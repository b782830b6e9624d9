"""RandomTranslation: shift images by a random offset during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._augment import AffineAugmentation


class RandomTranslation(AffineAugmentation):
    """Shifts each image by a random fraction of its height and width (a number ``f`` means
    (-f, f)), only when training. Pixels from outside the image follow ``fill_mode``.

    Args:
        height_factor, width_factor: numbers or (lower, upper) pairs in [-1, 1]; a positive
            shift moves the content down / right.
        fill_mode, interpolation, seed, fill_value, data_format: as in RandomRotation.

    Example:
        >>> tuple(RandomTranslation(0.2, 0.2, seed=1)(np.ones((2, 5, 5, 3))).shape)
        (2, 5, 5, 3)
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = self._range(height_factor, "height_factor")
        self.width_lower, self.width_upper = self._range(width_factor, "width_factor")

    def augment(self, x):
        b, h, w = self._size(x)
        dy = random.uniform((b,), self.height_lower, self.height_upper, seed=self.generator) * h
        dx = random.uniform((b,), self.width_lower, self.width_upper, seed=self.generator) * w
        one, zero = ops.ones_like(dx), ops.zeros_like(dx)
        return self._warp(x, ops.stack([one, zero, -dx, zero, one, -dy, zero, zero], axis=1))

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config
