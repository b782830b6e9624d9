"""Lambda: wrap an arbitrary function as a layer."""

from __future__ import annotations

import inspect

from lamina.layers.keras_tensor import KerasTensor, map_structure
from lamina.layers.layer import Layer, run_symbolically


class Lambda(Layer):
    """Wraps ``function(inputs)`` as a layer (no weights).

    Args:
        function: the function; it may take ``mask`` and ``training`` keyword arguments.
        output_shape: optional shape (or function of the input shape) of the output.
        arguments: extra keyword arguments passed to the function.

    Saving: the function's bytecode is stored the way Keras stores it; loading it back executes
    code from the file, so lamina refuses that unless ``safe_mode=False`` is passed.
    """

    _casts_integer_inputs = False  # integer inputs are indices/values to keep

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, received {function!r}.")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        params = inspect.signature(function).parameters
        self._fn_mask = "mask" in params
        self._fn_training = "training" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_mask:
            kwargs["mask"] = mask
        if self._fn_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        """The output shape: ``output_shape`` (a function of the input shape, or a shape without
        the batch axis), else inferred by tracing ``function`` on symbolic inputs, as Keras."""
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        if self._output_shape is not None:
            batch = _first_dim(input_shape)
            return _map_shapes(lambda s: (batch,) + tuple(s), self._output_shape)
        inputs = _map_shapes(lambda s: KerasTensor(tuple(s), self.compute_dtype), input_shape)
        try:
            spec = run_symbolically(self, (inputs,), {})
        except Exception as e:
            raise NotImplementedError(
                f"Lambda layer '{self.name}' could not infer its output shape for input shape "
                f"{input_shape} by tracing its function ({type(e).__name__}: {e}). Pass "
                "output_shape=... (the shape without the batch axis, or a function of the input shape)."
            ) from e
        return map_structure(lambda t: tuple(t.shape), spec)

    def compute_output_spec(self, *args, **kwargs):
        # symbolic calls trace the function itself (a Keras 1/2 output_shape may be inexact)
        return run_symbolically(self, args, kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask if self.mask is not None else mask

    def get_config(self):
        from lamina.saving.lambda_serialization import serialize_function

        config = super().get_config()
        config.update({"function": serialize_function(self.function),
                       "output_shape": self._output_shape if not callable(self._output_shape) else None,
                       "arguments": self.arguments})
        return config

    @classmethod
    def from_config(cls, config, safe_mode=None):
        from lamina.saving.lambda_serialization import deserialize_function
        from lamina.saving.safe_names import check_plain

        config = dict(config)
        config["function"] = deserialize_function(config["function"], safe_mode=safe_mode)
        check_plain(config.get("arguments"), f"the arguments of Lambda {config.get('name')!r}")
        return cls(**config)


def _is_shape(s):
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, int) for d in s)


def _map_shapes(fn, shapes):
    if _is_shape(shapes):
        return fn(shapes)
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    return type(shapes)(_map_shapes(fn, s) for s in shapes)


def _first_dim(shapes):
    while not _is_shape(shapes):
        shapes = next(iter(shapes.values())) if isinstance(shapes, dict) else shapes[0]
    return shapes[0] if shapes else None
