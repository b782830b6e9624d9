"""Core ops (``keras.ops.core``): conversion, dtypes, control flow, scatter/slice, gradients.

Control flow runs eagerly under torch and takes any nested structure (``lamina.tree``) as
loop state.

Example:
    >>> from lamina.ops import core
    >>> int(core.fori_loop(0, 4, lambda i, acc: acc + i, 0))
    6
"""

from lamina.backend import ops as _backend_ops
from lamina.ops.symbolic_dispatch import dispatching as _dispatching
from lamina.ops.symbolic_dispatch import shape_of as _shape_of

__all__ = [
    "associative_scan", "cast", "cond", "convert_to_numpy", "convert_to_tensor", "custom_gradient",
    "dtype", "fori_loop", "is_tensor", "map", "saturate_cast", "scan", "scatter", "scatter_update",
    "shape", "slice", "slice_update", "stop_gradient", "switch", "unstack", "vectorized_map",
    "while_loop",
]

_kernels = _backend_ops.core_ops
for _name in __all__:
    globals()[_name] = _dispatching(f"ops.{_name}", getattr(_kernels, _name))
shape = _shape_of(shape)  # noqa: F821  (on a symbolic tensor: its static shape)
del _name
