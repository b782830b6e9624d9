"""The operations shared by AugMix and RandAugment: Keras 3's list of sub-layers, each built
from one ``factor`` range, ``value_range`` and ``interpolation``."""

from __future__ import annotations

from lamina import ops

GEOMETRIC_AND_TONAL = ["random_shear", "random_translation", "random_rotation", "random_posterization",
                       "solarization", "auto_contrast", "equalization"]
COLOUR = ["random_brightness", "random_color_degeneration", "random_contrast", "random_sharpness"]


def make_ops(names, factor, value_range, interpolation, seed, data_format):
    """The sub-layers by name; each has its own seed (seed + 1, + 2, ...) so their draws differ."""
    from lamina import layers

    def s(i):
        return None if seed is None else seed + 1 + i

    common = {"data_format": data_format}
    color = dict(common, value_range=value_range)
    build = {
        "random_shear": lambda i: layers.RandomShear(x_factor=factor, y_factor=factor, interpolation=interpolation,
                                                     seed=s(i), **common),
        "random_translation": lambda i: layers.RandomTranslation(height_factor=factor, width_factor=factor,
                                                                 interpolation=interpolation, seed=s(i), **common),
        "random_rotation": lambda i: layers.RandomRotation(factor=factor, interpolation=interpolation,
                                                           seed=s(i), **common),
        "random_posterization": lambda i: layers.RandomPosterization(factor=max(1, int(8 * factor[1])),
                                                                     seed=s(i), **color),
        "solarization": lambda i: layers.Solarization(addition_factor=factor, threshold_factor=factor,
                                                      seed=s(i), **color),
        "auto_contrast": lambda i: layers.AutoContrast(**color),
        "equalization": lambda i: layers.Equalization(**color),
        "random_brightness": lambda i: layers.RandomBrightness(factor=factor, seed=s(i), **color),
        "random_color_degeneration": lambda i: layers.RandomColorDegeneration(factor=factor, seed=s(i), **color),
        "random_contrast": lambda i: layers.RandomContrast(factor=factor, seed=s(i), **color),
        "random_sharpness": lambda i: layers.RandomSharpness(factor=factor, seed=s(i), **color),
    }
    return [build[name](i) for i, name in enumerate(names)]


def apply(layer, x, dtype):
    """Run one sub-layer's training-time transform on ``x``."""
    out = layer.augment(x) if hasattr(layer, "augment") else layer.call(x)
    return ops.cast(out, dtype)
