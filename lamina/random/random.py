"""Random ops with Keras 3's names and arguments (``lamina.random``).

``seed`` is an int (stateless: the same numbers on every call), a ``SeedGenerator`` (new numbers
on each call, reproducible from its seed), or None (the backend's fast global generator, seeded by
``lamina.utils.set_random_seed``).
"""

from __future__ import annotations

from lamina import backend, ops
from lamina.random.seed_generator import draw_seed


def _r():
    return backend.random


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Values from a normal distribution.

    Args:
        shape: the output shape.
        mean, stddev: the distribution's mean and standard deviation.
        dtype: a float dtype (default floatx).
        seed: int, SeedGenerator or None.

    Example:
        >>> tuple(normal((2, 3), seed=1).shape)
        (2, 3)
    """
    return _r().normal(shape, mean, stddev, dtype, draw_seed(seed))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Values uniformly distributed in ``[minval, maxval)``.

    Example:
        >>> bool((uniform((100,), 2.0, 3.0, seed=0) >= 2.0).all())
        True
    """
    return _r().uniform(shape, minval, maxval, dtype, draw_seed(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal values within two standard deviations of ``mean``.

    Example:
        >>> bool((abs(truncated_normal((1000,), seed=0)) <= 2.0).all())
        True
    """
    return _r().truncated_normal(shape, mean, stddev, dtype, draw_seed(seed))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers uniformly distributed in ``[minval, maxval)``.

    Example:
        >>> sorted(set(randint((200,), 0, 3, seed=0).tolist()))
        [0, 1, 2]
    """
    return _r().randint(shape, minval, maxval, dtype, draw_seed(seed))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Class indices drawn from the softmax of each row of ``logits`` (batch, classes); the output
    is (batch, num_samples).

    Example:
        >>> categorical([[0.0, 100.0]], 3, seed=0).tolist()
        [[1, 1, 1]]
    """
    logits = ops.convert_to_tensor(logits)
    if len(logits.shape) != 2:
        raise ValueError(
            f"categorical: `logits` must be 2D (batch, classes); received shape "
            f"{tuple(logits.shape)}. Reshape it, e.g. logits[None, :] for a single row."
        )
    return _r().categorical(logits, num_samples, dtype, draw_seed(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each value with probability ``rate`` and scale the rest by ``1 / (1 - rate)``.

    Example:
        >>> y = dropout(ops.ones((1000,)), 0.5, seed=0)
        >>> sorted(set(y.tolist()))
        [0.0, 2.0]
    """
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1); received rate={rate!r}.")
    return _r().dropout(ops.convert_to_tensor(inputs), rate, noise_shape, draw_seed(seed))


def shuffle(x, axis=0, seed=None):
    """``x`` with its slices along ``axis`` in a random order.

    Example:
        >>> sorted(shuffle(ops.arange(5), seed=0).tolist())
        [0, 1, 2, 3, 4]
    """
    return _r().shuffle(ops.convert_to_tensor(x), axis, draw_seed(seed))


def gamma(shape, alpha, dtype=None, seed=None):
    """Values from a Gamma(alpha, 1) distribution.

    With a seed the values are the same under every backend (drawn from the backends' shared
    counter-based uniforms); ``seed=None`` uses the backend's own fast generator.

    Example:
        >>> bool((gamma((10,), 2.0, seed=0) > 0).all())
        True
    """
    key = draw_seed(seed)
    if key is None:
        return _r().gamma(shape, alpha, dtype, None)
    shape = _tuple(shape)
    u = _r().uniform((_GAMMA_DRAWS,) + shape, 0.0, 1.0, "float32", key)
    return ops.cast(_gamma_from_uniforms(u, alpha), dtype or _floatx())


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Success counts of ``counts`` trials with success probability ``probabilities``.

    Example:
        >>> binomial((3,), 5, 1.0, seed=0).tolist()
        [5.0, 5.0, 5.0]
    """
    return _r().binomial(shape, counts, probabilities, dtype, draw_seed(seed))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Values from a Beta(alpha, beta) distribution, in [0, 1]: X / (X + Y) with X ~ Gamma(alpha)
    and Y ~ Gamma(beta). With a seed, the same values under every backend (see ``gamma``).

    Example:
        >>> bool(((beta((10,), 2.0, 3.0, seed=0) >= 0) & (beta((10,), 2.0, 3.0, seed=0) <= 1)).all())
        True
    """
    key = draw_seed(seed)
    if key is None:
        return _r().beta(shape, alpha, beta, dtype, None)
    shape = _tuple(shape)
    u = _r().uniform((2, _GAMMA_DRAWS) + shape, 0.0, 1.0, "float32", key)
    x, y = _gamma_from_uniforms(u[0], alpha), _gamma_from_uniforms(u[1], beta)
    return ops.cast(x / (x + y), dtype or _floatx())


# Marsaglia & Tsang's gamma sampler (2000) on a fixed number of proposals, so that it is a pure
# function of one uniform draw (the same under every backend, and traceable by jax.jit): each
# proposal takes 3 uniforms (two for a Box-Muller normal, one for the acceptance test), and one more
# uniform boosts alpha < 1. A proposal is accepted with probability > 0.95 (alpha >= 1), so all
# _ROUNDS fail with probability < 1e-10; the last proposal is kept then.
_ROUNDS = 8
_GAMMA_DRAWS = 3 * _ROUNDS + 1


def _floatx():
    from lamina import config

    return config.floatx()


def _tuple(shape):
    return (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)


def _gamma_from_uniforms(u, alpha):
    """Gamma(alpha) samples from ``u`` (``_GAMMA_DRAWS`` uniforms in [0, 1) per sample, leading axis)."""
    u = 1.0 - u  # (0, 1]: logs are finite
    alpha = ops.cast(ops.convert_to_tensor(alpha), "float32")
    boosted = ops.where(alpha < 1.0, alpha + 1.0, alpha)
    d = boosted - 1.0 / 3.0
    c = 1.0 / ops.sqrt(9.0 * d)
    out = None
    for r in reversed(range(_ROUNDS)):  # the earliest accepted proposal wins
        u1, u2, u3 = u[3 * r], u[3 * r + 1], u[3 * r + 2]
        x = ops.sqrt(-2.0 * ops.log(u1)) * ops.cos(2.0 * 3.141592653589793 * u2)
        v = (1.0 + c * x) ** 3
        safe_v = ops.where(v > 0, v, 1.0)
        ok = (v > 0) & (ops.log(u3) < 0.5 * x * x + d - d * safe_v + d * ops.log(safe_v))
        value = d * safe_v
        out = value if out is None else ops.where(ok, value, out)
    boost = ops.power(u[3 * _ROUNDS], 1.0 / ops.maximum(alpha, 1e-30))
    return ops.where(alpha < 1.0, out * boost, out)


# ---------------------------------------------------------------- helpers for layers (lamina's own)
def bernoulli_like(x, p, shape=None, seed=None):
    """A 0/1 tensor with P(1) = ``p``, with the dtype and device of ``x`` and ``shape`` (default
    ``x``'s): the keep mask of a dropout layer."""
    shape = tuple(x.shape) if shape is None else tuple(shape)
    if seed is None:
        return ops.bernoulli_like(x, p, shape)
    return _r().bernoulli(shape, p, x.dtype, draw_seed(seed), getattr(x, "device", None))  # traced: none


def normal_like(x, mean=0.0, stddev=1.0, seed=None):
    """Normal noise with the shape, dtype and device of ``x``."""
    if seed is None:
        return ops.normal_like(x, mean, stddev)
    out = _r().normal(tuple(x.shape), mean, stddev, x.dtype, draw_seed(seed))
    dev = getattr(x, "device", None)  # a JAX tracer has none
    return out if dev is None or out.device == dev else out.to(dev)


def seed_generator_for(seed):
    """The SeedGenerator a random layer keeps for its ``seed=`` argument, or None for
    ``seed=None`` (the backend's fast global generator, seeded by ``set_random_seed``)."""
    from lamina.random.seed_generator import SeedGenerator

    return None if seed is None else SeedGenerator(seed)
