"""Dropout: randomly zero a fraction of inputs during training."""

from __future__ import annotations

from lamina import ops
from lamina import random as _random
from lamina.layers.layer import Layer


class Dropout(Layer):
    """Sets inputs to 0 with probability ``rate`` during training, scaling the rest by
    1 / (1 - rate); does nothing at inference.

    Args:
        rate: fraction to drop, in [0, 1) (Keras 1: ``p``).
        noise_shape: shape of the binary mask, broadcast over the inputs (None entries take
            the input's size).
        seed: an int makes the masks reproducible (a ``SeedGenerator`` per layer); None draws
            from the backend's global generator (seeded by ``lamina.utils.set_random_seed``).
    """

    _legacy_kwargs = {"p": ("rate", None)}

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(
                f"Dropout: rate must be a float in [0, 1), received rate={rate!r}. "
                "It is the fraction of inputs to drop, e.g. Dropout(0.5)."
            )
        self.rate = float(rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self.seed_generator = _random.seed_generator_for(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            if self.seed_generator is None:
                return ops.dropout(inputs, self.rate, self.noise_shape)
            return _random.dropout(inputs, self.rate, self.noise_shape, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": list(self.noise_shape) if self.noise_shape else None,
                       "seed": self.seed})
        return config
