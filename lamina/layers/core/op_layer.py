"""Layers made by arithmetic and indexing on symbolic tensors (``x + y``, ``x[:, 0]``)."""

from __future__ import annotations

import numpy as np

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


def _array_lists(key):
    """The key with its lists of ints as NumPy arrays (fancy indexing): NumPy and torch read a list
    that way, JAX refuses a bare list."""
    if isinstance(key, list):
        return np.asarray(key)
    if isinstance(key, tuple):
        return tuple(np.asarray(k) if isinstance(k, list) else k for k in key)
    return key


class GetItem(Layer):
    """``x[key]`` on a symbolic tensor.

    The key is an int, a slice, None, Ellipsis, a list of ints (fancy indexing) or a tuple of
    those. lamina stores it in the config, tuples as ``{"class_name": "__tuple__", "items": [...]}``
    (Keras's own record for tuples) so that ``x[0, 1]`` and ``x[[0, 1]]`` stay apart. Keras 3
    writes no key in the config and passes it as the call's second argument, a list standing for
    a tuple (Keras 3's ``GetItem`` indexes with ``tuple(key)``); those files load the same way.
    """

    _casts_integer_inputs = False  # integer inputs are indices/values to keep
    _is_operation = True

    def __init__(self, key=None, **kwargs):
        super().__init__(**kwargs)
        self.key = key

    def call(self, x, *key):
        if not key:
            return x[_array_lists(self.key)]
        key = key[0]  # Keras 3's node form: GetItem()(x, key)
        return x[_array_lists(tuple(key) if isinstance(key, list) else key)]

    def get_config(self):
        config = super().get_config()
        config["key"] = _encode_key(self.key)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["key"] = _decode_key(config.get("key"))
        return cls(**config)


def _encode_key(key):
    """An index as JSON-ready records: tuples, slices and Ellipsis tagged, lists kept as lists."""
    if isinstance(key, tuple):
        return {"class_name": "__tuple__", "items": [_encode_key(k) for k in key]}
    if isinstance(key, list):
        return [_encode_key(k) for k in key]
    if isinstance(key, slice):
        return {"class_name": "__slice__", "config": {"start": key.start, "stop": key.stop, "step": key.step}}
    if key is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    return key


def _decode_key(key):
    """A saved index back as Python: ``__tuple__``, ``__slice__`` and ``__ellipsis__`` records to
    their objects. An untagged list (files of lamina before tuples were tagged) is a tuple when it
    holds anything but integers (``x[:, None]``) and stays a list of indices otherwise."""
    if isinstance(key, dict):
        name = key.get("class_name")
        if name == "__tuple__" and isinstance(key.get("items"), list):
            return tuple(_decode_key(k) for k in key["items"])
        if name == "__slice__":
            c = key.get("config") or {}
            parts = [c.get(k) for k in ("start", "stop", "step")]
            if not all(p is None or isinstance(p, int) for p in parts):
                raise ValueError(f"GetItem: a saved slice must hold integers or None, got {c!r}.")
            return slice(*parts)
        if name == "__ellipsis__":
            return Ellipsis
        raise ValueError(f"GetItem: cannot read the saved index part {key!r}: expected an integer, "
                         "None, a list, or a __tuple__, __slice__ or __ellipsis__ record.")
    if isinstance(key, list):
        if key and all(isinstance(k, int) and not isinstance(k, bool) for k in key):
            return key
        return tuple(_decode_key(k) for k in key)
    return key
