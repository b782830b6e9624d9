"""CutMix: paste a random patch of another image of the batch into each image during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color
from lamina.layers.preprocessing._augment import BaseAugmentation
from lamina.layers.preprocessing.random_erasing import random_boxes


class CutMix(BaseAugmentation):
    """Replaces a box of each image by the same box of ``x[perm]`` (``perm`` a random
    permutation of the batch), as Keras 3 does (Yun et al. 2019): ``lam ~ Beta(a, a)`` per image
    with ``a`` uniform in ``factor`` (once per batch), box sides ``sqrt(1 - lam)`` of the image's,
    box position uniform. Called on a dict ``{"images": ..., "labels": ...}`` it mixes the labels
    in proportion to the pasted area. Single images and inference pass through unchanged.

    Args:
        factor: a number ``f`` (meaning (0, f)) or a pair in [0, 1] (default 1.0).
        seed: an int for reproducible results.
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> out = CutMix(seed=1)({"images": np.random.rand(4, 6, 6, 3), "labels": np.eye(4)}, training=True)
        >>> np.asarray(out["labels"]).sum(axis=1).round(5).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _color.factor_pair("CutMix", "factor", factor)

    def call(self, inputs, training=True):
        data = dict(inputs) if isinstance(inputs, dict) else {"images": inputs}
        images = ops.cast(data["images"], self.compute_dtype)
        data["images"] = images
        if training and len(images.shape) == 4:
            h_axis = self._h_axis(images)
            n, h, w = images.shape[0], images.shape[h_axis], images.shape[h_axis + 1]
            a = random.uniform((), self.factor[0], self.factor[1], seed=self.generator) + 1e-6
            a = float(ops.convert_to_numpy(a))
            lam = random.beta((n,), a, a, dtype="float32", seed=self.generator)
            ratio = ops.sqrt(1.0 - lam)
            mask, (x0, x1, y0, y1) = random_boxes(self, n, h, w, ratio, ratio)
            perm = random.shuffle(ops.arange(n, dtype="int64"), seed=self.generator)
            data["images"] = ops.where(mask, ops.take(images, perm, axis=0), images)
            if "labels" in data:
                labels = ops.cast(data["labels"], self.compute_dtype)
                keep = ops.cast(1.0 - (x1 - x0) * (y1 - y0) / (w * h), self.compute_dtype)
                keep = ops.reshape(keep, (-1,) + (1,) * (len(labels.shape) - 1))
                data["labels"] = keep * labels + (1.0 - keep) * ops.take(labels, perm, axis=0)
        return data if isinstance(inputs, dict) else data["images"]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config
