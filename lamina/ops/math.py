"""Math ops (``keras.ops.math``): segment reductions, top-k, FFTs, STFT, special functions.

FFT ops take and return ``(real, imag)`` pairs of float tensors.

Example:
    >>> from lamina.ops import math
    >>> math.segment_sum([1.0, 2.0, 3.0], [0, 0, 1]).tolist()
    [3.0, 3.0]
"""

from lamina.backend import ops as _backend_ops
from lamina.ops.symbolic_dispatch import dispatching as _dispatching

__all__ = [
    "cdist", "erf", "erfc", "erfinv", "extract_sequences", "fft", "fft2", "ifft2", "in_top_k",
    "irfft", "istft", "logdet", "logsumexp", "rfft", "rsqrt", "segment_max", "segment_min",
    "segment_prod", "segment_sum", "stft", "top_k", "view_as_complex", "view_as_real",
]

_kernels = _backend_ops.math_ops
for _name in __all__:
    globals()[_name] = _dispatching(f"ops.{_name}", getattr(_kernels, _name))
del _name
