"""BackendFunction: a Keras 2 backend function (``K.mean``...) called on symbolic tensors."""

from __future__ import annotations

import importlib

from lamina import ops
from lamina.layers.keras_tensor import map_structure
from lamina.layers.layer import Layer
from lamina.utils import naming


def _symbolic():
    # Importing the package registers every K function by name.
    importlib.import_module("lamina.backend.legacy")
    return importlib.import_module("lamina.backend.legacy._symbolic")


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

    def __init__(self, function, arguments=None, **kwargs):
        if kwargs.get("name") is None:
            kwargs["name"] = naming.auto_name(function)
        super().__init__(**kwargs)
        registry = _symbolic().REGISTRY
        if function not in registry:
            from lamina.errors import unknown_identifier

            raise unknown_identifier("Keras 2 backend function", function, registry)
        self.function = function
        self.arguments = arguments or {"args": [], "kwargs": {}}
        self._fn = registry[function]

    def call(self, tensors):
        filled = _symbolic().fill(self.arguments, list(tensors))
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
        config["arguments"] = map_structure(_symbolic().serialize_leaf, self.arguments)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["arguments"] = _symbolic().deserialize(config.get("arguments"))
        return cls(**config)
