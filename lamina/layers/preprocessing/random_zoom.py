"""RandomZoom: zoom images in or out by a random factor during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._augment import AffineAugmentation


class RandomZoom(AffineAugmentation):
    """Zooms each image about its centre, only when training. A height factor ``f`` draws the
    zoom in ``[1 + lower, 1 + upper]`` (a number ``f`` means (-f, f)); positive values zoom
    out, negative values zoom in. Without ``width_factor`` the aspect ratio is kept.

    Args:
        height_factor: a number or a (lower, upper) pair in [-1, 1].
        width_factor: the same for the width, or None (default: follow the height).
        fill_mode, interpolation, seed, fill_value, data_format: as in RandomRotation.

    Example:
        >>> tuple(RandomZoom(0.2, seed=1)(np.ones((2, 5, 5, 3))).shape)
        (2, 5, 5, 3)
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = self._range(height_factor, "height_factor")
        if width_factor is not None:
            self.width_lower, self.width_upper = self._range(width_factor, "width_factor")

    def augment(self, x):
        b, h, w = self._size(x)
        zy = random.uniform((b,), 1.0 + self.height_lower, 1.0 + self.height_upper, seed=self.generator)
        zx = zy if self.width_factor is None else random.uniform(
            (b,), 1.0 + self.width_lower, 1.0 + self.width_upper, seed=self.generator)
        zero = ops.zeros_like(zx)
        return self._warp(x, ops.stack([zx, zero, (w - 1.0) / 2.0 * (1.0 - zx), zero, zy,
                                        (h - 1.0) / 2.0 * (1.0 - zy), zero, zero], axis=1))

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config
