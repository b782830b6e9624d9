"""RandAugment: apply a few randomly chosen augmentations during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color, _policy
from lamina.layers.preprocessing._augment import BaseAugmentation


class RandAugment(BaseAugmentation):
    """Picks ``num_ops`` operations per batch, uniformly (with repeats), from Keras 3's eleven:
    shear, translation, rotation, brightness, colour degeneration, contrast, sharpness,
    posterization, solarization, auto-contrast, equalization, each with magnitudes drawn from
    ``factor``, and applies them in turn (Cubuk et al. 2019). Identity at inference.

    Args:
        value_range: the (min, max) of pixel values (default (0, 255)).
        num_ops: the number of operations per batch (default 2).
        factor: a number ``f`` (meaning (0, f)) or a pair in [0, 1]: the magnitude range (default 0.5).
        interpolation: 'bilinear' (default) or 'nearest', for the geometric operations.
        seed: an int for reproducible results.
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> tuple(RandAugment(seed=1)(np.random.rand(2, 8, 8, 3) * 255, training=True).shape)
        (2, 8, 8, 3)
    """

    _AUGMENT_LAYERS = ["random_shear", "random_translation", "random_rotation", "random_brightness",
                       "random_color_degeneration", "random_contrast", "random_sharpness",
                       "random_posterization", "solarization", "auto_contrast", "equalization"]

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range
        if isinstance(num_ops, bool) or not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f"RandAugment: num_ops must be an int >= 0; received num_ops={num_ops!r}.")
        self.num_ops = num_ops
        self.factor = _color.factor_pair("RandAugment", "factor", factor)
        self.interpolation = interpolation
        self._ops = _policy.make_ops(self._AUGMENT_LAYERS, self.factor, value_range, interpolation, seed,
                                     self.data_format)
        for name, layer in zip(self._AUGMENT_LAYERS, self._ops):
            setattr(self, name, layer)

    def augment(self, x):
        picks = ops.convert_to_numpy(random.randint((self.num_ops,), 0, len(self._ops), seed=self.generator))
        for i in picks.tolist():
            x = _policy.apply(self._ops[i], x, self.compute_dtype)
        return x

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_ops": self.num_ops, "factor": self.factor,
                       "interpolation": self.interpolation})
        return config
