"""Layers made by arithmetic and indexing on symbolic tensors (``x + y``, ``x[:, 0]``)."""

from __future__ import annotations

from lamina import ops
from lamina.layers.layer import Layer
from lamina.utils import naming


class OpLayer(Layer):
    """Applies the elementwise op ``op_name`` from lamina.ops to its (one or two) arguments.

    ``reverse=True`` computes ``op(y, x)``: ``2 - x`` is called on ``(x, 2)`` so that the
    symbolic tensor comes first.
    """

    _casts_integer_inputs = False  # integer inputs are indices/values to keep
    _is_operation = True  # a graph operation, not a layer: model.operations lists it, model.layers not

    def __init__(self, op_name, reverse=False, **kwargs):
        if kwargs.get("name") is None:
            kwargs["name"] = naming.auto_name(op_name)  # 'add', 'multiply_1', ... as Keras names them
        super().__init__(**kwargs)
        self.op_name = op_name
        self.reverse = bool(reverse)
        self._fn = getattr(ops, op_name)

    def call(self, x, y=None):
        if y is None:
            return self._fn(x)
        if self.reverse:
            if not ops.is_tensor(y):  # a Python number: a tensor of x's dtype, as x + 2 would use
                y = ops.convert_to_tensor(y, ops.dtype(x) if isinstance(y, (int, float)) else None)
            return self._fn(y, x)
        return self._fn(x, y)

    def get_config(self):
        config = super().get_config()
        config["op_name"] = self.op_name
        if self.reverse:
            config["reverse"] = True
        return config


class GetItem(Layer):
    """``x[key]`` on a symbolic tensor."""

    _casts_integer_inputs = False  # integer inputs are indices/values to keep
    _is_operation = True

    def __init__(self, key, **kwargs):
        super().__init__(**kwargs)
        self.key = key

    def call(self, x):
        return x[self.key]

    def get_config(self):
        config = super().get_config()
        config["key"] = self.key
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["key"] = _decode_key(config.get("key"))
        return cls(**config)


def _decode_key(key):
    """A saved index back as Python: slices from their ``__slice__`` records, a list of several
    parts as the tuple it was (``x[:, None]``); a list of integers stays a list (``x[[0, 2]]``)."""
    if isinstance(key, dict):
        if key.get("class_name") == "__slice__":
            c = key.get("config") or {}
            parts = [c.get(k) for k in ("start", "stop", "step")]
            if not all(p is None or isinstance(p, int) for p in parts):
                raise ValueError(f"GetItem: a saved slice must hold integers or None, got {c!r}.")
            return slice(*parts)
        if key.get("class_name") == "__ellipsis__":
            return Ellipsis
        raise ValueError(f"GetItem: cannot read the saved index part {key!r}: expected an integer, "
                         "None, a slice record or Ellipsis.")
    if isinstance(key, list):
        if key and all(isinstance(k, int) and not isinstance(k, bool) for k in key):
            return key
        return tuple(_decode_key(k) for k in key)
    return key
