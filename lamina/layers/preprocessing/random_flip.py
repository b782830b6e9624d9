"""RandomFlip: flip images horizontally and/or vertically at random during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._augment import BaseAugmentation
from lamina.layers.preprocessing._utils import check_choice


class RandomFlip(BaseAugmentation):
    """Flips each image with probability 1/2 along the chosen axes (each axis independently
    for 'horizontal_and_vertical'), only when training.

    Args:
        mode: 'horizontal', 'vertical' or 'horizontal_and_vertical' (default).
        seed: an int for reproducible flips.
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> tuple(RandomFlip("horizontal", seed=1)(np.ones((2, 4, 4, 3))).shape)
        (2, 4, 4, 3)
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = check_choice("RandomFlip", "mode", mode,
                                 ("horizontal", "vertical", "horizontal_and_vertical"))

    def augment(self, x):
        h = self._h_axis(x)
        axes = {"horizontal": [h + 1], "vertical": [h], "horizontal_and_vertical": [h + 1, h]}[self.mode]
        for axis in axes:
            flip = ops.less_equal(random.uniform(self._batch_shape(x), seed=self.generator), 0.5)
            x = ops.where(flip, ops.flip(x, axis=axis), x)
        return x

    def get_config(self):
        config = super().get_config()
        config["mode"] = self.mode
        return config
