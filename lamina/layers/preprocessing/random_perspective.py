"""RandomPerspective: move the four corners of each image randomly during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation
from lamina.layers.preprocessing._utils import check_choice
from lamina.ops import image as image_ops


class RandomPerspective(BaseAugmentation):
    """Warps each image so that its corners (0, 0), (w-1, 0), (0, h-1), (w-1, h-1) move to
    ``corner * (1 + d)``, ``d`` uniform in ``[-scale/2, scale/2]`` per coordinate (Keras 3).
    An image is warped with probability ``p``, ``p`` itself uniform in ``factor``; outside
    points read ``fill_value``. Identity at inference.

    Args:
        factor: a number ``f`` (meaning (0, f)) or a pair in [0, 1] (default 1.0).
        scale: the distortion strength in [0, 1] (default 1.0).
        interpolation: 'bilinear' (default) or 'nearest'.
        fill_value: the value outside the image (default 0).
        data_format: 'channels_last' or 'channels_first'.
        seed: an int for reproducible results.

    Example:
        >>> x = np.random.rand(2, 5, 5, 3)
        >>> bool(np.allclose(np.asarray(RandomPerspective(scale=0.0)(x, training=True)), x, atol=1e-5))
        True
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _color.factor_pair("RandomPerspective", "factor", factor)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0.0 <= scale <= 1.0:
            raise ValueError(f"RandomPerspective: the scale argument should be a number in the range "
                             f"[0, 1]; received scale={scale!r}.")
        self.scale = scale
        self.interpolation = check_choice("RandomPerspective", "interpolation", interpolation,
                                          ("nearest", "bilinear"))
        self.fill_value = fill_value

    def augment(self, x):
        unbatched = len(x.shape) == 3
        y = ops.expand_dims(x, 0) if unbatched else x
        h_axis = self._h_axis(y)
        n, h, w = y.shape[0], y.shape[h_axis], y.shape[h_axis + 1]
        p = random.uniform((n,), self.factor[0], self.factor[1], seed=self.generator)
        apply = ops.less(random.uniform((n,), seed=self.generator), p)
        d = random.uniform((n, 4, 2), -0.5 * self.scale, 0.5 * self.scale, seed=self.generator)
        start = ops.convert_to_tensor([[[0.0, 0.0], [w - 1.0, 0.0], [0.0, h - 1.0], [w - 1.0, h - 1.0]]])
        start = ops.repeat(start, n, axis=0)
        out = image_ops.perspective_transform(y, start, start + start * d, interpolation=self.interpolation,
                                              fill_value=self.fill_value, data_format=self.data_format)
        out = ops.where(ops.reshape(apply, (n, 1, 1, 1)), ops.cast(out, ops.dtype(y)), y)
        return ops.squeeze(out, 0) if unbatched else out

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "interpolation": self.interpolation,
                       "fill_value": self.fill_value})
        return config
