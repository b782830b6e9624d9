"""SpatialDropout1D/2D/3D: drop whole feature maps (channels) instead of single elements."""

from __future__ import annotations

from lamina import config as _config
from lamina import ops
from lamina import random as _random
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class _SpatialDropout(Layer):
    _rank = 1
    _legacy_kwargs = {"p": ("rate", None)}

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(
                f"{type(self).__name__}: rate must be a float in [0, 1], received rate={rate!r}. "
                "It is the fraction of channels to drop."
            )
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = _random.seed_generator_for(seed)
        self.data_format = _data_format(type(self).__name__, data_format)
        self.input_spec = InputSpec(ndim=self._rank + 2)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:
            return ops.zeros_like(inputs)
        spatial = (1,) * self._rank
        shape = inputs.shape
        if self.data_format == "channels_first":
            noise = (shape[0], shape[1]) + spatial
        else:
            noise = (shape[0],) + spatial + (shape[-1],)
        keep = 1.0 - self.rate
        return inputs * (_random.bernoulli_like(inputs, keep, noise, seed=self.seed_generator) / keep)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        # Keras's SpatialDropout constructors take no `trainable`: leave it out so Keras loads it.
        config.pop("trainable", None)
        # ... and, like Keras, it writes the dtype as a plain name.
        config.update({"rate": self.rate, "seed": self.seed, "dtype": self.dtype})
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config


def _data_format(cls_name, value):
    value = _config.image_data_format() if value is None else value
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{cls_name}: data_format must be 'channels_last' or 'channels_first', received "
            f"data_format={value!r}."
        )
    return value


class SpatialDropout1D(_SpatialDropout):
    """Drops entire 1D feature maps: for input (batch, steps, channels) one keep/drop decision
    per (sample, channel), shared over the steps; kept channels are scaled by 1 / (1 - rate).
    Does nothing at inference.

    Args:
        rate: fraction of channels to drop, in [0, 1] (Keras 1: ``p``).
        seed: an int makes the random draws reproducible (a SeedGenerator per layer); None uses the
            global generator (seeded by ``lamina.utils.set_random_seed``).

    Input shape: (batch, steps, channels); output shape: the same.

    Example:
        >>> import lamina
        >>> layer = lamina.layers.SpatialDropout1D(0.5)
        >>> layer(lamina.ops.ones((2, 3, 4))).shape  # inference: identity
        torch.Size([2, 3, 4])
    """

    _rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, data_format="channels_last", seed=seed, name=name, dtype=dtype, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops entire 2D feature maps (channels) of (batch, rows, cols, channels) inputs
    (channels_last) or (batch, channels, rows, cols) (channels_first); kept channels are scaled
    by 1 / (1 - rate). Does nothing at inference.

    Args:
        rate: fraction of channels to drop, in [0, 1] (Keras 1: ``p``).
        data_format: 'channels_last' or 'channels_first' (default: image_data_format()).
        seed: an int makes the random draws reproducible (a SeedGenerator per layer); None uses the
            global generator (seeded by ``lamina.utils.set_random_seed``).

    Example:
        >>> import lamina
        >>> lamina.layers.SpatialDropout2D(0.2)(lamina.ops.ones((1, 2, 2, 3))).shape
        torch.Size([1, 2, 2, 3])
    """

    _rank = 2

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, data_format=data_format, seed=seed, name=name, dtype=dtype, **kwargs)


class SpatialDropout3D(_SpatialDropout):
    """Drops entire 3D feature maps (channels) of 5D inputs, like SpatialDropout2D.

    Args:
        rate: fraction of channels to drop, in [0, 1] (Keras 1: ``p``).
        data_format: 'channels_last' or 'channels_first' (default: image_data_format()).
        seed: an int makes the random draws reproducible (a SeedGenerator per layer); None uses the
            global generator (seeded by ``lamina.utils.set_random_seed``).

    Example:
        >>> import lamina
        >>> lamina.layers.SpatialDropout3D(0.2)(lamina.ops.ones((1, 2, 2, 2, 3))).shape
        torch.Size([1, 2, 2, 2, 3])
    """

    _rank = 3

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, data_format=data_format, seed=seed, name=name, dtype=dtype, **kwargs)
