"""BackendFunction: a function (``K.mean``, ``ops.mean``, ``losses.mse``...) on symbolic tensors.

Also the recording machinery the functional API shares: :func:`record` turns a call with
symbolic arguments into a BackendFunction node, with its other arguments kept in the node's
config; :func:`fill` puts the real tensors back when the model runs.
"""

from __future__ import annotations

import importlib

from lamina import backend, ops
from lamina.layers.keras_tensor import KerasTensor, map_structure
from lamina.layers.layer import Layer
from lamina.ops import symbolic_dispatch
from lamina.utils import naming

# Packages whose public functions may be named in a saved BackendFunction ("losses.mse").
_PACKAGES = ("ops", "losses", "activations", "metrics")


def _symbolic():
    # Importing the package registers every K function by name.
    importlib.import_module("lamina.backend.legacy")
    return importlib.import_module("lamina.backend.legacy._symbolic")


class _Ref:
    """Where the i-th symbolic argument goes in a recorded call."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


def record(name, args, kwargs):
    """Add a :class:`BackendFunction` node calling ``name`` to the graph; return its output."""
    tensors = []

    def to_ref(x):
        if isinstance(x, KerasTensor):
            tensors.append(x)
            return _Ref(len(tensors) - 1)
        return x

    template = map_structure(to_ref, {"args": list(args), "kwargs": dict(kwargs)})
    return BackendFunction(name, template)(tensors)


def fill(template, values):
    """``template`` with each reference replaced by its tensor from ``values``."""
    return map_structure(lambda x: values[x.index] if isinstance(x, _Ref) else x, template)


def serialize_leaf(x):
    """A recorded argument as JSON (symbolic inputs as ``{"__tensor__": i}``)."""
    if isinstance(x, _Ref):
        return {"__tensor__": x.index}
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    raise TypeError(
        f"This model cannot be saved: the function recorded in it was called with the argument "
        f"{x!r}, which has no config. Pass Python numbers, strings and symbolic tensors only, or "
        "wrap the computation in a custom layer with get_config()."
    )


def deserialize(s):
    """The inverse of ``serialize_leaf`` over a whole argument structure."""
    if isinstance(s, dict):
        if set(s) == {"__tensor__"}:
            return _Ref(s["__tensor__"])
        return {k: deserialize(v) for k, v in s.items()}
    if isinstance(s, list):
        return [deserialize(x) for x in s]
    return s


def _lookup(function):
    """The eager function a BackendFunction names: a K function or a wrapped public one."""
    package, dot, _ = function.partition(".")
    if not dot:
        registry = _symbolic().REGISTRY
        what = "Keras 2 backend function"
    else:
        if package in _PACKAGES:
            importlib.import_module(f"lamina.{package}")  # registers its functions
        registry = symbolic_dispatch.FUNCTIONS
        what = "function on symbolic tensors"
    if function not in registry:
        from lamina.errors import unknown_identifier

        raise unknown_identifier(what, function, registry)
    return registry[function]


class BackendFunction(Layer):
    """A Keras 2 backend function (``K.mean``, ``K.batch_dot``...) applied in a functional graph.

    ``K.<function>`` called on symbolic tensors records this layer, the way ``x + y`` records
    an op layer; when the model runs it calls the same function on the real tensors.

    Args:
        function: the name of the ``lamina.backend`` function, e.g. ``"mean"``.
        arguments: the call's arguments, ``{"args": [...], "kwargs": {...}}``, with the symbolic
            inputs replaced by references into the list the layer is called on.

    Example:
        >>> import lamina
        >>> from lamina import backend as K
        >>> x = lamina.Input((3,))
        >>> K.mean(x, axis=-1, keepdims=True).shape
        (None, 1)
    """

    _is_operation = True  # a graph operation: model.operations lists it, model.layers not

    def __init__(self, function, arguments=None, **kwargs):
        if kwargs.get("name") is None:
            kwargs["name"] = naming.auto_name(function.rpartition(".")[2])
        super().__init__(**kwargs)
        self._fn = _lookup(function)
        self.function = function
        self.arguments = arguments or {"args": [], "kwargs": {}}

    def call(self, tensors):
        filled = fill(self.arguments, list(tensors))
        return self._fn(*filled["args"], **filled["kwargs"])

    def compute_output_spec(self, tensors):
        sym = _symbolic()
        if any(ops.is_int_dtype(t.dtype) and not sym.is_input(t) for t in tensors):
            # Computed integers (``K.shape(x)[0]``) may decide output shapes: zeros would not do.
            return sym.spec_by_evaluation(self, tensors)
        return super().compute_output_spec(tensors)

    def get_config(self):
        config = super().get_config()
        config["function"] = self.function
        config["arguments"] = map_structure(serialize_leaf, self.arguments)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["arguments"] = deserialize(config.get("arguments"))
        return cls(**config)


symbolic_dispatch.install(KerasTensor, record)
symbolic_dispatch.add_leaf_type(backend.Tensor)
