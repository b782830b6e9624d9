"""Activation functions with Keras names and defaults.

``lamina.activations.get('relu')`` returns the function; ``serialize`` gives back its name.
"""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.ops.symbolic_dispatch import dispatching as _dispatching
from lamina.utils.registry import lookup


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0), with Keras's optional negative slope, cap and threshold."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    return ops.relu_with(x, negative_slope, max_value, threshold)


def sigmoid(x):
    return ops.sigmoid(x)


def softmax(x, axis=-1):
    return ops.softmax(x, axis)


def log_softmax(x, axis=-1):
    return ops.log_softmax(x, axis)


def tanh(x):
    return ops.tanh(x)


def elu(x, alpha=1.0):
    return ops.elu(x, alpha)


def selu(x):
    return ops.selu(x)


def softplus(x):
    return ops.softplus(x)


def softsign(x):
    return ops.softsign(x)


def silu(x):
    return ops.silu(x)


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit; Keras's default is the exact (erf) form."""
    return ops.gelu(x, approximate)


def leaky_relu(x, negative_slope=0.2):
    return ops.leaky_relu(x, negative_slope)


def hard_sigmoid(x):
    """relu6(x + 3) / 6, as Keras 3 defines it."""
    return ops.hard_sigmoid(x)


def hard_silu(x):
    return ops.hard_silu(x)


hard_swish = hard_silu


def relu6(x):
    return ops.relu6(x)


def mish(x):
    return ops.mish(x)


def exponential(x):
    return ops.exp(x)


def linear(x):
    return x


# On symbolic tensors of the functional API each function records a graph node (as in Keras 3).
for _n, _f in list(globals().items()):
    if callable(_f) and getattr(_f, "__module__", None) == __name__ and not _n.startswith("_"):
        globals()[_n] = _dispatching(f"activations.{_n}", _f)
del _n, _f

_TABLE = {f.__name__: f for f in (
    relu, sigmoid, softmax, log_softmax, tanh, elu, selu, softplus, softsign, silu, gelu,
    leaky_relu, hard_sigmoid, hard_silu, relu6, mish, exponential, linear)}
_TABLE.update({"swish": silu, "hard_swish": hard_silu})
_NAMES = {id(f): n for n, f in _TABLE.items() if n not in ("swish", "hard_swish")}
_NAMES[id(silu)] = "silu"


def get(identifier):
    """The activation function for a name, a callable (returned as is) or None ('linear')."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        identifier = identifier.get("config", {}).get("name", identifier.get("class_name"))
    return lookup("activation", identifier, _TABLE, instantiate=False)


def serialize(fn) -> str:
    name = _NAMES.get(id(fn))
    if name is not None:
        return name
    if hasattr(fn, "get_config"):
        return {"class_name": type(fn).__name__, "config": fn.get_config()}
    return getattr(fn, "__name__", str(fn))


def deserialize(name):
    return get(name)
