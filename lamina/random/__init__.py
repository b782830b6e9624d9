"""Random numbers with explicit seeds (Keras 3's ``keras.random``)."""

from lamina.random.random import (  # noqa: F401
    beta,
    binomial,
    categorical,
    dropout,
    gamma,
    normal,
    randint,
    shuffle,
    truncated_normal,
    uniform,
)
from lamina.random.random import bernoulli_like, normal_like, seed_generator_for  # noqa: F401  (for layers)
from lamina.random.seed_generator import SeedGenerator, draw_seed  # noqa: F401

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "randint", "shuffle", "truncated_normal", "uniform"]
