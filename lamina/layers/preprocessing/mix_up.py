"""MixUp: blend each image (and its label) with another image of the batch during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._augment import BaseAugmentation


class MixUp(BaseAugmentation):
    """``w * x + (1 - w) * x[perm]`` with ``perm`` a random permutation of the batch and
    ``w ~ Beta(alpha, alpha)`` per image (Zhang et al. 2017; Keras 3). Called on a dict
    ``{"images": ..., "labels": ...}`` it mixes the labels with the same weights (labels should
    be one-hot or soft). Identity at inference.

    Args:
        alpha: the Beta distribution's parameter (default 0.2).
        data_format: 'channels_last' or 'channels_first'.
        seed: an int for reproducible results.

    Example:
        >>> out = MixUp(seed=1)({"images": np.random.rand(4, 3, 3, 1), "labels": np.eye(4)}, training=True)
        >>> np.asarray(out["labels"]).sum(axis=1).round(5).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.alpha = alpha

    def call(self, inputs, training=True):
        data = dict(inputs) if isinstance(inputs, dict) else {"images": inputs}
        images = ops.cast(data["images"], self.compute_dtype)
        if not training or len(images.shape) == 3:
            data["images"] = images
            return data if isinstance(inputs, dict) else images
        n = images.shape[0]
        perm = random.shuffle(ops.arange(n, dtype="int64"), seed=self.generator)
        w = ops.cast(random.beta((n,), self.alpha, self.alpha, seed=self.generator), self.compute_dtype)
        data["images"] = self._mix(images, w, perm)
        if "labels" in data:
            data["labels"] = self._mix(ops.cast(data["labels"], self.compute_dtype), w, perm)
        return data if isinstance(inputs, dict) else data["images"]

    @staticmethod
    def _mix(x, w, perm):
        w = ops.reshape(w, (-1,) + (1,) * (len(x.shape) - 1))
        return w * x + (1.0 - w) * ops.take(x, perm, axis=0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
