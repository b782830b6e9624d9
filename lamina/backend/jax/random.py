"""Random kernels for the JAX backend (the contract's ``random`` module).

A seed state is a ``uint32[2]`` array ``[seed, counter]``. A keyed draw is the same counter-based
hash of (key, element index) that the torch backend computes (``backend/torch/random.py``),
written here in wrapping uint32 arithmetic, so a seeded draw gives the same numbers under both
backends (up to the last bit of ``erfinv`` for normals). It is a pure function of the key, so it
runs unchanged under ``jax.jit``.

Outside a trace (a concrete key: weight initializers, eager draws) the same words are computed
with NumPy on the host and handed to JAX once. Eagerly, each ``jnp`` op compiles an XLA program
per new shape (40-90 ms each on CPU), and a draw is about fifteen of them; building a model drew
every kernel that way. The host path compiles nothing and gives the same bits.

``key=None`` draws from the backend's global seed state. Inside a compiled train step that state
is an input and an output of the step (``trainer.py`` swaps it in and out through
``swap_global_state``), so a dropout mask changes from step to step without leaving the device.
"""

from __future__ import annotations

import math
import random as _py_random
import sys

import jax
import jax.numpy as jnp
import numpy as np

from lamina import config
from lamina.backend.jax import pending as _pending
from lamina.backend.jax.ops.core import to_jax_dtype

SEED_DTYPE = "uint32"
_M32 = 0xFFFFFFFF
_TWO_M24 = 2.0**-24
_SQRT2 = math.sqrt(2.0)
_GLOBAL = [None]


def seed_state(seed: int):
    """The seed state of an int seed: ``[seed, 0]`` (as Keras's ``draw_seed``)."""
    return jnp.asarray(np.array([int(seed) & _M32, 0], dtype=np.uint32))


def next_seed_state(state):
    """The state after ``state``: the counter word goes up by one."""
    return state + jnp.asarray(np.array([0, 1], dtype=np.uint32))


def set_seed(seed: int) -> None:
    """Seed the global state (the ``key=None`` path). When torch is loaded (a torch
    ``DataLoader`` may feed fit), its CPU generator, which draws a shuffling DataLoader's order,
    is seeded too, as Keras 3 seeds TensorFlow's for ``tf.data`` under every backend; it is saved
    and restored with this state (:func:`get_global_state`)."""
    _pending.touch_rng()  # a compiled step's pending state must not overwrite the new seed later
    _GLOBAL[0] = seed_state(seed)
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "manual_seed"):
        torch.manual_seed(int(seed))


def global_key():
    """The current global seed state; the global state moves on by one."""
    _pending.touch_rng()
    if _GLOBAL[0] is None:
        _GLOBAL[0] = seed_state(_py_random.randint(1, int(1e9)))
    key = _GLOBAL[0]
    _GLOBAL[0] = next_seed_state(key)
    return key


def global_state():
    _pending.touch_rng()
    if _GLOBAL[0] is None:
        _GLOBAL[0] = seed_state(_py_random.randint(1, int(1e9)))
    return _GLOBAL[0]


def swap_global_state(state):
    """Install ``state`` as the global seed state; return the previous one."""
    prev = global_state()
    _GLOBAL[0] = state
    return prev


def get_global_state() -> dict:
    """The global seed state as NumPy (what ``BackupAndRestore`` saves, so ``key=None`` draws
    continue exactly after a restart). When torch is loaded (a torch DataLoader feeds fit), its
    CPU generator, which draws a shuffling DataLoader's order, is saved too."""
    out = {"jax": np.asarray(global_state()).copy()}
    torch = sys.modules.get("torch")
    if torch is not None:
        out["torch_cpu"] = torch.get_rng_state().numpy().copy()
    return out


def set_global_state(state: dict) -> None:
    """Put back a state returned by :func:`get_global_state`."""
    _pending.touch_rng()
    _GLOBAL[0] = jnp.asarray(np.asarray(state["jax"], dtype=np.uint32))
    torch = sys.modules.get("torch")
    if torch is not None and "torch_cpu" in state:
        torch.set_rng_state(torch.from_numpy(np.asarray(state["torch_cpu"], dtype=np.uint8).copy()))


def int_key(seed):
    return global_key() if seed is None else seed_state(seed)


def _key(key):
    return global_key() if key is None else jnp.asarray(key).astype(jnp.uint32)


# ------------------------------------------------------------------ the counter-based hash
def _mix(x):
    """A bijection of 32-bit words (Wellons' low-bias xorshift-multiply hash), wrapping uint32."""
    x = x ^ (x >> 16)
    x = x * jnp.uint32(0x21F0AAAD)
    x = x ^ (x >> 15)
    x = x * jnp.uint32(0x735A2D97)
    return x ^ (x >> 15)


def _host_mix(x):
    """:func:`_mix` on NumPy uint32 arrays (NumPy's uint32 products wrap the same way)."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x21F0AAAD)
    x = x ^ (x >> np.uint32(15))
    x = x * np.uint32(0x735A2D97)
    return x ^ (x >> np.uint32(15))


def _host_key(k):
    """A resolved key (``_key``'s result) as a NumPy ``uint32[2]`` when it is concrete, else
    ``None`` (a tracer: inside ``jax.jit`` the draw must stay a traced computation)."""
    if isinstance(k, jax.core.Tracer):
        return None
    return np.asarray(k, dtype=np.uint32)


def _host_bits(k, n: int):
    with np.errstate(over="ignore"):
        s0 = _host_mix(k[0:1])
        s1 = _host_mix(k[1:2] + np.uint32(0x5BD1E995))
        c = np.arange(n, dtype=np.uint32)
        return _host_mix(_host_mix(c + s0) ^ s1)


def _host_unit(k, shape, open_low=False):
    shape = _shape(shape)
    u = (_host_bits(k, _numel(shape)) >> np.uint32(8)).astype(np.float32)
    if open_low:
        u = u + np.float32(0.5)
    return (u * np.float32(_TWO_M24)).reshape(shape)


# Giles (2010), "Approximating the erfinv function", single-precision branch: central and tail
# polynomials in w = -log((1 - x)(1 + x)).
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                   -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _host_erfinv(x):
    """``erfinv`` of a float32 array on the host (Giles' approximation, evaluated in float64)."""
    x = x.astype(np.float64)
    w = -np.log((1.0 - x) * (1.0 + x))
    central = w < 5.0
    wc = w - 2.5
    wt = np.sqrt(np.where(central, 5.0, w)) - 3.0
    pc = np.zeros_like(x)
    pt = np.zeros_like(x)
    for a, b in zip(_ERFINV_CENTRAL, _ERFINV_TAIL):
        pc = pc * wc + a
        pt = pt * wt + b
    return (np.where(central, pc, pt) * x).astype(np.float32)


def _to_device(a, dtype):
    return jnp.asarray(a, dtype=jax.dtypes.canonicalize_dtype(_float(dtype)))


def random_bits(key, n: int):
    """``n`` pseudo-random 32-bit words (uint32) for ``key``."""
    k = _key(key)  # resolved once: a None key advances the global state once
    hk = _host_key(k)
    if hk is not None:
        return jnp.asarray(_host_bits(hk, n))
    s0 = _mix(k[0])
    s1 = _mix(k[1] + jnp.uint32(0x5BD1E995))
    c = jnp.arange(n, dtype=jnp.uint32)
    return _mix(_mix(c + s0) ^ s1)


def _shape(shape):
    return tuple(int(d) for d in shape)


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _unit(key, shape, open_low=False):
    shape = _shape(shape)
    u = (random_bits(key, _numel(shape)) >> 8).astype(jnp.float32)
    if open_low:
        u = u + 0.5
    return (u * _TWO_M24).reshape(shape)


def _float(dtype):
    """The dtype of a float draw: ``dtype``, else floatx (as Keras 3)."""
    return to_jax_dtype(dtype if dtype is not None else config.floatx())


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, key=None):
    key = _key(key)
    hk = _host_key(key)
    if hk is not None and _plain(minval, maxval):
        u = _host_unit(hk, shape)
        return _to_device(u * np.float32(maxval - minval) + np.float32(minval), dtype)
    return (_unit(key, shape) * (maxval - minval) + minval).astype(_float(dtype))


def _plain(*numbers):
    """Whether every parameter is a plain Python/NumPy number (so the host path applies)."""
    return all(isinstance(v, (int, float, np.number)) for v in numbers)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, key=None):
    key = _key(key)
    hk = _host_key(key)
    if hk is not None and _plain(mean, stddev):
        u = _host_unit(hk, shape, open_low=True)
        z = _host_erfinv(u * np.float32(2.0) - np.float32(1.0)) * np.float32(_SQRT2)
        return _to_device(z * np.float32(stddev) + np.float32(mean), dtype)
    u = _unit(key, shape, open_low=True)
    z = jax.scipy.special.erfinv(u * 2.0 - 1.0) * _SQRT2
    return (z * stddev + mean).astype(_float(dtype))


_PHI_M2 = 0.5 * (1.0 + math.erf(-2.0 / _SQRT2))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, key=None):
    key = _key(key)
    hk = _host_key(key)
    if hk is not None and _plain(mean, stddev):
        u = _host_unit(hk, shape, open_low=True)
        p = np.float32(_PHI_M2) + u * np.float32(1.0 - 2.0 * _PHI_M2)
        z = _host_erfinv(p * np.float32(2.0) - np.float32(1.0)) * np.float32(_SQRT2)
        return _to_device(np.clip(z, -2.0, 2.0) * np.float32(stddev) + np.float32(mean), dtype)
    u = _unit(key, shape, open_low=True)
    p = _PHI_M2 + u * (1.0 - 2.0 * _PHI_M2)
    z = jax.scipy.special.erfinv(p * 2.0 - 1.0) * _SQRT2
    return (jnp.clip(z, -2.0, 2.0) * stddev + mean).astype(_float(dtype))


def randint(shape, minval, maxval, dtype="int32", key=None):
    shape = _shape(shape)
    span = int(maxval) - int(minval)
    bits = random_bits(key, _numel(shape))
    if span < 2**16:  # floor(bits * span / 2**32) exactly, in 16-bit halves (torch's formula)
        s = jnp.uint32(span)
        offs = (((bits >> 16) * s + (((bits & jnp.uint32(0xFFFF)) * s) >> 16)) >> 16).astype(jnp.int32)
    else:
        offs = jnp.minimum(jnp.floor(bits.astype(jnp.float32) * (2.0**-32) * span), span - 1).astype(jnp.int32)
    return (offs + int(minval)).astype(to_jax_dtype(dtype)).reshape(shape)


def dropout(x, rate, noise_shape=None, key=None):
    keep = 1.0 - rate
    shape = tuple(x.shape) if noise_shape is None else tuple(
        x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    bits = random_bits(key, _numel(shape)).reshape(shape)
    mask = ((bits >> 8) >= jnp.uint32(int(round(rate * 2**24)))).astype(x.dtype)
    return x * mask * (1.0 / keep)


def bernoulli(shape, p, dtype=None, key=None, device=None):
    shape = _shape(shape)
    bits = random_bits(key, _numel(shape)).reshape(shape)
    return ((bits >> 8) < jnp.uint32(int(round(float(p) * 2**24)))).astype(_float(dtype))


def categorical(logits, num_samples, dtype="int32", key=None):
    batch, classes = logits.shape
    u = _unit(key, (batch, int(num_samples), classes), open_low=True)
    gumbel = -jnp.log(-jnp.log(u))
    return jnp.argmax(logits.astype(jnp.float32)[:, None, :] + gumbel, axis=-1).astype(to_jax_dtype(dtype))


def shuffle(x, axis=0, key=None):
    perm = jnp.argsort(random_bits(key, x.shape[axis]))
    return jnp.take(x, perm, axis=axis)


def _jax_key(key):
    k = _key(key)
    return jax.random.wrap_key_data(k)


def gamma(shape, alpha, dtype=None, key=None):
    return jax.random.gamma(_jax_key(key), alpha, _shape(shape), dtype=_float(dtype))


def binomial(shape, counts, probabilities, dtype=None, key=None):
    out = jax.random.binomial(_jax_key(key), counts, probabilities, _shape(shape))
    return out.astype(_float(dtype))


def beta(shape, alpha, beta, dtype=None, key=None):
    return jax.random.beta(_jax_key(key), alpha, beta, _shape(shape), dtype=_float(dtype))
