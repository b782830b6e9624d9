"""Lambda: wrap an arbitrary function as a layer."""

from __future__ import annotations

import inspect

from lamina.layers.layer import Layer


class Lambda(Layer):
    """Wraps ``function(inputs)`` as a layer (no weights).

    Args:
        function: the function; it may take ``mask`` and ``training`` keyword arguments.
        output_shape: optional shape (or function of the input shape) of the output.
        arguments: extra keyword arguments passed to the function.

    Saving: the function's bytecode is stored the way Keras stores it; loading it back executes
    code from the file, so lamina refuses that unless ``safe_mode=False`` is passed.
    """

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
