"""Equalization: histogram-equalize each colour channel (Keras 3's algorithm)."""

from __future__ import annotations

from lamina import ops
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation


class Equalization(BaseAugmentation):
    """Histogram equalization per channel, as Keras 3 computes it: values on the [0, 255] scale
    fall in ``bins`` bins (``int(v * (bins - 1) / 255)``); the cumulative histogram, shifted by
    its first non-zero count and scaled to 255 and rounded, is the lookup table; a channel
    whose values fill at most one bin is left unchanged. Keras counts the histogram over the
    whole batch for each channel (not per image), and so does lamina. Like Keras, it acts only
    when training (identity at inference).

    Args:
        value_range: the (min, max) of pixel values (default (0, 255)).
        bins: the number of histogram bins (default 256).
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> np.asarray(Equalization()(np.array([[[[10.0]], [[20.0]], [[30.0]]]]), training=True)).ravel().tolist()
        [0.0, 128.0, 255.0]
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
            raise ValueError(f"Equalization: bins must be an int >= 2; received bins={bins!r}.")
        self.bins = bins
        self.value_range = _color.value_range("Equalization", value_range)

    def _equalize(self, channel):
        bins = self.bins
        channel = self._rescale(channel, self.value_range, (0, 255))
        idx = ops.clip(ops.cast(channel * ((bins - 1) / 255.0), "int32"), 0, bins - 1)
        hist = ops.bincount(ops.reshape(idx, (-1,)), minlength=bins)
        cdf = ops.cumsum(hist)
        cdf_min = ops.take(cdf, ops.argmax(ops.greater(cdf, 0)))
        denom = cdf[-1] - cdf_min
        denom = ops.where(ops.equal(denom, 0), ops.ones_like(denom), denom)
        lut = ops.clip(ops.round(ops.cast(cdf - cdf_min, "float32") * 255.0 / ops.cast(denom, "float32")), 0.0, 255.0)
        pos = ops.cast(ops.clip(channel / 255.0 * (bins - 1), 0.0, bins - 1.0), "int32")
        out = ops.cast(ops.take(lut, pos), ops.dtype(channel))
        out = ops.where(ops.less_equal(ops.count_nonzero(hist), 1), channel, out)
        return self._rescale(out, (0, 255), self.value_range)

    def augment(self, x):
        c = self._channel_axis(x)
        channels = [self._equalize(ops.take(x, i, axis=c)) for i in range(x.shape[c])]
        return ops.cast(ops.stack(channels, axis=c), self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.pop("seed")  # Keras's Equalization has no seed
        config.update({"bins": self.bins, "value_range": self.value_range})
        return config
