"""Random kernels for the torch backend (the contract's ``random`` module).

Every kernel takes ``key``: either None, meaning "draw from torch's global generator" (the fast
path, seeded by ``set_seed``), or a seed state, an int64 tensor of two 32-bit words that
``lamina.random`` draws from an int seed or a ``SeedGenerator``.

A keyed draw is a counter-based hash of (key, element index) written in plain integer tensor
ops, the way JAX's threefry keys work. That makes it a pure function of the key: the same key
gives the same numbers on CPU and GPU, on every machine, and the draw runs unchanged under
``torch.func.vmap``/``grad`` and ``torch.compile`` (torch's own generators refuse
``vmap(randomness="error")``). Only ``gamma``/``binomial``/``beta`` with a key fall back to a
``torch.Generator`` seeded from the key (they need rejection sampling).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina import config
from lamina.backend.torch.ops.core import DEVICE, to_torch_dtype

SEED_DTYPE = "int64"  # two 32-bit words; int64 so sums never overflow in torch's signed ints
_M32 = 0xFFFFFFFF
_TWO_M24 = 2.0**-24
_TWO_M32 = 2.0**-32
_SQRT2 = math.sqrt(2.0)


def set_seed(seed: int) -> None:
    """Seed torch's global generator (the ``key=None`` path)."""
    torch.manual_seed(int(seed))


def get_global_state() -> dict:
    """The state of torch's global generators (CPU, and every CUDA device when present) as
    NumPy uint8 arrays: what ``BackupAndRestore`` saves so that ``key=None`` draws (dropout
    built with ``seed=None``) continue exactly after a restart."""
    out = {"cpu": torch.get_rng_state().numpy().copy()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, st in enumerate(torch.cuda.get_rng_state_all()):
            out[f"cuda{i}"] = st.numpy().copy()
    return out


def set_global_state(state: dict) -> None:
    """Put back a state returned by :func:`get_global_state`."""
    torch.set_rng_state(torch.from_numpy(state["cpu"].copy()))
    cuda = [state[k] for k in sorted(k for k in state if k.startswith("cuda"))]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([torch.from_numpy(c.copy()) for c in cuda])


def seed_state(seed: int) -> torch.Tensor:
    """The seed state of an int seed: ``[seed, 0]`` (as Keras's ``draw_seed``)."""
    return torch.tensor([int(seed) & _M32, 0], dtype=torch.int64, device=DEVICE)


_ONE = {}


def next_seed_state(state: torch.Tensor) -> torch.Tensor:
    """The state after ``state``: the counter word goes up by one (as Keras's ``SeedGenerator.next``)."""
    inc = _ONE.get(state.device)
    if inc is None:
        inc = _ONE[state.device] = torch.tensor([0, 1], dtype=torch.int64, device=state.device)
    return state + inc


# ------------------------------------------------------------------ the counter-based hash
def _mix(x):
    """A bijection of 32-bit words (Wellons' low-bias xorshift-multiply hash).

    Both multipliers are below 2**31 and ``x`` below 2**32, so no int64 product overflows."""
    x = x ^ (x >> 16)
    x = (x * 0x21F0AAAD) & _M32
    x = x ^ (x >> 15)
    x = (x * 0x735A2D97) & _M32
    return x ^ (x >> 15)


def random_bits(key, n: int, device=None) -> torch.Tensor:
    """``n`` pseudo-random 32-bit words (int64 tensor) for ``key``: distinct for distinct indices."""
    device = device or DEVICE
    k = key.to(device=device, dtype=torch.int64)
    s0 = _mix(k[0] & _M32)
    s1 = _mix((k[1] + 0x5BD1E995) & _M32)
    c = torch.arange(n, dtype=torch.int64, device=device)
    return _mix(_mix((c + s0) & _M32) ^ s1)


def _shape(shape):
    return tuple(int(d) for d in shape)


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _unit(key, shape, dtype, device=None, open_low=False):
    """Uniform floats in [0, 1) (or (0, 1) with ``open_low``) of ``shape``."""
    shape = _shape(shape)
    bits = random_bits(key, _numel(shape), device)
    if dtype == torch.float64:
        u = bits.to(torch.float64) * _TWO_M32
        if open_low:
            u = u + 0.5 * _TWO_M32
    else:
        u = (bits >> 8).to(torch.float32)
        if open_low:
            u = u + 0.5
        u = (u * _TWO_M24).to(dtype)
    return u.reshape(shape)


def _float(dtype):
    """The torch dtype of a float draw: ``dtype``, else floatx (as Keras 3; not torch's default)."""
    return to_torch_dtype(dtype if dtype is not None else config.floatx())


# ------------------------------------------------------------------ the kernels
def uniform(shape, minval=0.0, maxval=1.0, dtype=None, key=None):
    tdtype = _float(dtype)
    if key is None:
        return torch.empty(_shape(shape), dtype=tdtype, device=DEVICE).uniform_(minval, maxval)
    u = _unit(key, shape, tdtype)
    return u * (maxval - minval) + minval


def normal(shape, mean=0.0, stddev=1.0, dtype=None, key=None):
    tdtype = _float(dtype)
    if key is None:
        return torch.empty(_shape(shape), dtype=tdtype, device=DEVICE).normal_(mean, stddev)
    # Inverse CDF of the standard normal on a uniform in (0, 1).
    u = _unit(key, shape, torch.float64 if tdtype == torch.float64 else torch.float32, open_low=True)
    z = torch.erfinv(u * 2.0 - 1.0) * _SQRT2
    return (z * stddev + mean).to(tdtype)


_PHI_M2 = 0.5 * (1.0 + math.erf(-2.0 / _SQRT2))  # P(Z < -2)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, key=None):
    """Normal values within two standard deviations of the mean (as Keras): the inverse CDF of a
    uniform draw restricted to [P(Z < -2), P(Z < 2)]."""
    tdtype = _float(dtype)
    wdtype = torch.float64 if tdtype == torch.float64 else torch.float32
    if key is None:
        u = torch.rand(_shape(shape), dtype=wdtype, device=DEVICE)
    else:
        u = _unit(key, shape, wdtype, open_low=True)
    p = _PHI_M2 + u * (1.0 - 2.0 * _PHI_M2)
    z = torch.erfinv(p * 2.0 - 1.0) * _SQRT2
    return (z.clamp(-2.0, 2.0) * stddev + mean).to(tdtype)


def randint(shape, minval, maxval, dtype="int32", key=None):
    tdtype = to_torch_dtype(dtype)
    shape = _shape(shape)
    if key is None:
        return torch.randint(int(minval), int(maxval), shape, dtype=tdtype, device=DEVICE)
    span = int(maxval) - int(minval)
    bits = random_bits(key, _numel(shape))
    if span < 2**31:
        offs = (bits * span) >> 32
    else:
        offs = torch.floor(bits.to(torch.float64) * _TWO_M32 * span).to(torch.int64)
    return (offs + int(minval)).to(tdtype).reshape(shape)


def dropout(x, rate, noise_shape=None, key=None):
    """Inverted dropout: zero with probability ``rate``, scale the kept values by 1 / (1 - rate)."""
    if key is None and noise_shape is None:
        return F.dropout(x, rate, training=True)
    keep = 1.0 - rate
    shape = tuple(x.shape) if noise_shape is None else tuple(
        x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    if key is None:
        mask = torch.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(keep)
    else:
        bits = random_bits(key, _numel(shape), x.device).reshape(shape)
        mask = ((bits >> 8) >= int(round(rate * 2**24))).to(x.dtype)
    return x * mask * (1.0 / keep)


def bernoulli(shape, p, dtype=None, key=None, device=None):
    """A 0/1 tensor with P(1) = ``p``."""
    tdtype = _float(dtype)
    device = device or DEVICE
    if key is None:
        return torch.empty(_shape(shape), dtype=tdtype, device=device).bernoulli_(p)
    bits = random_bits(key, _numel(_shape(shape)), device).reshape(_shape(shape))
    return ((bits >> 8) < int(round(p * 2**24))).to(tdtype)


def categorical(logits, num_samples, dtype="int32", key=None):
    """``num_samples`` class indices per row of ``logits`` (batch, classes)."""
    tdtype = to_torch_dtype(dtype)
    if key is None:
        probs = torch.softmax(logits.float(), dim=-1)
        return torch.multinomial(probs, int(num_samples), replacement=True).to(tdtype)
    batch, classes = logits.shape
    u = _unit(key, (batch, int(num_samples), classes), torch.float32, logits.device, open_low=True)
    gumbel = -torch.log(-torch.log(u))  # Gumbel-max: argmax(logits + G) ~ softmax(logits)
    return torch.argmax(logits.float()[:, None, :] + gumbel, dim=-1).to(tdtype)


def shuffle(x, axis=0, key=None):
    n = x.shape[axis]
    if key is None:
        perm = torch.randperm(n, device=x.device)
    else:
        perm = torch.argsort(random_bits(key, n, x.device))
    return torch.index_select(x, axis, perm)


def _generator(key):
    """A CPU ``torch.Generator`` seeded from ``key`` (reads the key on the host)."""
    k0, k1 = (int(v) & _M32 for v in key.cpu().tolist())
    g = torch.Generator()
    g.manual_seed((k0 << 32) | k1)
    return g


def gamma(shape, alpha, dtype=None, key=None):
    tdtype = _float(dtype)
    shape = _shape(shape)
    a = torch.as_tensor(alpha, dtype=torch.float64 if tdtype == torch.float64 else torch.float32)
    if key is None:
        return torch._standard_gamma(a.to(DEVICE).expand(shape).contiguous()).to(tdtype)
    out = torch._standard_gamma(a.cpu().expand(shape).contiguous(), generator=_generator(key))
    return out.to(device=DEVICE, dtype=tdtype)


def binomial(shape, counts, probabilities, dtype=None, key=None):
    tdtype = _float(dtype)
    shape = _shape(shape)
    c = torch.as_tensor(counts, dtype=torch.float32).expand(shape).contiguous()
    p = torch.as_tensor(probabilities, dtype=torch.float32).expand(shape).contiguous()
    if key is None:
        return torch.binomial(c.to(DEVICE), p.to(DEVICE)).to(tdtype)
    out = torch.binomial(c.cpu(), p.cpu(), generator=_generator(key))
    return out.to(device=DEVICE, dtype=tdtype)


def beta(shape, alpha, beta, dtype=None, key=None):
    """X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta)."""
    tdtype = _float(dtype)
    shape = _shape(shape)
    wdtype = torch.float64 if tdtype == torch.float64 else torch.float32
    a = torch.as_tensor(alpha, dtype=wdtype).expand(shape).contiguous()
    b = torch.as_tensor(beta, dtype=wdtype).expand(shape).contiguous()
    if key is None:
        x, y = torch._standard_gamma(a.to(DEVICE)), torch._standard_gamma(b.to(DEVICE))
    else:
        g = _generator(key)
        x, y = torch._standard_gamma(a.cpu(), generator=g), torch._standard_gamma(b.cpu(), generator=g)
    return (x / (x + y)).to(device=DEVICE, dtype=tdtype)
