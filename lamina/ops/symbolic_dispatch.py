"""Public functions on symbolic tensors: ``ops.mean(x)`` on a functional-API input builds a node.

In Keras 3 every ``keras.ops`` function, and the functional forms of losses and activations,
accept the symbolic tensors of the functional API: ``ops.mean(inputs, axis=-1)`` or Keras 2's
``binary_crossentropy(inputs, outputs)`` in a VAE returns a symbolic tensor whose value is
computed when the model runs. lamina does the same: :func:`dispatching` wraps a public function
so that, when an argument is symbolic, the call is recorded as a graph node (a
``BackendFunction`` layer naming the function by its qualified name, e.g.
``"ops.mean"``) instead of being computed.

This module sits at the ops level and knows nothing of layers: the functional API installs the
symbolic tensor type and the recorder with :func:`install` when it is imported. Until then no
tensor can be symbolic and the wrappers only forward.

Saved models name the function (``"losses.binary_crossentropy"``); loading resolves it only
through :data:`FUNCTIONS`, the functions wrapped here, so a file cannot name anything else.
"""

from __future__ import annotations

import functools

# qualified name ("ops.mean", "losses.mse") -> the eager function
FUNCTIONS: dict = {}
# Introspection and conversion: on a symbolic tensor these are errors or plain answers, not nodes.
NOT_RECORDED = frozenset({"is_tensor", "dtype", "convert_to_numpy", "convert_to_tensor"})

_symbolic_type = None
_recorder = None
# Argument types that can never hold a symbolic tensor; the backend adds its tensor type.
_LEAVES = {int, float, bool, str, type(None)}


def install(symbolic_type, recorder) -> None:
    """Make calls with ``symbolic_type`` arguments go to ``recorder(qualname, args, kwargs)``."""
    global _symbolic_type, _recorder
    _symbolic_type, _recorder = symbolic_type, recorder


def add_leaf_type(tensor_type) -> None:
    """Declare ``tensor_type`` (a backend's concrete tensor) as never symbolic: the wrappers then
    skip it without a further check."""
    _LEAVES.add(tensor_type)


# A backend whose Variable is not a tensor (JAX) names it here: public ops read its value, as
# every ``keras.ops`` function takes variables (``ops.sum(layer.kernel)``).
_variable_type = None


def set_variable_type(variable_type) -> None:
    """Make the wrappers pass ``variable.value`` for arguments of ``variable_type``."""
    global _variable_type
    _variable_type = variable_type


def _has_variable(v) -> bool:
    if type(v) is _variable_type:
        return True
    if isinstance(v, (list, tuple)):
        return any(_has_variable(x) for x in v)
    if isinstance(v, dict):
        return any(_has_variable(x) for x in v.values())
    return False


def _read(v):
    if type(v) is _variable_type:
        return v.value
    if isinstance(v, (list, tuple)) and _has_variable(v):
        return type(v)(_read(x) for x in v) if type(v) in (list, tuple) else type(v)(*(_read(x) for x in v))
    if isinstance(v, dict) and _has_variable(v):
        return {k: _read(x) for k, x in v.items()}
    return v


def _has_symbolic(values) -> bool:
    kt = _symbolic_type
    for v in values:
        if type(v) is kt:
            return True
        if isinstance(v, (list, tuple)) and v and _has_symbolic(v):
            return True
        if isinstance(v, dict) and _has_symbolic(v.values()):
            return True
    return False


def recording(name: str, fn):
    """``fn`` wrapped to call the installed recorder with ``name`` when an argument (or a list,
    tuple or dict inside one) is symbolic; otherwise ``fn`` itself runs."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        kt = _symbolic_type
        if kt is not None:
            # Inline first pass (this wrapper runs on every op call): a symbolic argument ends it,
            # a container sends the call through the full recursive check.
            for v in args:
                t = type(v)
                if t is kt or (t not in _LEAVES and _has_symbolic((v,))):
                    return _recorder(name, args, kwargs)
            if kwargs and _has_symbolic(kwargs.values()):
                return _recorder(name, args, kwargs)
        if _variable_type is not None:
            for v in args:
                if type(v) not in _LEAVES and _has_variable(v):
                    return fn(*(_read(v) for v in args), **{k: _read(v) for k, v in kwargs.items()})
            if kwargs and _has_variable(kwargs):
                return fn(*args, **{k: _read(v) for k, v in kwargs.items()})
        return fn(*args, **kwargs)

    return call


def dispatching(qualname: str, fn):
    """``fn`` wrapped to record a graph node when called on symbolic tensors, and registered
    under ``qualname`` so that a saved model can name it.

    Args:
        qualname: the function's name for saved models, ``"<package>.<name>"``.
        fn: the eager function.

    Returns:
        The wrapper (``fn`` itself for the names in :data:`NOT_RECORDED`).
    """
    name = qualname.rpartition(".")[2]
    if name in NOT_RECORDED:
        return fn
    FUNCTIONS[qualname] = fn
    return recording(qualname, fn)


def shape_of(fn):
    """``ops.shape``: on a symbolic tensor, its static shape (None for unknown sizes)."""

    @functools.wraps(fn)
    def shape(x):
        if _symbolic_type is not None and type(x) is _symbolic_type:
            return tuple(x.shape)
        return fn(x)

    return shape
