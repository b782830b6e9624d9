"""InputLayer and ``Input()``: the entry points of a functional model."""

from __future__ import annotations

from lamina import config
from lamina.layers.keras_tensor import KerasTensor, Node
from lamina.layers.layer import Layer


class InputLayer(Layer):
    """The layer behind ``Input()``: holds the batch shape and dtype of a model input.

    Args:
        shape: shape without the batch dimension, e.g. (784,).
        batch_size: optional fixed batch size.
        dtype: dtype of the data ('float32' by default; 'int32' for token ids).
        batch_shape: the full shape including the batch dimension (instead of shape).
    """

    _casts_integer_inputs = False  # integer inputs are indices/values to keep

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, ragged=None, **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if isinstance(dtype, dict):
            dtype = dtype.get("config", {}).get("name")
        if dtype in ("string", "str", str, object):  # host-side data for the string layers
            dtype = "string"
        super().__init__(name=name, dtype=None if dtype == "string" else dtype, **kwargs)
        if batch_shape is None:
            if shape is None:
                raise ValueError(
                    "Input() needs a shape, e.g. lamina.Input(shape=(784,)) for vectors of 784 "
                    "features (the batch dimension is left out)."
                )
            if hasattr(shape, "__index__") and not isinstance(shape, bool):
                shape = (int(shape),)
            batch_shape = (batch_size,) + tuple(_check_shape(shape, "shape"))
        self.batch_shape = _check_shape(batch_shape, "batch_shape")
        self._input_dtype = str(dtype or config.floatx())
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        tensor = KerasTensor(self.batch_shape, self._input_dtype, name=self.name)
        Node(self, (), {}, [tensor])
        self.output_tensor = tensor

    @property
    def dtype(self):
        return self._input_dtype

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self._input_dtype, "sparse": self.sparse,
                "ragged": False, "name": self.name, "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False, ragged=None):
    """A symbolic input for a functional model.

    Example:
        >>> import lamina
        >>> x = lamina.Input(shape=(784,))
        >>> x.shape
        (None, 784)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, optional=optional)
    return layer.output_tensor


def _check_shape(shape, what):
    """``shape`` as a tuple of sizes (ints >= 0 or None), or a ValueError naming the fix."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise ValueError(
            f"Input {what} must be a tuple of sizes, e.g. shape=(784,) or shape=(28, 28, 1); "
            f"received {shape!r} ({type(shape).__name__}). Write the sizes as integers, "
            "with None for a size that varies.")
    out = []
    for d in shape:
        if d is None:
            out.append(None)
            continue
        if isinstance(d, bool) or not hasattr(d, "__index__"):
            raise ValueError(f"Input {what} {tuple(shape)!r} holds {d!r}; each size must be an "
                             "integer >= 0, or None for a size that varies.")
        if int(d) < 0:
            raise ValueError(f"Input {what} {tuple(shape)!r} holds the negative size {int(d)}; "
                             "sizes are >= 0. Write None (not -1) for a size that varies.")
        out.append(int(d))
    return tuple(out)
