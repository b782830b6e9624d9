"""lamina's private op namespace: the backend's op set as it is, for lamina's own code.

It holds the public op names bound directly to the backend's fastest kernels (``matmul`` is
``torch.matmul`` under torch: no conversion, no promotion step) plus backend-shaped helpers that
are not part of Keras's ``ops`` API: fused losses (``categorical_crossentropy_mean``), ``addmm``,
``fused_rnn``, ``embedding_lookup``, masks for attention, normalization kernels. Layers use it in
their hot paths; users should use ``lamina.ops``, whose names and semantics follow ``keras.ops``.
"""

import types as _types

from lamina.backend import ops as _backend_ops

for _n in dir(_backend_ops):
    _v = getattr(_backend_ops, _n)
    if not _n.startswith("_") and not isinstance(_v, _types.ModuleType):
        globals()[_n] = _v
del _n, _v
