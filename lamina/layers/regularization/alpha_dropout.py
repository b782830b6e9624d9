"""AlphaDropout: dropout that keeps SELU activations self-normalising."""

from __future__ import annotations

from lamina import ops
from lamina import random as _random
from lamina.layers.layer import Layer

_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """During training, sets a fraction ``rate`` of inputs to SELU's negative saturation value
    and applies the affine correction that keeps the mean and variance of standardised inputs
    unchanged (Klambauer et al., 2017). Does nothing at inference. Use it with 'selu'.

    Args:
        rate: fraction to drop, in [0, 1).
        noise_shape: shape of the keep/drop mask, broadcast over the inputs (None entries take
            the input's size).
        seed: an int makes the random draws reproducible (a SeedGenerator per layer); None uses the
            global generator (seeded by ``lamina.utils.set_random_seed``).

    Example:
        >>> import lamina
        >>> lamina.layers.AlphaDropout(0.1)(lamina.ops.ones((1, 2))).tolist()  # inference
        [[1.0, 1.0]]
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"AlphaDropout: rate must be a float in [0, 1), received rate={rate!r}.")
        self.rate = float(rate)
        self.noise_shape = list(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self.seed_generator = _random.seed_generator_for(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = None
        if self.noise_shape is not None:
            shape = tuple(inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        keep = _random.bernoulli_like(inputs, 1.0 - self.rate, shape, seed=self.seed_generator)
        alpha_p = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * keep + alpha_p * (1 - keep)
        return a * x + b

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return config
