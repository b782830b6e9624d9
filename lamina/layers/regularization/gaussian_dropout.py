"""GaussianDropout: multiply by Gaussian noise of mean 1 during training."""

from __future__ import annotations

import math

from lamina import ops
from lamina import random as _random
from lamina.layers.layer import Layer


class GaussianDropout(Layer):
    """Multiplies the inputs by noise drawn from N(1, rate / (1 - rate)) during training (the
    same mean and variance as dropout with that rate); does nothing at inference.

    Args:
        rate: the equivalent drop probability, in [0, 1) (Keras 1: ``p``).
        seed: an int makes the random draws reproducible (a SeedGenerator per layer); None uses the
            global generator (seeded by ``lamina.utils.set_random_seed``).

    Example:
        >>> import lamina
        >>> lamina.layers.GaussianDropout(0.5)(lamina.ops.ones((1, 2))).tolist()  # inference
        [[1.0, 1.0]]
    """

    _legacy_kwargs = {"p": ("rate", None)}

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(
                f"GaussianDropout: rate must be a float in [0, 1), received rate={rate!r}."
            )
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = _random.seed_generator_for(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return inputs * _random.normal_like(inputs, 1.0, math.sqrt(self.rate / (1.0 - self.rate)),
                                                     seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
