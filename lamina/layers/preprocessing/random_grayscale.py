"""RandomGrayscale: turn a random subset of images grey during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._augment import BaseAugmentation


class RandomGrayscale(BaseAugmentation):
    """With probability ``factor`` per image, replaces it by its luma
    (0.2989 R + 0.5870 G + 0.1140 B) repeated over the channels; only when training.

    Args:
        factor: the probability of turning an image grey, in [0, 1] (default 0.5).
        data_format: 'channels_last' or 'channels_first'.
        seed: an int for reproducible results.

    Example:
        >>> out = np.asarray(RandomGrayscale(1.0, seed=1)(np.random.rand(1, 2, 2, 3), training=True))
        >>> bool(np.allclose(out[..., 0], out[..., 2]))
        True
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 <= factor <= 1:
            raise ValueError(f"RandomGrayscale: factor must be a probability in [0, 1]; received "
                             f"factor={factor!r}.")
        self.factor = factor

    def augment(self, x):
        c_axis = -1 if self.data_format == "channels_last" else len(x.shape) - 3
        weights = ops.convert_to_tensor([0.2989, 0.5870, 0.1140], dtype=self.compute_dtype)
        if c_axis != -1:
            weights = ops.reshape(weights, (3, 1, 1))
        gray = ops.sum(x * weights, axis=c_axis, keepdims=True)
        apply = ops.less(random.uniform(self._batch_shape(x), seed=self.generator), self.factor)
        return ops.where(apply, gray + ops.zeros_like(x), x)

    def get_config(self):
        config = super().get_config()
        config.pop("seed")  # Keras's RandomGrayscale does not save its seed
        config["factor"] = self.factor
        return config


