"""RandomErasing: fill a random rectangle of random images during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation


def random_boxes(layer, n, height, width, side_ratio_w, side_ratio_h):
    """Keras's boxes: sides ``ratio * size``, left/top uniform in ``[0, size - side)``; returns
    a (n, h, w, 1) or (n, 1, h, w) boolean mask and the boxes' corners."""
    def bounds(size, ratio):
        length = ratio * size
        start = random.uniform((n,), seed=layer.generator) * (size - length)
        return start, start + length

    x0, x1 = bounds(width, side_ratio_w)
    y0, y1 = bounds(height, side_ratio_h)
    gy = ops.reshape(ops.arange(height, dtype="float32"), (1, height, 1))
    gx = ops.reshape(ops.arange(width, dtype="float32"), (1, 1, width))
    col = lambda v: ops.reshape(v, (n, 1, 1))  # noqa: E731
    mask = ops.logical_and(ops.logical_and(ops.greater_equal(gx, col(x0)), ops.less(gx, col(x1))),
                           ops.logical_and(ops.greater_equal(gy, col(y0)), ops.less(gy, col(y1))))
    mask = ops.expand_dims(mask, -1 if layer.data_format == "channels_last" else 1)
    return mask, (x0, x1, y0, y1)


class RandomErasing(BaseAugmentation):
    """Erases a rectangle in each image with probability ``p`` (``p`` uniform in ``factor``):
    its sides are ``sqrt(s) * width`` and ``sqrt(s) * height`` with ``s`` uniform in ``scale``
    (drawn separately for each side, as Keras 3 does), its position uniform. The rectangle is
    filled with ``fill_value`` (a number or one value per channel) or, when None, with Gaussian
    noise times ``value_range[1]``, clipped to ``value_range``. Identity at inference.

    Args:
        factor: a number ``f`` (meaning (0, f)) or a pair in [0, 1] (default 1.0).
        scale: a number or a pair in [0, 1]: the erased fraction of each side, squared
            (default (0.02, 0.33)).
        fill_value: None (noise), a number, or a list of one number per channel.
        value_range: the (min, max) of pixel values (default (0, 255)).
        seed: an int for reproducible results.
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> tuple(RandomErasing(seed=1)(np.random.rand(2, 5, 5, 3), training=True).shape)
        (2, 5, 5, 3)
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _color.factor_pair("RandomErasing", "factor", factor)
        self.scale = _color.factor_pair("RandomErasing", "scale", scale)
        if not (fill_value is None or isinstance(fill_value, (int, float)) and not isinstance(fill_value, bool)
                or isinstance(fill_value, (tuple, list)) and len(fill_value) == 3):
            raise ValueError(f"RandomErasing: the fill_value argument should be None, a number or a list "
                             f"of three numbers; received fill_value={fill_value!r}.")
        self.fill_value = fill_value
        self.value_range = value_range

    def augment(self, x):
        unbatched = len(x.shape) == 3
        y = ops.expand_dims(x, 0) if unbatched else x
        h_axis = self._h_axis(y)
        n, h, w = y.shape[0], y.shape[h_axis], y.shape[h_axis + 1]
        side = ops.sqrt(random.uniform((n, 2), self.scale[0], self.scale[1], seed=self.generator))
        mask, _ = random_boxes(self, n, h, w, side[:, 0], side[:, 1])
        p = random.uniform((n,), self.factor[0], self.factor[1], seed=self.generator)
        apply = ops.reshape(ops.less(random.uniform((n,), seed=self.generator), p), (n, 1, 1, 1))
        if self.fill_value is None:
            fill = random.normal(tuple(y.shape), dtype=self.compute_dtype, seed=self.generator) * self.value_range[1]
        elif isinstance(self.fill_value, (tuple, list)):
            shape = (1, 1, 1, 3) if self.data_format == "channels_last" else (1, 3, 1, 1)
            fill = ops.reshape(ops.convert_to_tensor(list(self.fill_value), dtype=self.compute_dtype), shape)
        else:
            fill = ops.full((1, 1, 1, 1), self.fill_value, dtype=self.compute_dtype)
        fill = ops.clip(fill, self.value_range[0], self.value_range[1])
        out = ops.where(ops.logical_and(apply, mask), fill + ops.zeros_like(y), y)
        return ops.squeeze(out, 0) if unbatched else out

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "fill_value": self.fill_value,
                       "value_range": self.value_range})
        return config
