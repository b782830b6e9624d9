"""RandomElasticTransform: distort images with a smooth random displacement field during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color, _image
from lamina.layers.preprocessing._augment import BaseAugmentation
from lamina.layers.preprocessing._utils import check_choice
from lamina.ops import image as image_ops


class RandomElasticTransform(BaseAugmentation):
    """Elastic distortion (Simard et al.), as Keras 3 computes it: a displacement field of
    standard normal noise times ``sigma`` per pixel and axis, Gaussian-blurred (kernel
    ``int(6 sigma) | 1``, standard deviation ``sigma``) and scaled by ``alpha``, moves where each
    output pixel reads the input. ``alpha = 0.1 * s * max(h, w)`` and ``sigma = 0.05 * s * min(h, w)``
    with ``s`` uniform in ``scale`` (once per batch); each image is distorted with probability
    ``p``, ``p`` uniform in ``factor``. Values are clipped to ``value_range``. Identity at
    inference. The field comes from the layer's SeedGenerator (Keras on torch ignores its seed).

    Args:
        factor: a number ``f`` (meaning (0, f)) or a pair in [0, 1] (default 1.0).
        scale: a number ``s`` (meaning (0, s)) or a pair in [0, 1] (default 1.0).
        interpolation: 'bilinear' (default) or 'nearest'.
        fill_mode: 'reflect' (default), 'mirror', 'wrap', 'constant' or 'nearest'.
        fill_value: the value outside the image with 'constant'.
        value_range: the (min, max) of pixel values (default (0, 255)).
        seed: an int for reproducible results.
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> tuple(RandomElasticTransform(seed=1)(np.random.rand(2, 8, 8, 3), training=True).shape)
        (2, 8, 8, 3)
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        owner = "RandomElasticTransform"
        self.factor = _color.factor_pair(owner, "factor", factor)
        self.scale = _color.factor_pair(owner, "scale", scale)
        self.interpolation = check_choice(owner, "interpolation", interpolation, ("nearest", "bilinear"))
        self.fill_mode = check_choice(owner, "fill_mode", fill_mode, _image.ELASTIC_FILL_MODES)
        self.fill_value = fill_value
        self.value_range = value_range

    def augment(self, x):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return x
        unbatched = len(x.shape) == 3
        y = ops.expand_dims(x, 0) if unbatched else x
        if self.data_format == "channels_first":
            y = ops.transpose(y, (0, 2, 3, 1))
        n, h, w, _ = y.shape
        p = random.uniform((n,), self.factor[0], self.factor[1], seed=self.generator)
        apply = ops.reshape(ops.less(random.uniform((n,), seed=self.generator), p), (n, 1, 1, 1))
        s = float(ops.convert_to_numpy(random.uniform((), self.scale[0], self.scale[1], seed=self.generator)))
        alpha, sigma = max(h, w) * 0.1 * s, min(h, w) * 0.05 * s
        k = int(6 * sigma) | 1
        field = random.normal((n, h, w, 2), dtype="float32", seed=self.generator) * sigma
        if sigma > 0:
            field = image_ops.gaussian_blur(field, (k, k), (sigma, sigma), data_format="channels_last")
        gy = ops.reshape(ops.arange(h, dtype="float32"), (1, h, 1))
        gx = ops.reshape(ops.arange(w, dtype="float32"), (1, 1, w))
        out = _image.sample(y, gx + alpha * field[..., 0], gy + alpha * field[..., 1],
                            self.interpolation, self.fill_mode, self.fill_value)
        out = ops.clip(ops.where(apply, ops.cast(out, ops.dtype(y)), y), self.value_range[0], self.value_range[1])
        if self.data_format == "channels_first":
            out = ops.transpose(out, (0, 3, 1, 2))
        return ops.squeeze(out, 0) if unbatched else out

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "interpolation": self.interpolation,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                       "value_range": self.value_range})
        return config
