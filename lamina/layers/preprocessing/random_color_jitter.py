"""RandomColorJitter: random brightness, contrast, saturation and hue, in that order."""

from __future__ import annotations

from lamina import ops
from lamina.layers.preprocessing._augment import BaseAugmentation


class RandomColorJitter(BaseAugmentation):
    """Applies RandomBrightness, RandomContrast, RandomSaturation and RandomHue (those whose
    factor is given) one after the other, as Keras 3 does; identity at inference.

    Args:
        value_range: the (min, max) of pixel values (default (0, 255)).
        brightness_factor: RandomBrightness's factor, or None to skip it.
        contrast_factor: RandomContrast's factor, or None.
        saturation_factor: RandomSaturation's factor, or None.
        hue_factor: RandomHue's factor, or None.
        seed: an int for reproducible results.
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> layer = RandomColorJitter(brightness_factor=0.2, hue_factor=0.1, seed=1)
        >>> tuple(layer(np.random.rand(2, 4, 4, 3) * 255, training=True).shape)
        (2, 4, 4, 3)
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None, **kwargs):
        from lamina.layers.preprocessing.random_brightness import RandomBrightness
        from lamina.layers.preprocessing.random_contrast import RandomContrast
        from lamina.layers.preprocessing.random_hue import RandomHue
        from lamina.layers.preprocessing.random_saturation import RandomSaturation

        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        common = {"value_range": value_range, "data_format": self.data_format}
        # each step draws from its own generator, seeded seed+1, seed+2, ... (Keras draws them all
        # from the parent's generator; equal seeds in the steps would correlate their draws)
        self._steps = [cls(factor, seed=None if seed is None else seed + 1 + i, **common)
                       for i, (cls, factor) in enumerate((
                           (RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                           (RandomSaturation, saturation_factor), (RandomHue, hue_factor)))
                       if factor is not None]
        for i, step in enumerate(self._steps):  # children, so .to() and state_dict() see them
            setattr(self, f"_step_{i}", step)

    def augment(self, x):
        for step in self._steps:
            x = ops.cast(step.augment(x), self.compute_dtype)
        return x

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "brightness_factor": self.brightness_factor,
                       "contrast_factor": self.contrast_factor, "saturation_factor": self.saturation_factor,
                       "hue_factor": self.hue_factor})
        return config
