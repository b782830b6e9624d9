"""RandomRotation: rotate images by a random angle during training."""

from __future__ import annotations

import math

from lamina import ops, random
from lamina.layers.preprocessing._augment import AffineAugmentation


def rotation_transforms(angle_deg, height, width):
    """Keras's 8-parameter transforms rotating about the image centre by ``angle_deg``
    (a (batch,) tensor of degrees)."""
    theta = angle_deg * (math.pi / 180.0)
    cos, sin = ops.cos(theta), ops.sin(theta)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    a0, a1, b0, b1 = cos, -sin, sin, cos
    a2 = cx - cx * a0 - cy * a1
    b2 = cy - cx * b0 - cy * b1
    zero = ops.zeros_like(cos)
    return ops.stack([a0, a1, a2, b0, b1, b2, zero, zero], axis=1)


class RandomRotation(AffineAugmentation):
    """Rotates each image by an angle drawn uniformly from ``factor * 360`` degrees (a number
    ``f`` means (-f, f)), about the centre, only when training. Pixels from outside the image
    follow ``fill_mode``.

    Args:
        factor: a number or a (lower, upper) pair: fractions of a full turn.
        fill_mode: 'reflect' (default), 'wrap', 'constant' or 'nearest'.
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: an int for reproducible rotations.
        fill_value: the value outside the image for fill_mode='constant'.
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> tuple(RandomRotation(0.1, seed=1)(np.ones((2, 5, 5, 3))).shape)
        (2, 5, 5, 3)
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self._set_factor(factor)

    def augment(self, x):
        b, h, w = self._size(x)
        angle = random.uniform((b,), self.factor[0] * 360.0, self.factor[1] * 360.0, seed=self.generator)
        return self._warp(x, rotation_transforms(angle, h, w))

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config
