"""RandomGaussianBlur: blur a random subset of images with a random Gaussian during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation
from lamina.ops import image as image_ops


class RandomGaussianBlur(BaseAugmentation):
    """Blurs each image with probability ``p`` (``p`` uniform in ``factor``) by a Gaussian of
    ``kernel_size`` whose two standard deviations are drawn once per batch from ``sigma``, with
    zero padding, then clips to ``value_range`` (Keras 3 on torch: the first sigma blurs along
    the width, the second along the height). Identity at inference.

    Args:
        factor: a number ``f`` (meaning (0, f)) or a pair in [0, 1] (default 1.0).
        kernel_size: an odd int, or a pair of odd ints (default 3).
        sigma: a number ``s`` (meaning (0, s)) or a pair in [0, 1] (default 1.0).
        value_range: the (min, max) of pixel values (default (0, 255)).
        data_format: 'channels_last' or 'channels_first'.
        seed: an int for reproducible results.

    Example:
        >>> tuple(RandomGaussianBlur(seed=1)(np.random.rand(2, 5, 5, 3), training=True).shape)
        (2, 5, 5, 3)
    """

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None,
                 seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _color.factor_pair("RandomGaussianBlur", "factor", factor)
        sizes = list(kernel_size) if isinstance(kernel_size, (tuple, list)) else [kernel_size, kernel_size]
        if len(sizes) != 2 or not all(isinstance(k, int) and not isinstance(k, bool) and k > 0 and k % 2
                                      for k in sizes):
            raise ValueError(f"RandomGaussianBlur: kernel_size must be an odd int or a pair of odd ints; "
                             f"received kernel_size={kernel_size!r}.")
        self.kernel_size = tuple(sizes)
        self.sigma = _color.factor_pair("RandomGaussianBlur", "sigma", sigma)
        self.value_range = value_range

    def augment(self, x):
        n = x.shape[0] if len(x.shape) == 4 else 1
        p = random.uniform((n,), self.factor[0], self.factor[1], seed=self.generator)
        apply = ops.less(random.uniform((n,), seed=self.generator), p)
        s = ops.convert_to_numpy(random.uniform((2,), self.sigma[0], self.sigma[1], seed=self.generator)) + 1e-6
        # Keras's torch kernel: rows (height) use sigma[1], columns (width) sigma[0]
        blurred = image_ops.gaussian_blur(x, self.kernel_size, (float(s[1]), float(s[0])),
                                          data_format=self.data_format)
        out = ops.where(ops.reshape(apply, self._batch_shape(x)), ops.cast(blurred, ops.dtype(x)), x)
        return ops.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "kernel_size": self.kernel_size, "sigma": self.sigma,
                       "value_range": self.value_range})
        return config
