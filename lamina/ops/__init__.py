"""``lamina.ops``: the backend-neutral op API, with Keras 3's ``keras.ops`` names and semantics.

Submodules mirror Keras: ``lamina.ops.numpy``, ``.nn``, ``.linalg``, ``.math``, ``.image``,
``.core``; all but ``image`` are also flattened here (``lamina.ops.matmul``). Every op takes
tensors, NumPy arrays and Python numbers, follows NumPy's broadcasting and Keras's dtype
promotion (``lamina.backend.common.dtypes.result_type``). Structures for control flow are
handled by ``lamina.tree``.

lamina's own layers call backend kernels through the private ``lamina.ops._internal``.

Example:
    >>> import lamina
    >>> lamina.ops.matmul(lamina.ops.ones((2, 3)), lamina.ops.ones((3, 4))).shape
    torch.Size([2, 4])
"""

from lamina import backend as _backend
from lamina.ops import core, image, linalg, math, nn, numpy, symbolic_dispatch  # noqa: F401
from lamina.ops.core import *  # noqa: F401,F403
from lamina.ops.einops import rearrange  # noqa: F401
from lamina.ops.linalg import *  # noqa: F401,F403
from lamina.ops.math import *  # noqa: F401,F403
from lamina.ops.nn import *  # noqa: F401,F403
from lamina.ops.numpy import *  # noqa: F401,F403
from lamina.ops.core import shape, unstack  # noqa: F401,E402  (core's versions win, as in Keras)

symbolic_dispatch.add_leaf_type(type(_backend.ops.convert_to_tensor(0)))  # a concrete tensor: never symbolic
if getattr(_backend.Variable, "_read_by_ops", False):  # JAX: jnp takes no Variable, ops pass its value
    symbolic_dispatch.set_variable_type(_backend.Variable)

__all__ = sorted(set(core.__all__ + linalg.__all__ + math.__all__ + nn.__all__ + numpy.__all__ + ["rearrange"]))

# Transitional: lamina code not yet moved to lamina.ops._internal still reads these backend
# helpers from here. They are not part of the public API (absent from __all__ and dir()).
_TRANSITIONAL = frozenset({
    "Tensor", "set_seed", "standardize_dtype", "is_float_dtype", "is_int_dtype", "state_add", "state_assign",
    "batch_norm_inference", "batch_norm_train", "batch_norm_train_masked", "dropout", "bernoulli_like",
    "normal_like", "random_bernoulli_mask", "random_normal", "random_uniform", "random_randint",
    "truncated_normal", "shuffle_indices", "causal_mask", "sliding_window_mask", "masked_softmax",
    "fused_rnn", "DEVICE",
})


def __getattr__(name):
    if name in _TRANSITIONAL:
        from lamina.ops import _internal

        value = globals()[name] = getattr(_internal, name)  # later reads skip this hook
        return value
    raise AttributeError(f"module 'lamina.ops' has no attribute {name!r}")
