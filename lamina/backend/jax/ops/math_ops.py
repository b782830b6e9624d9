"""Kernels of ``lamina.ops.math`` under JAX."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from lamina.backend.jax.ops import core as _core
from lamina.backend.jax.ops._names import MATH as _NAMES
from lamina.backend.jax.ops._stubs import fill as _fill


def _segment(reduce):
    def op(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
        return reduce(jnp.asarray(data), jnp.asarray(segment_ids), num_segments=num_segments,
                      indices_are_sorted=sorted)

    return op


segment_sum = _segment(jax.ops.segment_sum)
segment_prod = _segment(jax.ops.segment_prod)
segment_max = _segment(jax.ops.segment_max)
segment_min = _segment(jax.ops.segment_min)
erf = jax.scipy.special.erf
erfinv = jax.scipy.special.erfinv


def erfc(x):
    return jax.scipy.special.erfc(x)


def top_k(x, k, sorted=True):  # noqa: A002
    return jax.lax.top_k(jnp.asarray(x), k)


def in_top_k(targets, predictions, k):
    return _core.in_top_k(jnp.asarray(targets), jnp.asarray(predictions), k)


def logsumexp(x, axis=None, keepdims=False):
    return _core.logsumexp(jnp.asarray(x, dtype=jnp.result_type(float, x)), axis, keepdims)


def rsqrt(x):
    return _core.rsqrt(jnp.asarray(x, dtype=jnp.result_type(float, x)))


def logdet(x):
    return jnp.linalg.slogdet(x)[1]


def _complex(x):
    real, imag = x
    return jnp.asarray(real) + 1j * jnp.asarray(imag)


def _split(c):
    return jnp.real(c), jnp.imag(c)


def fft(x):
    return _split(jnp.fft.fft(_complex(x)))


def fft2(x):
    return _split(jnp.fft.fft2(_complex(x)))


def ifft2(x):
    return _split(jnp.fft.ifft2(_complex(x)))


def rfft(x, fft_length=None):
    return _split(jnp.fft.rfft(x, n=fft_length))


def irfft(x, fft_length=None):
    return jnp.fft.irfft(_complex(x), n=fft_length)


def cdist(x, y):
    d = jnp.asarray(x)[..., :, None, :] - jnp.asarray(y)[..., None, :, :]
    return jnp.sqrt(jnp.sum(d * d, axis=-1))


from lamina.backend.jax.ops.math_signal import (  # noqa: E402,F401
    extract_sequences,
    istft,
    stft,
    view_as_complex,
    view_as_real,
)

_fill(globals(), "math", _NAMES, [_core])
