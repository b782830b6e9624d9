"""The torch backend's op set: what ``lamina.ops`` re-exports under torch."""

from lamina.backend.torch.ops.core import *  # noqa: F401,F403
from lamina.backend.torch.ops.core import DEVICE, Tensor, to_torch_dtype  # noqa: F401
from lamina.backend.torch.ops.nn import *  # noqa: F401,F403
from lamina.backend.torch.ops.losses_ops import *  # noqa: F401,F403
from lamina.backend.torch.ops.norm_attn import *  # noqa: F401,F403
from lamina.backend.torch.ops.rnn import *  # noqa: F401,F403
from lamina.backend.torch.ops.conv import *  # noqa: F401,F403
# The kernels of the public op API (lamina.ops.numpy, .nn, .linalg, .math, .image, .core).
from lamina.backend.torch.ops import core_ops, image_ops, linalg_ops, math_ops, nn_ops, numpy_ops  # noqa: F401,E402
