"""Linear algebra (``keras.ops.linalg``): decompositions, solves, norms.

Example:
    >>> from lamina.ops import linalg
    >>> float(linalg.det([[2.0, 0.0], [0.0, 3.0]]))
    6.0
"""

from lamina.backend import ops as _backend_ops
from lamina.ops.symbolic_dispatch import dispatching as _dispatching

__all__ = [
    "cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq", "lu_factor",
    "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd",
]

_kernels = _backend_ops.linalg_ops
for _name in __all__:
    globals()[_name] = _dispatching(f"ops.{_name}", getattr(_kernels, _name))
del _name
