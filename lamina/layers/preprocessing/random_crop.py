"""RandomCrop: crop a random height x width window during training (centre crop otherwise)."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _image
from lamina.layers.preprocessing._augment import BaseAugmentation


class RandomCrop(BaseAugmentation):
    """Crops one random window of size (height, width) per batch when training and the images
    are larger; otherwise (inference, or smaller images) crops the centre to the target aspect
    ratio and resizes (bilinear), as Keras 3 does.

    Args:
        height, width: output size.
        seed: an int for reproducible crops.
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> tuple(RandomCrop(2, 3, seed=1)(np.ones((2, 4, 4, 1))).shape)
        (2, 2, 3, 1)
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        self.height, self.width = int(height), int(width)

    def augment(self, x):
        h = self._h_axis(x)
        in_h, in_w = x.shape[h], x.shape[h + 1]
        if in_h > self.height and in_w > self.width:
            top = int(ops.convert_to_numpy(random.uniform((), 0, float(in_h - self.height + 1), seed=self.generator)))
            left = int(ops.convert_to_numpy(random.uniform((), 0, float(in_w - self.width + 1), seed=self.generator)))
            return _image.crop(x, h, top, left, self.height, self.width)
        return self.inference(x)

    def inference(self, x):
        return _image.smart_resize(x, (self.height, self.width), "bilinear", self._h_axis(x))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h = len(shape) - 3 if self.data_format == "channels_last" else len(shape) - 2
        shape[h], shape[h + 1] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config
