"""The ``keras.ops.numpy`` kernels for the torch backend: element-wise math, reductions, products.

Element-wise ops are built from tables: the torch function and the dtype rule ("keep" the input
dtype, make ints "float", or promote two inputs with Keras's ``result_type``). A tensor input
takes one ``isinstance`` check before the torch call; NumPy arrays and Python numbers are
converted first. Array creation, shapes and indexing are in ``array_ops``.
"""

from __future__ import annotations

import builtins
import math

import torch

from lamina import config
from lamina.backend.common.dtypes import result_type
from lamina.backend.torch.ops._convert import Tensor, _pair, _t, axis_arg, dtype_name, promote, to_float
from lamina.backend.torch.ops.array_ops import *  # noqa: F401,F403
from lamina.backend.torch.ops.array_ops import array_split, moveaxis, reshape  # noqa: F401
from lamina.backend.torch.ops.core import DEVICE, to_torch_dtype

_py_abs, _py_max, _py_min, _py_round = builtins.abs, builtins.max, builtins.min, builtins.round
_SMALL_INTS = ("bool", "uint8", "int8", "int16", "uint16")


def _unary(name, fn, rule):
    if rule == "float":
        def op(x):
            x = x if isinstance(x, Tensor) else _t(x)
            return fn(x if x.is_floating_point() or x.is_complex() else to_float(x))
    elif rule == "float_keep_int":  # floor/ceil/trunc-like: ints keep their dtype
        def op(x):
            x = x if isinstance(x, Tensor) else _t(x)
            return fn(x) if x.is_floating_point() else x.clone()
    else:
        def op(x):
            return fn(x if isinstance(x, Tensor) else _t(x))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Element-wise ``{name}(x)``, as ``numpy.{name}``."
    return op


def _binary(name, fn, rule):
    if rule == "keep":  # torch's own promotion is Keras's for these
        def op(x1, x2):
            if isinstance(x1, Tensor) and isinstance(x2, Tensor):
                return fn(x1, x2)
            return fn(*_pair(x1, x2))
    else:
        floating = rule == "float"

        def op(x1, x2):
            a, b = _pair(x1, x2)
            if floating or a.dtype != b.dtype:
                a, b = promote(a, b, floating=floating)
            return fn(a, b)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Element-wise ``{name}(x1, x2)`` with broadcasting, as ``numpy.{name}``."
    return op


def _sinc(x):
    return torch.sinc(x)


def _cbrt(x):
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3.0)


def _signbit(x):
    return torch.signbit(x) if x.dtype != torch.bool else torch.zeros_like(x)


def _sign(x):
    return torch.sign(x) if x.dtype != torch.bool else x.clone()


def _abs(x):
    return x.clone() if x.dtype == torch.bool else torch.abs(x)


def _square(x):
    return torch.square(x.to(torch.int32) if x.dtype == torch.bool else x)


def _negative(x):
    return torch.logical_not(x) if x.dtype == torch.bool else torch.negative(x)


_UNARY = {
    # name: (torch function, dtype rule)
    "abs": (_abs, "keep"), "absolute": (_abs, "keep"), "negative": (torch.negative, "keep"),
    "sign": (_sign, "keep"), "square": (_square, "keep"), "conj": (torch.conj, "keep"),
    "conjugate": (torch.conj, "keep"), "logical_not": (torch.logical_not, "keep"),
    "isnan": (torch.isnan, "keep"), "isinf": (torch.isinf, "keep"), "isfinite": (torch.isfinite, "keep"),
    "isneginf": (torch.isneginf, "keep"), "isposinf": (torch.isposinf, "keep"), "signbit": (_signbit, "keep"),
    "bitwise_not": (torch.bitwise_not, "keep"), "bitwise_invert": (torch.bitwise_not, "keep"),
    "floor": (torch.floor, "float_keep_int"), "ceil": (torch.ceil, "float_keep_int"),
    "trunc": (torch.trunc, "float_keep_int"),
    "sqrt": (torch.sqrt, "float"), "exp": (torch.exp, "float"), "exp2": (torch.exp2, "float"),
    "expm1": (torch.expm1, "float"), "log": (torch.log, "float"), "log2": (torch.log2, "float"),
    "log10": (torch.log10, "float"), "log1p": (torch.log1p, "float"), "sin": (torch.sin, "float"),
    "cos": (torch.cos, "float"), "tan": (torch.tan, "float"), "arcsin": (torch.arcsin, "float"),
    "arccos": (torch.arccos, "float"), "arctan": (torch.arctan, "float"), "sinh": (torch.sinh, "float"),
    "cosh": (torch.cosh, "float"), "tanh": (torch.tanh, "float"), "arcsinh": (torch.arcsinh, "float"),
    "arccosh": (torch.arccosh, "float"), "arctanh": (torch.arctanh, "float"),
    "reciprocal": (torch.reciprocal, "float"), "cbrt": (_cbrt, "float"), "sinc": (_sinc, "float"),
    "deg2rad": (torch.deg2rad, "float"), "rad2deg": (torch.rad2deg, "float"), "i0": (torch.i0, "float"),
    "fabs": (torch.abs, "float"), "angle": (torch.angle, "float"),
}
_BINARY = {
    "add": (torch.add, "keep"), "subtract": (torch.subtract, "keep"), "multiply": (torch.multiply, "keep"),
    "divide": (torch.true_divide, "keep"), "true_divide": (torch.true_divide, "keep"),
    "power": (torch.pow, "keep"), "mod": (torch.remainder, "keep"), "fmod": (torch.fmod, "keep"),
    "maximum": (torch.maximum, "promote"), "minimum": (torch.minimum, "promote"),
    "fmax": (torch.fmax, "promote"), "fmin": (torch.fmin, "promote"),
    "floor_divide": (torch.floor_divide, "promote"),
    "equal": (torch.eq, "promote"), "not_equal": (torch.ne, "promote"), "greater": (torch.gt, "promote"),
    "greater_equal": (torch.ge, "promote"), "less": (torch.lt, "promote"), "less_equal": (torch.le, "promote"),
    "logical_and": (torch.logical_and, "keep"), "logical_or": (torch.logical_or, "keep"),
    "logical_xor": (torch.logical_xor, "keep"),
    "bitwise_and": (torch.bitwise_and, "promote"), "bitwise_or": (torch.bitwise_or, "promote"),
    "bitwise_xor": (torch.bitwise_xor, "promote"),
    "bitwise_left_shift": (torch.bitwise_left_shift, "promote"), "left_shift": (torch.bitwise_left_shift, "promote"),
    "bitwise_right_shift": (torch.bitwise_right_shift, "promote"),
    "right_shift": (torch.bitwise_right_shift, "promote"),
    "gcd": (torch.gcd, "promote"), "lcm": (torch.lcm, "promote"),
    "arctan2": (torch.atan2, "float"), "hypot": (torch.hypot, "float"), "logaddexp": (torch.logaddexp, "float"),
    "logaddexp2": (torch.logaddexp2, "float"), "nextafter": (torch.nextafter, "float"),
    "heaviside": (torch.heaviside, "float"),
}
for _n, (_f, _r) in _UNARY.items():
    globals()[_n] = _unary(_n, _f, _r)
for _n, (_f, _r) in _BINARY.items():
    globals()[_n] = _binary(_n, _f, _r)
del _n, _f, _r


def round(x, decimals=0):  # noqa: A001
    x = _t(x)
    if not x.is_floating_point():
        if decimals >= 0:
            return x.clone()
        f = 10 ** (-decimals)
        return (torch.round(x.double() / f) * f).to(x.dtype)
    return torch.round(x, decimals=decimals)


def clip(x, x_min, x_max):
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    return torch.clamp(x, x_min, x_max)


def ldexp(x1, x2):
    a, b = _pair(x1, x2)
    if b.is_floating_point():
        raise TypeError(f"ldexp() needs an integer exponent x2; received dtype {dtype_name(b)}.")
    a = to_float(a)
    return a * torch.pow(torch.tensor(2.0, dtype=a.dtype, device=a.device), b.to(a.dtype))


def divide_no_nan(x1, x2):
    a, b = promote(*_pair(x1, x2), floating=True)
    return torch.where(b == 0, torch.zeros((), dtype=a.dtype, device=a.device), a / b)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = _t(x)
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf) if x.is_floating_point() else x.clone()


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = promote(*_pair(x1, x2))
    return torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    return torch.all(isclose(x1, x2, rtol, atol, equal_nan))


def isreal(x):
    x = _t(x)
    return x.imag == 0 if x.is_complex() else torch.ones_like(x, dtype=torch.bool)


def real(x):
    x = _t(x)
    return x.real if x.is_complex() else x.clone()


def imag(x):
    x = _t(x)
    return x.imag if x.is_complex() else torch.zeros_like(x)


# ---------------------------------------------------------------- reductions
def _red(x, axis):
    x = _t(x)
    return x, axis_arg(axis)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    x, axis = _red(x, axis)
    # small ints and bools sum in int32; other dtypes keep theirs (torch would widen ints to int64)
    dt = torch.int32 if dtype_name(x) in _SMALL_INTS else x.dtype
    return torch.sum(x, dim=axis, keepdim=keepdims, dtype=dt) if axis is not None or keepdims else \
        torch.sum(x, dtype=dt)


def prod(x, axis=None, keepdims=False, dtype=None):
    x, axis = _red(x, axis)
    dt = to_torch_dtype(dtype) if dtype else (torch.int32 if dtype_name(x) in _SMALL_INTS else x.dtype)
    # torch.prod widens every integer input to int64 unless told the dtype (Keras keeps int32)
    if axis is None:
        out = torch.prod(x, dtype=dt)
        return out.reshape((1,) * x.dim()) if keepdims else out
    for a in sorted(((axis,) if isinstance(axis, int) else axis), key=lambda a: -(a % x.dim())):
        x = torch.prod(x, dim=a, keepdim=True, dtype=dt)
    return x if keepdims else x.squeeze(tuple(a for a in ((axis,) if isinstance(axis, int) else axis)))


def mean(x, axis=None, keepdims=False):
    x, axis = _red(x, axis)
    x = to_float(x)
    return torch.mean(x, dim=axis, keepdim=keepdims) if axis is not None or keepdims else torch.mean(x)


def _minmax(fn, x, axis, keepdims, initial):
    x, axis = _red(x, axis)
    if x.numel() == 0 and initial is not None:
        shape = list(x.shape)
        return torch.full([s for i, s in enumerate(shape) if axis is not None and i not in
                           [a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)]],
                          initial, dtype=x.dtype, device=x.device)
    out = fn(x, dim=axis, keepdim=keepdims) if axis is not None or keepdims else fn(x)
    if initial is not None:
        init = torch.tensor(initial, dtype=out.dtype, device=out.device)
        out = torch.maximum(out, init) if fn is torch.amax else torch.minimum(out, init)
    return out


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    return _minmax(torch.amax, x, axis, keepdims, initial)


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    return _minmax(torch.amin, x, axis, keepdims, initial)


def amax(x, axis=None, keepdims=False):
    return _minmax(torch.amax, x, axis, keepdims, None)


def amin(x, axis=None, keepdims=False):
    return _minmax(torch.amin, x, axis, keepdims, None)


def ptp(x, axis=None, keepdims=False):
    return amax(x, axis, keepdims) - amin(x, axis, keepdims)


def var(x, axis=None, keepdims=False):
    x, axis = _red(x, axis)
    return torch.var(to_float(x), dim=axis, keepdim=keepdims, correction=0)


def std(x, axis=None, keepdims=False):
    x, axis = _red(x, axis)
    return torch.std(to_float(x), dim=axis, keepdim=keepdims, correction=0)


def _arg(fn, x, axis, keepdims):
    x = _t(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        out = fn(x.reshape(-1))
        return (out.reshape((1,) * x.dim()) if keepdims else out).to(torch.int32)
    return fn(x, dim=axis, keepdim=keepdims).to(torch.int32)


def argmax(x, axis=None, keepdims=False):
    return _arg(torch.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg(torch.argmin, x, axis, keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    x, axis = _red(x, axis)
    x = x if x.dtype == torch.bool else x != 0
    return torch.any(x, dim=axis, keepdim=keepdims) if axis is not None or keepdims else torch.any(x)


def all(x, axis=None, keepdims=False):  # noqa: A001
    x, axis = _red(x, axis)
    x = x if x.dtype == torch.bool else x != 0
    return torch.all(x, dim=axis, keepdim=keepdims) if axis is not None or keepdims else torch.all(x)


def count_nonzero(x, axis=None):
    x, axis = _red(x, axis)
    return torch.count_nonzero(x, dim=axis).to(torch.int32)


def _cum(fn, x, axis, dtype):
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    dt = to_torch_dtype(dtype) if dtype else (torch.int32 if x.dtype == torch.bool else x.dtype)
    return fn(x, dim=axis, dtype=dt)


def cumsum(x, axis=None, dtype=None):
    return _cum(torch.cumsum, x, axis, dtype)


def cumprod(x, axis=None, dtype=None):
    return _cum(torch.cumprod, x, axis, dtype)


def average(x, axis=None, weights=None):
    x = to_float(_t(x))
    if weights is None:
        return mean(x, axis)
    w = _t(weights)
    x, w = promote(x, w, floating=True)
    if axis is not None and w.dim() == 1 and x.dim() > 1:
        shape = [1] * x.dim()
        shape[axis] = -1
        w = w.reshape(shape)
    w = torch.broadcast_to(w, x.shape)
    return torch.sum(x * w, dim=axis) / torch.sum(w, dim=axis) if axis is not None else \
        torch.sum(x * w) / torch.sum(w)


def _quantile(x, q, axis, method, keepdims, nan=False):
    x = to_float(_t(x))
    qt = _t(q).to(x.dtype if x.dtype != torch.float16 else torch.float32)
    work = x if x.dtype != torch.float16 else x.float()
    fn = torch.nanquantile if nan else torch.quantile
    if axis is None or isinstance(axis, int):
        out = fn(work, qt, dim=axis, keepdim=keepdims, interpolation=method)
    else:
        axes = [a % x.dim() for a in axis]
        rest = [i for i in range(x.dim()) if i not in axes]
        moved = work.permute(*rest, *axes).reshape(*[x.shape[i] for i in rest], -1)
        out = fn(moved, qt, dim=-1, interpolation=method)
        if keepdims:
            out = out.reshape(out.shape[:qt.dim()] + tuple(1 if i in axes else x.shape[i] for i in range(x.dim())))
    if keepdims and axis is None:
        out = out.reshape(out.shape[:qt.dim()] + (1,) * x.dim())
    return out.to(x.dtype)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, _t(q) / 100.0, axis, method, keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, nan=True)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, _t(q) / 100.0, axis, method, keepdims, nan=True)


def median(x, axis=None, keepdims=False):
    return _quantile(x, 0.5, axis, "linear", keepdims)


def nanmedian(x, axis=None, keepdims=False):
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=True)


def _nan_fill(x, value):
    x = _t(x)
    return torch.where(torch.isnan(x), torch.tensor(value, dtype=x.dtype, device=x.device), x) \
        if x.is_floating_point() else x


def nansum(x, axis=None, keepdims=False):
    return sum(_nan_fill(x, 0.0), axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    return prod(_nan_fill(x, 1.0), axis, keepdims)


def nanmax(x, axis=None, keepdims=False):
    return max(_nan_fill(x, -math.inf), axis, keepdims)


def nanmin(x, axis=None, keepdims=False):
    return min(_nan_fill(x, math.inf), axis, keepdims)


def nanargmax(x, axis=None, keepdims=False):
    return argmax(_nan_fill(x, -math.inf), axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    return argmin(_nan_fill(x, math.inf), axis, keepdims)


def nancumsum(x, axis=None, dtype=None):
    return cumsum(_nan_fill(x, 0.0), axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    return cumprod(_nan_fill(x, 1.0), axis, dtype)


def nanmean(x, axis=None, keepdims=False):
    x = to_float(_t(x))
    axis = axis_arg(axis)
    return torch.nanmean(x, dim=axis, keepdim=keepdims) if axis is not None or keepdims else torch.nanmean(x)


def nanvar(x, axis=None, keepdims=False):
    x = to_float(_t(x))
    axis = axis_arg(axis)
    m = torch.nanmean(x, dim=axis, keepdim=True)
    return torch.nanmean((x - m) ** 2, dim=axis, keepdim=keepdims) if axis is not None or keepdims else \
        torch.nanmean((x - m) ** 2)


def nanstd(x, axis=None, keepdims=False):
    return torch.sqrt(nanvar(x, axis, keepdims))


def diff(a, n=1, axis=-1):
    return torch.diff(_t(a), n=n, dim=axis)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = to_float(_t(y))
    if x is None:
        return torch.trapezoid(y, dx=dx, dim=axis)
    return torch.trapezoid(y, to_float(_t(x)).to(y.dtype), dim=axis)


# ---------------------------------------------------------------- products
def _both(x1, x2):
    a, b = _t(x1), _t(x2)
    return promote(a, b) if a.dtype != b.dtype else (a, b)


def _int_safe(fn, a, b):
    """torch has no integer matmul on some devices: compute ints in float64 and cast back."""
    if a.is_floating_point() or a.is_complex():
        return fn(a, b)
    if a.dtype == torch.bool:
        return fn(a.to(torch.int32), b.to(torch.int32)) != 0
    return fn(a.double(), b.double()).to(a.dtype) if a.device.type != "cpu" else fn(a, b)


def matmul(x1, x2):
    a, b = _both(x1, x2)
    return _int_safe(torch.matmul, a, b)


def dot(x1, x2):
    a, b = _both(x1, x2)
    if a.dim() == 0 or b.dim() == 0:
        return a * b
    if b.dim() > 2:
        return torch.tensordot(a, b, dims=([-1], [-2]))
    return _int_safe(torch.matmul, a, b)


def vdot(x1, x2):
    a, b = _both(x1, x2)
    return _int_safe(torch.dot, a.reshape(-1).conj() if a.is_complex() else a.reshape(-1), b.reshape(-1))


def inner(x1, x2):
    a, b = _both(x1, x2)
    return torch.inner(a, b)


def outer(x1, x2):
    a, b = _both(x1, x2)
    return torch.outer(a.reshape(-1), b.reshape(-1))


def kron(x1, x2):
    a, b = _both(x1, x2)
    return torch.kron(a, b)


def tensordot(x1, x2, axes=2):
    a, b = _both(x1, x2)
    if not isinstance(axes, int):
        axes = [list(ax) if not isinstance(ax, int) else [ax] for ax in axes]
    return torch.tensordot(a, b, dims=axes)


def einsum(subscripts, *operands, **kwargs):
    ops = [_t(o) for o in operands]
    if len({o.dtype for o in ops}) > 1:
        ops = promote(*ops)
    return torch.einsum(subscripts, *ops)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    a, b = _both(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = torch.movedim(a, axisa, -1), torch.movedim(b, axisb, -1)
    planar = a.shape[-1] == 2 and b.shape[-1] == 2
    if a.shape[-1] == 2:
        a = torch.nn.functional.pad(a, (0, 1))
    if b.shape[-1] == 2:
        b = torch.nn.functional.pad(b, (0, 1))
    a, b = torch.broadcast_tensors(a, b)
    out = torch.linalg.cross(a, b, dim=-1)
    return out[..., 2] if planar else torch.movedim(out, -1, axisc)


def correlate(x1, x2, mode="valid"):
    a, b = promote(_t(x1), _t(x2), floating=True)
    n, m = a.shape[0], b.shape[0]
    if mode == "valid":
        pad = 0
    elif mode == "same":
        pad = (m - 1) // 2
    elif mode == "full":
        pad = m - 1
    else:
        raise ValueError(f"correlate() received mode={mode!r}; expected 'valid', 'same' or 'full'.")
    if mode == "same":
        a = torch.nn.functional.pad(a, (m // 2, (m - 1) // 2))
        pad = 0
    out = torch.nn.functional.conv1d(a.reshape(1, 1, -1), b.reshape(1, 1, -1), padding=pad)
    out = out.reshape(-1)
    return out[:_py_max(n, m)] if mode == "same" else out


def corrcoef(x):
    return torch.corrcoef(to_float(_t(x)))


# ---------------------------------------------------------------- windows
def _window(fn, x, **kw):
    return fn(int(x), periodic=False, dtype=to_torch_dtype(config.floatx()), device=DEVICE, **kw)


def bartlett(x):
    return _window(torch.bartlett_window, x)


def blackman(x):
    return _window(torch.blackman_window, x)


def hamming(x):
    return _window(torch.hamming_window, x)


def hanning(x):
    return _window(torch.hann_window, x)


def kaiser(x, beta):
    return _window(torch.kaiser_window, x, beta=float(beta))


def vectorize(pyfunc, *, excluded=None, signature=None):
    """Vectorize ``pyfunc`` over the leading axis of its tensor arguments (``torch.vmap``)."""
    if excluded or signature:
        raise ValueError("vectorize() on the torch backend supports neither excluded= nor signature=.")

    def wrapped(*args):
        args = [_t(a) for a in args]
        shape = torch.broadcast_shapes(*[a.shape for a in args])
        flat = [a.broadcast_to(shape).reshape(-1) for a in args]
        return torch.vmap(pyfunc)(*flat).reshape(shape)

    return wrapped


def result_dtype(*dtypes):
    return result_type(*dtypes)


def slogdet(x):
    """(sign, log|det|) of square matrices, as ``numpy.linalg.slogdet``."""
    r = torch.linalg.slogdet(to_float(_t(x)))
    return r.sign, r.logabsdet
