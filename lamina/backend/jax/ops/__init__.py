"""The JAX backend's op set: what ``lamina.ops`` re-exports under JAX."""

from lamina.backend.jax.ops.core import *  # noqa: F401,F403
from lamina.backend.jax.ops.core import Tensor, to_jax_dtype  # noqa: F401
from lamina.backend.jax.ops.nn import *  # noqa: F401,F403
from lamina.backend.jax.ops.conv import *  # noqa: F401,F403
from lamina.backend.jax.ops.rnn import *  # noqa: F401,F403
# The kernels of the public op API (lamina.ops.numpy, .nn, .linalg, .math, .image, .core).
from lamina.backend.jax.ops import core_ops, image_ops, linalg_ops, math_ops, nn_ops, numpy_ops  # noqa: F401,E402
