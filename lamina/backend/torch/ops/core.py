"""Core tensor ops for the torch backend, spelled like Keras/NumPy (axis, keepdims).

Functions are thin: where torch already has the same signature the torch function itself is
bound, so a layer's call pays no extra Python frame.
"""

from __future__ import annotations

import builtins
import os

import numpy as np
import torch

from lamina import config
from lamina.backend.common.dtypes import result_type



def default_device(environ=os.environ, cuda_count=None) -> str:
    """lamina's device at import: ``LAMINA_DEVICE`` if set (e.g. 'cpu', 'cuda:1'), else CUDA when
    available (under torchrun the process's own GPU, ``cuda:LOCAL_RANK``), else the CPU.
    ``lamina.device("cuda:1")`` changes it within a scope."""
    if environ.get("LAMINA_DEVICE"):
        return environ["LAMINA_DEVICE"]
    count = torch.cuda.device_count() if cuda_count is None else cuda_count
    if count == 0:
        return "cpu"
    return f"cuda:{int(environ.get('LOCAL_RANK', '0') or 0) % count}"


DEVICE = torch.device(default_device())

_DTYPES = {
    "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
    "float64": torch.float64, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32,
    "int64": torch.int64, "uint8": torch.uint8, "bool": torch.bool, "complex64": torch.complex64,
    "complex128": torch.complex128, "uint16": torch.uint16, "uint32": torch.uint32, "uint64": torch.uint64,
}
_NAMES = {v: k for k, v in _DTYPES.items()}
Tensor = torch.Tensor


def to_torch_dtype(dtype):
    if dtype is None:
        return None
    if isinstance(dtype, torch.dtype):
        return dtype
    name = standardize_dtype(dtype)
    try:
        return _DTYPES[name]
    except KeyError:
        raise ValueError(f"Unsupported dtype {dtype!r}. Expected one of {sorted(_DTYPES)}.") from None


def standardize_dtype(dtype) -> str:
    """Return a dtype's canonical string name ('float32', 'int64', ...)."""
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, torch.dtype):
        return _NAMES[dtype]
    if isinstance(dtype, str):
        if dtype in ("float", "float_"):
            return "float32"
        if dtype == "int":
            return "int64"
        return dtype
    if dtype is float:
        return "float32"
    if dtype is int:
        return "int64"
    if dtype is bool:
        return "bool"
    return np.dtype(dtype).name


def is_tensor(x) -> bool:
    return isinstance(x, torch.Tensor)


def convert_to_tensor(x, dtype=None):
    """Make a tensor on lamina's device; NumPy floats become floatx unless dtype says otherwise."""
    tdtype = to_torch_dtype(dtype)
    if isinstance(x, torch.Tensor):
        if tdtype is not None and x.dtype != tdtype:
            x = x.to(tdtype)
        if x.device != DEVICE:
            x = x.to(DEVICE)
        return x
    if isinstance(x, np.ndarray):
        if tdtype is None:
            if x.dtype.kind == "f":
                tdtype = _DTYPES[config.floatx()]
            elif x.dtype.kind in "iu" and x.dtype != np.uint8:
                tdtype = torch.int64 if x.dtype.itemsize == 8 else _DTYPES.get(x.dtype.name)
        if not x.flags.writeable or not x.flags.c_contiguous:
            x = np.ascontiguousarray(x).copy() if not x.flags.writeable else np.ascontiguousarray(x)
        if x.dtype.kind == "U" or x.dtype == object:
            raise TypeError(
                f"Cannot convert a NumPy array of dtype {x.dtype} to a tensor; "
                "only numeric and boolean arrays are supported."
            )
        t = torch.from_numpy(x)
        return t.to(device=DEVICE, dtype=tdtype or t.dtype)
    if hasattr(x, "__array__") and not isinstance(x, (list, tuple, int, float, bool)):
        return convert_to_tensor(np.asarray(x), dtype)
    if tdtype is None:
        arr = np.asarray(x)
        if arr.dtype.kind == "f":
            tdtype = _DTYPES[config.floatx()]
        elif arr.dtype.kind in "iu":
            tdtype = _python_int_dtype(x, arr)
        return torch.as_tensor(arr, dtype=tdtype, device=DEVICE)
    return torch.as_tensor(x, dtype=tdtype, device=DEVICE)


_I32 = np.iinfo(np.int32)


def _python_int_dtype(x, arr):
    """The dtype of integers given as Python/NumPy numbers (one, or nested lists of them) whose
    NumPy array is ``arr``, as Keras 3: Python ints give int32; NumPy integer scalars take part
    in Keras's ``result_type`` with the Python ints weak (``[np.int8(1), 2]`` is int8,
    ``[np.int64(1)]`` int32). Values int32 cannot hold stay int64 (Keras 3 refuses them)."""
    name = "int32"
    if isinstance(x, (list, tuple)):
        kinds, todo = set(), [x]
        while todo:
            for v in todo.pop():
                if isinstance(v, (list, tuple)):
                    todo.append(v)
                elif isinstance(v, np.generic):
                    kinds.add(v.dtype)
                elif not isinstance(v, (bool, int)):  # tensors or arrays inside the list: NumPy's widths
                    return torch.int64 if arr.dtype.itemsize == 8 else _DTYPES[arr.dtype.name]
        if builtins.any(k.kind != "b" for k in kinds):
            name = result_type(*kinds)  # Python ints are weak next to NumPy integers
    if name == "int32" and arr.dtype.itemsize == 8 and arr.size and (
            arr.max() > _I32.max or arr.min() < _I32.min):
        return torch.int64
    return _DTYPES[name]


def convert_to_numpy(x):
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.cpu().numpy()
    return np.asarray(x)


def cast(x, dtype):
    tdtype = to_torch_dtype(dtype)
    if not isinstance(x, torch.Tensor):
        return convert_to_tensor(x, tdtype)
    return x if x.dtype == tdtype else x.to(tdtype)


def dtype(x) -> str:
    return _NAMES[x.dtype]


def is_float_dtype(dtype) -> bool:
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype) -> bool:
    return standardize_dtype(dtype).startswith(("int", "uint"))


def shape(x) -> tuple:
    return tuple(x.shape)


def ndim(x) -> int:
    return x.dim()


def size(x) -> int:
    return x.numel()


# ---------------------------------------------------------------- creation
def zeros(shape, dtype=None):
    return torch.zeros(tuple(shape), dtype=to_torch_dtype(dtype), device=DEVICE)


def ones(shape, dtype=None):
    return torch.ones(tuple(shape), dtype=to_torch_dtype(dtype), device=DEVICE)


def full(shape, fill_value, dtype=None):
    return torch.full(tuple(shape), fill_value, dtype=to_torch_dtype(dtype), device=DEVICE)


def zeros_like(x, dtype=None):
    return torch.zeros_like(x, dtype=to_torch_dtype(dtype) if dtype else None)


def ones_like(x, dtype=None):
    return torch.ones_like(x, dtype=to_torch_dtype(dtype) if dtype else None)


def full_like(x, fill_value, dtype=None):
    return torch.full_like(x, fill_value, dtype=to_torch_dtype(dtype) if dtype else None)


def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    return torch.arange(start, stop, step, dtype=to_torch_dtype(dtype) if dtype else None, device=DEVICE)


def eye(n, m=None, dtype=None):
    return torch.eye(n, m if m is not None else n, dtype=to_torch_dtype(dtype), device=DEVICE)


def linspace(start, stop, num=50, dtype=None):
    return torch.linspace(start, stop, num, dtype=to_torch_dtype(dtype), device=DEVICE)


# ---------------------------------------------------------------- elementwise
add = torch.add
subtract = torch.subtract
multiply = torch.multiply
divide = torch.true_divide
negative = torch.negative
power = torch.pow
sqrt = torch.sqrt
rsqrt = torch.rsqrt
square = torch.square
exp = torch.exp
expm1 = torch.expm1
log = torch.log
log1p = torch.log1p
abs = torch.abs  # noqa: A001
absolute = torch.abs
sign = torch.sign
floor = torch.floor
ceil = torch.ceil
sin = torch.sin
cos = torch.cos
tan = torch.tan
tanh = torch.tanh
erf = torch.erf
reciprocal = torch.reciprocal
isnan = torch.isnan
isinf = torch.isinf
isfinite = torch.isfinite
logical_and = torch.logical_and
logical_or = torch.logical_or
logical_not = torch.logical_not
floor_divide = torch.floor_divide
mod = torch.remainder


def round(x, decimals=0):  # noqa: A001
    return torch.round(x, decimals=decimals)


def _t(x, like=None):
    if isinstance(x, torch.Tensor):
        return x
    if like is not None and isinstance(x, (int, float, bool)):
        return torch.tensor(x, dtype=like.dtype, device=like.device)
    return convert_to_tensor(x)


def maximum(x1, x2):
    if not isinstance(x2, torch.Tensor):
        return torch.clamp_min(x1, x2) if isinstance(x1, torch.Tensor) else torch.maximum(_t(x1), _t(x2))
    if not isinstance(x1, torch.Tensor):
        return torch.clamp_min(x2, x1)
    return torch.maximum(x1, x2)


def minimum(x1, x2):
    if not isinstance(x2, torch.Tensor):
        return torch.clamp_max(x1, x2) if isinstance(x1, torch.Tensor) else torch.minimum(_t(x1), _t(x2))
    if not isinstance(x1, torch.Tensor):
        return torch.clamp_max(x2, x1)
    return torch.minimum(x1, x2)


def clip(x, x_min, x_max):
    return torch.clamp(x, x_min, x_max)


def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return torch.nonzero(condition, as_tuple=True)
    if not isinstance(x1, torch.Tensor):
        x1 = _t(x1, x2 if isinstance(x2, torch.Tensor) else None)
    if not isinstance(x2, torch.Tensor):
        x2 = _t(x2, x1)
    return torch.where(condition, x1, x2)


def equal(x1, x2):
    return torch.eq(x1, x2)


def not_equal(x1, x2):
    return torch.ne(x1, x2)


def greater(x1, x2):
    return torch.gt(x1, x2)


def greater_equal(x1, x2):
    return torch.ge(x1, x2)


def less(x1, x2):
    return torch.lt(x1, x2)


def less_equal(x1, x2):
    return torch.le(x1, x2)


# ---------------------------------------------------------------- reductions
def _axis(axis):
    if axis is None:
        return None
    if isinstance(axis, list):
        return tuple(axis)
    return axis


def sum(x, axis=None, keepdims=False):  # noqa: A001
    if axis is None:
        return torch.sum(x) if not keepdims else torch.sum(x).reshape([1] * x.dim())
    return torch.sum(x, dim=_axis(axis), keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    if not x.is_floating_point():
        x = x.to(torch.float32)
    if axis is None:
        return torch.mean(x) if not keepdims else torch.mean(x).reshape([1] * x.dim())
    return torch.mean(x, dim=_axis(axis), keepdim=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    if axis is None:
        return torch.amax(x) if not keepdims else torch.amax(x).reshape([1] * x.dim())
    return torch.amax(x, dim=_axis(axis), keepdim=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    if axis is None:
        return torch.amin(x) if not keepdims else torch.amin(x).reshape([1] * x.dim())
    return torch.amin(x, dim=_axis(axis), keepdim=keepdims)


_PROD_INT32 = (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32)


def prod(x, axis=None, keepdims=False):
    # torch.prod widens integers to int64; Keras 3 gives int32 for bool and ints up to int32
    dt = torch.int32 if x.dtype in _PROD_INT32 else None
    if axis is None:
        return torch.prod(x, dtype=dt)
    if isinstance(axis, (tuple, list)):
        for a in sorted((a % x.dim() for a in axis), reverse=True):
            x = torch.prod(x, dim=a, keepdim=keepdims, dtype=dt)
        return x
    return torch.prod(x, dim=axis, keepdim=keepdims, dtype=dt)


def var(x, axis=None, keepdims=False):
    return torch.var(x, dim=_axis(axis), keepdim=keepdims, correction=0)


def std(x, axis=None, keepdims=False):
    return torch.std(x, dim=_axis(axis), keepdim=keepdims, correction=0)


def logsumexp(x, axis=None, keepdims=False):
    if axis is None:
        return torch.logsumexp(x.reshape(-1), dim=0)
    return torch.logsumexp(x, dim=_axis(axis), keepdim=keepdims)


def argmax(x, axis=None, keepdims=False):
    return torch.argmax(x, dim=axis, keepdim=keepdims)


def argmin(x, axis=None, keepdims=False):
    return torch.argmin(x, dim=axis, keepdim=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    if axis is None:
        return torch.any(x)
    return torch.any(x, dim=_axis(axis), keepdim=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    if axis is None:
        return torch.all(x)
    return torch.all(x, dim=_axis(axis), keepdim=keepdims)


def cumsum(x, axis=None):
    if axis is None:
        return torch.cumsum(x.reshape(-1), 0)
    return torch.cumsum(x, dim=axis)


def norm(x, ord=None, axis=None, keepdims=False):
    return torch.linalg.norm(x, ord=ord, dim=_axis(axis), keepdim=keepdims)


# ---------------------------------------------------------------- shape
def reshape(x, new_shape):
    return torch.reshape(x, tuple(-1 if d is None else d for d in new_shape))


def transpose(x, axes=None):
    if axes is None:
        return x.permute(*reversed(range(x.dim())))
    return x.permute(*axes)


expand_dims = torch.unsqueeze


def squeeze(x, axis=None):
    if axis is None:
        return torch.squeeze(x)
    return torch.squeeze(x, dim=axis)


def concatenate(xs, axis=0):
    return torch.cat(list(xs), dim=axis)


def stack(xs, axis=0):
    return torch.stack(list(xs), dim=axis)


def split(x, indices_or_sections, axis=0):
    if isinstance(indices_or_sections, int):
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    return list(torch.tensor_split(x, list(indices_or_sections), dim=axis))


def unstack(x, axis=0):
    return list(torch.unbind(x, dim=axis))


def take(x, indices, axis=None):
    if not isinstance(indices, torch.Tensor):
        indices = torch.as_tensor(np.asarray(indices), device=x.device)
    if axis is None:
        return x.reshape(-1)[indices]
    return torch.index_select(x, axis, indices.reshape(-1)).reshape(
        x.shape[:axis % x.dim()] + indices.shape + x.shape[axis % x.dim() + 1:]
    )


def take_along_axis(x, indices, axis):
    return torch.take_along_dim(x, indices, dim=axis)


def tile(x, repeats):
    return torch.tile(x, tuple(repeats))


def repeat(x, repeats, axis=None):
    return torch.repeat_interleave(x, repeats, dim=axis)


def broadcast_to(x, shape):
    return torch.broadcast_to(x, tuple(shape))


def flip(x, axis=None):
    if axis is None:
        axis = tuple(range(x.dim()))
    elif isinstance(axis, int):
        axis = (axis,)
    return torch.flip(x, dims=tuple(axis))


def pad(x, pad_width, mode="constant", constant_values=0):
    """NumPy-style pad: pad_width is ((before, after), ...) per axis."""
    flat = []
    for before, after in reversed([tuple(p) for p in pad_width]):
        flat.extend([before, after])
    if mode == "constant":
        return torch.nn.functional.pad(x, flat, mode="constant", value=constant_values)
    return torch.nn.functional.pad(x, flat, mode=mode)


def sort(x, axis=-1):
    return torch.sort(x, dim=axis).values


def argsort(x, axis=-1):
    return torch.argsort(x, dim=axis)


def top_k(x, k, sorted=True):  # noqa: A002
    r = torch.topk(x, k, dim=-1, sorted=sorted)
    return r.values, r.indices


def in_top_k(targets, predictions, k):
    targets = targets.reshape(-1, 1).long()
    target_vals = torch.gather(predictions, 1, targets)
    return (predictions > target_vals).sum(dim=1) < k


def one_hot(x, num_classes, dtype=None):
    out = torch.nn.functional.one_hot(x.long(), num_classes)
    return out.to(to_torch_dtype(dtype or config.floatx()))


matmul = torch.matmul
addmm = torch.addmm
dot = torch.matmul
einsum = torch.einsum
tensordot = torch.tensordot


def outer(x1, x2):
    return torch.outer(x1.reshape(-1), x2.reshape(-1))


def stop_gradient(x):
    return x.detach()


def copy(x):
    return x.clone()


def diagonal(x):
    return torch.diagonal(x)


# ---------------------------------------------------------------- random
_generator: torch.Generator | None = None


def set_seed(seed: int) -> None:
    torch.manual_seed(int(seed))


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    g = _gen(seed)
    out = torch.empty(tuple(shape), dtype=to_torch_dtype(dtype), device=DEVICE if g is None else "cpu")
    out.normal_(mean, stddev, generator=g)
    return out.to(DEVICE)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    g = _gen(seed)
    out = torch.empty(tuple(shape), dtype=to_torch_dtype(dtype), device=DEVICE if g is None else "cpu")
    out.uniform_(minval, maxval, generator=g)
    return out.to(DEVICE)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal values re-drawn until they lie within two standard deviations (as Keras)."""
    g = _gen(seed)
    out = torch.empty(tuple(shape), dtype=to_torch_dtype(dtype), device="cpu")
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=g)
    return (out * stddev + mean).to(DEVICE)


def random_bernoulli_mask(shape, keep_prob, dtype=None, like=None):
    """A 0/1 mask with P(1) = keep_prob, on the device of ``like``."""
    device = like.device if like is not None else DEVICE
    tdtype = like.dtype if like is not None else to_torch_dtype(dtype)
    return torch.empty(tuple(shape), dtype=tdtype, device=device).bernoulli_(keep_prob)


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    return torch.randint(minval, maxval, tuple(shape), generator=_gen(seed), dtype=to_torch_dtype(dtype)).to(DEVICE)


def shuffle_indices(n: int, seed=None):
    return torch.randperm(n, generator=_gen(seed)).to(DEVICE)


def _gen(seed):
    if seed is None:
        return None
    g = torch.Generator()
    g.manual_seed(int(seed))
    return g
