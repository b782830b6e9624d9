"""GaussianNoise: add zero-mean Gaussian noise during training."""

from __future__ import annotations

from lamina import ops
from lamina import random as _random
from lamina.layers.layer import Layer


class GaussianNoise(Layer):
    """Adds noise drawn from N(0, stddev^2) to the inputs during training (a regulariser for
    real-valued inputs); does nothing at inference.

    Args:
        stddev: standard deviation of the noise, >= 0.
        seed: an int makes the random draws reproducible (a SeedGenerator per layer); None uses the
            global generator (seeded by ``lamina.utils.set_random_seed``).

    Example:
        >>> import lamina
        >>> lamina.layers.GaussianNoise(0.1)(lamina.ops.ones((1, 2))).tolist()  # inference
        [[1.0, 1.0]]
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if stddev is None or stddev < 0:
            raise ValueError(
                f"GaussianNoise: stddev must be a non-negative number, received stddev={stddev!r}."
            )
        self.stddev = float(stddev)
        self.seed = seed
        self.seed_generator = _random.seed_generator_for(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + _random.normal_like(inputs, 0.0, self.stddev, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config
