"""Backend-neutral ops (``lamina.ops``): the functions layers, losses, metrics and optimizers use.

They are the current backend's ops, bound directly: calling ``lamina.ops.matmul`` costs the
same as calling the backend's own function.
"""

import types as _types

from lamina.backend import ops as _backend_ops

for _n in dir(_backend_ops):
    _v = getattr(_backend_ops, _n)
    if not _n.startswith("_") and not isinstance(_v, _types.ModuleType):
        globals()[_n] = _v
del _n, _v
