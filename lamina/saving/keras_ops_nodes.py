"""Keras 3 operation nodes (``x + 1``, ``x[:, 0]``, ``ops.mean(x)``) in functional model configs.

Keras 3 records arithmetic, indexing and ``keras.ops`` calls on symbolic tensors as
*operations* and saves each one as a layer entry of the functional config::

    {"module": "keras.src.ops.numpy", "class_name": "Mean",
     "config": {"name": "mean", "axis": -1, "keepdims": false},
     "inbound_nodes": [{"args": [<tensor>], "kwargs": {}}]}

The op class's constructor arguments (``axis``, ``keepdims``, ``dtype``...) are in ``config``;
its call arguments (tensors, and values such as the ``1.0`` of ``x + 1.0`` or the key of
``x[:, 0]``) are in the node's ``args``, in call order.

Loading (:func:`is_op_config`, :func:`op_from_config`): the class name is turned into a
function name (``Mean`` -> ``mean``, ``TrueDivide`` -> ``true_divide``; ``keras.src.ops.image``
ops -> ``image.<name>``) and resolved ONLY through
:data:`lamina.ops.symbolic_dispatch.FUNCTIONS`, the table of functions lamina lets a file name.
An op outside it is refused with an error naming the op class and module; nothing is imported.
The node becomes a :class:`~lamina.layers.core.backend_function.BackendFunction` calling the
function with the node's arguments plus the constructor arguments as keywords (``GetItem``
becomes lamina's ``GetItem`` layer).

Saving (:func:`to_keras_config`): lamina's own op nodes are written the same way for the ops
whose constructor/call split is known (:data:`_INIT_ARGS`), so Keras 3 loads them.
"""

from __future__ import annotations

import inspect
import re

from lamina.errors import UnsafeLoadError, suggest
from lamina.saving.safe_names import check_plain

_OPS_MODULE = "keras.src.ops."
_CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
# Keras op classes whose function name is not the snake_case of the class name, or that lamina
# spells differently.
_RENAMED = {"Absolute": "absolute", "Arctan2": "arctan2", "Log10": "log10", "Log1p": "log1p",
            "Log2": "log2", "Exp2": "exp2", "Logaddexp2": "logaddexp2", "AllClose": "allclose",
            "IsIn": "isin", "SearchSorted": "searchsorted", "CDist": "cdist",
            "BatchNorm": "batch_normalization", "LayerNorm": "layer_normalization",
            "RMSNorm": "rms_normalization"}
_FALLBACKS = {"true_divide": "divide", "absolute": "abs"}


def is_op_config(layer_config) -> bool:
    """Whether a functional-config entry is a Keras 3 operation (module ``keras.src.ops.*``)."""
    module = layer_config.get("module") if isinstance(layer_config, dict) else None
    return isinstance(module, str) and module.startswith(_OPS_MODULE)


def _snake(class_name):
    if class_name in _RENAMED:
        return _RENAMED[class_name]
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", class_name)
    s = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", s)
    return s.lower()


def function_name(module, class_name):
    """The qualified lamina function (``"ops.mean"``) a Keras op class of ``module`` stands for.

    Raises:
        UnsafeLoadError: the class name is not a plain CamelCase identifier.
        ValueError: lamina has no such operation.
    """
    from lamina.ops import symbolic_dispatch

    import lamina.ops  # noqa: F401  (fills the table)

    if not isinstance(class_name, str) or not _CLASS_NAME.match(class_name):
        raise UnsafeLoadError(
            f"the file names the operation class {str(class_name)[:80]!r} of module "
            f"{str(module)[:60]!r}; a Keras operation is a CamelCase class name such as 'Mean' or "
            "'GetItem', so lamina refuses to look it up.")
    family = module[len(_OPS_MODULE):]
    snake = _snake(class_name)
    prefix = "ops.image." if family == "image" else "ops."
    for name in (snake, _FALLBACKS.get(snake)):
        if name and prefix + name in symbolic_dispatch.FUNCTIONS:
            return prefix + name
    known = sorted({k.rpartition(".")[2] for k in symbolic_dispatch.FUNCTIONS if k.startswith(prefix)})
    hint = suggest(snake, known)
    raise ValueError(
        f"Unknown Keras operation '{class_name}' (module '{module}'): lamina has no function "
        f"'{prefix}{snake}' to run it.{hint} Only the operations of lamina.ops (and "
        "lamina.ops.image) can be loaded from a file; replace the operation in the Keras model by "
        "a registered custom layer to load it.")


class KerasOperation:
    """A Keras 3 operation read from a file: calling it on the node's arguments adds the
    matching lamina node (a ``BackendFunction``, or ``GetItem``) to the graph being rebuilt."""

    def __init__(self, class_name, module, function, init_kwargs, name):
        self.class_name = class_name
        self.module = module
        self.function = function
        self.init_kwargs = init_kwargs
        self.name = name
        self._calls = 0

    def __call__(self, *args, **kwargs):
        from lamina.layers.core.backend_function import BackendFunction, _Ref
        from lamina.layers.core.op_layer import GetItem
        from lamina.layers.keras_tensor import KerasTensor, map_structure

        name = self.name if self._calls == 0 else None
        self._calls += 1
        if self.function == "ops.get_item":
            return GetItem(name=name)(*args, **kwargs)
        tensors = []

        def to_ref(x):
            if isinstance(x, KerasTensor):
                tensors.append(x)
                return _Ref(len(tensors) - 1)
            return x

        merged = dict(self.init_kwargs)
        merged.update(kwargs)
        template = map_structure(to_ref, {"args": list(args), "kwargs": merged})
        if not tensors:
            raise ValueError(f"The Keras operation '{self.name}' ({self.class_name}) is called on "
                             "no tensor in the file; expected at least one tensor argument.")
        node = BackendFunction(self.function, template, name=name)
        # Saved back in Keras's form, whatever the op: the file told the constructor/call split.
        node._keras_op = (self.module, self.class_name, tuple(self.init_kwargs))
        return node(tensors)


def op_from_config(layer_config):
    """A :class:`KerasOperation` for a functional-config entry of module ``keras.src.ops.*``."""
    from lamina.ops import symbolic_dispatch

    module, class_name = layer_config["module"], layer_config.get("class_name")
    function = function_name(module, class_name)
    inner = layer_config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError(f"The config of Keras operation '{class_name}' is {str(inner)[:80]!r}; "
                         "expected a dict of its constructor arguments.")
    name = inner.get("name") or layer_config.get("name")
    init = {k: v for k, v in inner.items() if k not in ("name", "trainable")}
    check_plain(init, f"the config of Keras operation '{class_name}'")
    if function != "ops.get_item":
        init = _fit_signature(symbolic_dispatch.FUNCTIONS[function], init, class_name, module)
    return KerasOperation(class_name, module, function, init, name)


def _fit_signature(fn, init, class_name, module):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return init
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return init
    out = {}
    for k, v in init.items():
        if k in params:
            out[k] = v
        elif v is not None:  # an unset Keras-only option (data_format=None) changes nothing
            raise ValueError(
                f"The Keras operation '{class_name}' (module '{module}') was saved with {k}={v!r}, "
                f"which lamina's {fn.__name__}() does not take (it takes {list(params)}).")
    return out


# =============================================================================================
# Saving: lamina's op nodes in Keras 3's form
# =============================================================================================
_BINARY = ("add", "subtract", "multiply", "divide", "true_divide", "power", "matmul", "maximum",
           "minimum", "greater", "greater_equal", "less", "less_equal", "equal", "not_equal")
_UNARY = ("negative", "abs", "absolute", "exp", "log", "sqrt", "square", "tanh", "sin", "cos",
          "floor", "ceil", "sign", "reciprocal")
_NN_UNARY = ("relu", "sigmoid", "relu6", "silu", "softplus")
# lamina function -> (Keras module family, Keras class, call parameters, constructor parameters).
# Parameter names are lamina's (they match Keras's); anything else a call sets to a non-default
# value keeps the node in lamina's own form.
_INIT_ARGS = {}
for _n in _BINARY:
    _INIT_ARGS[_n] = ("numpy", None, ("x1", "x2"), ())
for _n in _UNARY:
    _INIT_ARGS[_n] = ("numpy", None, ("x",), ())
for _n in _NN_UNARY:
    _INIT_ARGS[_n] = ("nn", None, ("x",), ())
for _n in ("mean", "sum", "max", "min"):
    _INIT_ARGS[_n] = ("numpy", None, ("x",), ("axis", "keepdims"))
_INIT_ARGS.update({
    "abs": ("numpy", "Absolute", ("x",), ()),
    "concatenate": ("numpy", None, ("xs",), ("axis",)),
    "stack": ("numpy", None, ("x",), ("axis",)),
    "expand_dims": ("numpy", None, ("x",), ("axis",)),
    "squeeze": ("numpy", None, ("x",), ("axis",)),
    "reshape": ("numpy", None, ("x",), ("newshape",)),
    "transpose": ("numpy", None, ("x",), ("axes",)),
    "softmax": ("nn", None, ("x",), ("axis",)),
    "log_softmax": ("nn", None, ("x",), ("axis",)),
    "cast": ("core", None, ("x",), ("dtype",)),
})


def _camel(snake):
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def _entry(family, class_name, name, init):
    return {"module": f"{_OPS_MODULE}{family}", "class_name": class_name,
            "config": dict({"name": name}, **init), "registered_name": class_name}


def to_keras_config(layer, node):
    """``(entry, args, kwargs)``: ``layer``'s node as a Keras 3 operation entry (without
    ``inbound_nodes``) and the node's call arguments in Keras's order; None when lamina does not
    know Keras's constructor/call split for it (the node is then saved in lamina's own form)."""
    from lamina.layers.core.backend_function import BackendFunction, fill
    from lamina.layers.core.op_layer import GetItem, OpLayer

    if type(layer) is GetItem:
        return _getitem(layer, node)
    if type(layer) is OpLayer:
        spec = _INIT_ARGS.get(layer.op_name)
        args = list(node.call_args)
        if spec is None or node.call_kwargs or len(args) != len(spec[2]):
            return None
        if layer.reverse:
            args = args[::-1]
        family, cls, _, _ = spec
        return _entry(family, cls or _camel(layer.op_name), layer.name, {}), args, {}
    if type(layer) is BackendFunction and getattr(layer, "_keras_op", None) is not None \
            and len(node.call_args) == 1 and not node.call_kwargs:  # read from a Keras 3 file
        filled = fill(layer.arguments, list(node.call_args[0]))
        module, class_name, init_keys = layer._keras_op
        kwargs = dict(filled["kwargs"])
        init = {k: kwargs.pop(k) for k in init_keys if k in kwargs}
        entry = {"module": module, "class_name": class_name,
                 "config": dict({"name": layer.name}, **init), "registered_name": class_name}
        return entry, list(filled["args"]), kwargs
    if type(layer) is BackendFunction and layer.function.startswith("ops.") \
            and layer.function.count(".") == 1:
        fname = layer.function[4:]
        spec = _INIT_ARGS.get(fname)
        if spec is None or len(node.call_args) != 1 or node.call_kwargs:
            return None
        filled = fill(layer.arguments, list(node.call_args[0]))
        try:
            sig = inspect.signature(layer._fn)
            bound = sig.bind(*filled["args"], **filled["kwargs"])
        except (TypeError, ValueError):
            return None
        family, cls, call_params, init_params = spec
        values = bound.arguments
        for k, v in values.items():
            if k not in call_params and k not in init_params and v != sig.parameters[k].default:
                return None  # an argument Keras's op does not take (max(initial=...))
        if any(p not in values for p in call_params):
            return None
        init = {}
        for p in init_params:
            v = values.get(p, sig.parameters[p].default)
            if v is inspect.Parameter.empty:
                return None
            init[p] = list(v) if isinstance(v, tuple) else v
        return _entry(family, cls or _camel(fname), layer.name, init), [values[p] for p in call_params], {}
    return None


def _getitem(layer, node):
    if node.call_kwargs or len(node.call_args) not in (1, 2):
        return None
    if len(node.call_args) == 2:  # already Keras's GetItem()(x, key) (read from a Keras file)
        return _entry("numpy", "GetItem", layer.name, {}), list(node.call_args), {}
    key = layer.key
    if isinstance(key, list) or (isinstance(key, tuple) and any(isinstance(k, list) for k in key)):
        return None  # fancy indexing: Keras's GetItem would read a list as a tuple
    if isinstance(key, tuple):
        key = list(key)
    return _entry("numpy", "GetItem", layer.name, {}), [node.call_args[0], key], {}
