"""``serialize_keras_object`` / ``deserialize_keras_object``: objects <-> Keras 3 config dicts.

Every object is written as ``{"module", "class_name", "config", "registered_name"}`` (layers add
``build_config``, compiled models ``compile_config``), exactly as Keras 3 writes it, with lamina's
own classes under Keras's module names (``keras.layers``...) so Keras can read the files.

Reading resolves a class by ``registered_name`` / ``class_name`` (user objects first, then
lamina's own) and ignores backend-specific module paths. Layer classes are looked up in
``lamina.layers`` by name at load time, so every layer lamina has is loadable. Configs written
by Keras 1/2/3 carry keys lamina's constructors do not take (``quantization_config: null``,
``time_major: false``...): keys that are unset (None/False) or purely informational are
dropped; anything that would change the behaviour is kept, so the constructor reports it.
"""

from __future__ import annotations

import contextlib
import inspect
import types
import warnings

import numpy as np

from lamina import backend
from lamina.errors import LaminaDeprecationWarning, UnsafeLoadError
from lamina.saving import object_registration as reg
from lamina.saving.class_lookup import (
    KERAS_MODULES,
    family_of,
    find_function,
    generic_from_config,
    lookup_function,
    lookup_in_family,
    drop_unknown_keys,
    resolve_class,
)
from lamina.saving.lambda_serialization import deserialize_function, safe_mode_scope, serialize_function


# =============================================================================================
# serialize
# =============================================================================================
def serialize_keras_object(obj):
    """A JSON-ready Keras 3 config for ``obj`` (layers, models, initializers, functions, ...).

    Example:
        >>> import lamina
        >>> cfg = serialize_keras_object(lamina.layers.Dense(2, name="d"))
        >>> cfg["module"], cfg["class_name"], cfg["config"]["units"]
        ('keras.layers', 'Dense', 2)
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, (np.ndarray, backend.Tensor)) or isinstance(obj, backend.Variable):
        arr = np.asarray(backend.ops.convert_to_numpy(obj) if not isinstance(obj, np.ndarray) else obj)
        return {"class_name": "__numpy__", "config": {"value": arr.tolist(), "dtype": str(arr.dtype)}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start), "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    from lamina.layers.keras_tensor import KerasTensor

    if isinstance(obj, KerasTensor):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(obj.shape), "dtype": obj.dtype, "keras_history": None}}
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)) and not hasattr(obj, "get_config"):
        if (obj.__name__ == "<lambda>" or "<locals>" in getattr(obj, "__qualname__", "")) \
                and id(obj) not in reg._GLOBAL_CUSTOM_NAMES:
            return serialize_function(obj)
        registered = reg.get_registered_name(obj)
        return {"module": _function_module(obj), "class_name": "function", "config": obj.__name__,
                "registered_name": registered}
    if hasattr(obj, "get_config"):
        return _serialize_object(obj)
    raise TypeError(
        f"Cannot serialize {obj!r} of type {type(obj).__name__}: it is not a layer, model or other "
        "object with get_config(), nor a plain value. Give it a get_config() method (and register "
        "its class with @lamina.saving.register_keras_serializable())."
    )


def _serialize_object(obj):
    from lamina.layers.layer import Layer

    cls = type(obj)
    if isinstance(obj, Layer):
        _check_model_configurable(obj)
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"{cls.__name__}.get_config() must return a dict, returned {config!r}.")
    module, registered = module_and_registered_name(cls)
    out = {"module": module, "class_name": cls.__name__, "config": serialize_keras_object(config),
           "registered_name": registered}
    if isinstance(obj, Layer):
        build_config = get_build_config(obj)
        if build_config is not None:
            out["build_config"] = serialize_keras_object(build_config)
        if getattr(obj, "compiled", False) and hasattr(obj, "get_compile_config"):
            compile_config = obj.get_compile_config()
            if compile_config:
                out["compile_config"] = serialize_keras_object(compile_config)
    return out


def module_and_registered_name(cls):
    """(module, registered_name) as Keras writes them: Keras's public module for lamina's own
    classes (registered_name None), the Python module and ``package>Name`` for user classes."""
    registered = reg._GLOBAL_CUSTOM_NAMES.get(id(cls))
    module = cls.__module__ or ""
    if registered is None and module.startswith("lamina."):
        parts = module.split(".")
        if parts[1] == "models":
            if cls.__name__ == "Sequential":
                return "keras", None
            if cls.__name__ == "Functional":
                return "keras.src.models.functional", "Functional"
            return "keras.src.models.model", None
        if parts[1] in KERAS_MODULES:
            return KERAS_MODULES[parts[1]], None
    return module, registered if registered is not None else cls.__name__


def _function_module(fn):
    module = getattr(fn, "__module__", "") or ""
    if reg._GLOBAL_CUSTOM_NAMES.get(id(fn)) is None and module.startswith("lamina."):
        return KERAS_MODULES.get(module.split(".")[1], module)
    return module


def _check_model_configurable(obj):
    from lamina.models.model import Model

    if not isinstance(obj, Model) or type(obj).get_config is not Model.get_config:
        return
    sig = inspect.signature(type(obj).__init__)
    required = [p.name for p in list(sig.parameters.values())[1:]
                if p.default is inspect.Parameter.empty
                and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    if required:
        raise NotImplementedError(
            f"Model '{obj.name}' ({type(obj).__name__}) is a subclassed model whose constructor "
            f"takes {required}, but it has no get_config(), so it cannot be saved as a whole "
            "model. Implement get_config() returning those arguments (and from_config if needed), "
            "or save only the weights with model.save_weights('x.weights.h5')."
        )


def get_build_config(layer):
    """``{"input_shape": ...}`` (or ``{"shapes_dict": ...}``) of a built layer, else None."""
    from lamina.layers.core.input_layer import InputLayer

    if isinstance(layer, InputLayer) or not layer.built:
        return None
    if hasattr(layer, "get_build_config") and callable(layer.get_build_config):
        return layer.get_build_config()
    nodes = getattr(layer, "_inbound_nodes", None)
    if nodes:
        node = nodes[0]
        names = layer._build_arg_names
        shapes = map_shapes(node.call_args[0]) if node.call_args else None
        if len(names) > 1:
            call_names = list(inspect.signature(layer.call).parameters)
            bound = dict(zip(call_names, node.call_args))
            bound.update(node.call_kwargs)
            out = {}
            for n in names:
                val = bound.get(n[: -len("_shape")] if n.endswith("_shape") else n)
                if val is not None:
                    out[n] = map_shapes(val)
            return {"shapes_dict": out}
        return {"input_shape": shapes}
    record = layer.__dict__.get("_build_shapes_record")
    if record:
        return {"input_shape": _listify(record[0])}
    return None


def map_shapes(x):
    from lamina.layers.keras_tensor import KerasTensor

    if isinstance(x, KerasTensor):
        return list(x.shape)
    if isinstance(x, (list, tuple)):
        return [map_shapes(v) for v in x]
    if isinstance(x, dict):
        return {k: map_shapes(v) for k, v in x.items()}
    shape = getattr(x, "shape", None)
    return list(shape) if shape is not None else None


def _listify(s):
    if isinstance(s, (list, tuple)):
        return [_listify(v) for v in s]
    return s


# =============================================================================================
# deserialize
# =============================================================================================
def deserialize_keras_object(config, custom_objects=None, safe_mode=None, kind=None, **kwargs):
    """Rebuild an object from ``serialize_keras_object``'s dict (or a Keras 1/2 config).

    Args:
        config: the dict ``{"class_name", "config", ...}``, a list of them, or a plain value.
        custom_objects: dict mapping names to user classes/functions.
        safe_mode: False allows Python bytecode (Lambda layers); None (default) follows the
            enclosing ``load_model(safe_mode=...)``, refusing when there is none.
        kind: what is expected ('layer', 'initializer', 'optimizer', 'loss', 'metric',
            'function'...); guides the lookup of configs that name no module (Keras 1/2).

    Example:
        >>> import lamina
        >>> cfg = {"module": "keras.layers", "class_name": "Dense", "config": {"units": 3}}
        >>> deserialize_keras_object(cfg).units
        3
    """
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        if kind == "function":
            return find_function(config, None, custom_objects)
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, custom_objects, safe_mode, kind) for c in config]
    if not isinstance(config, dict):
        return config
    if "class_name" not in config:
        return {k: deserialize_keras_object(v, custom_objects, safe_mode) for k, v in config.items()}
    class_name = config["class_name"]
    inner = config.get("config")
    special = _deserialize_special(class_name, inner, config, custom_objects, safe_mode)
    if special is not _NOT_SPECIAL:
        return special
    cls = resolve_class(config, custom_objects, kind)
    if isinstance(cls, types.FunctionType) or not isinstance(cls, type):
        return cls
    with reg.custom_object_scope(custom_objects or {}), (
            safe_mode_scope(safe_mode) if safe_mode is not None else contextlib.nullcontext()):
        return _instantiate(cls, dict(inner or {}), config, custom_objects, safe_mode)


def serialize_layer(layer) -> dict:
    """``keras.layers.serialize``: a layer's Keras 3 config dict."""
    return serialize_keras_object(layer)


def deserialize_layer(config, custom_objects=None, safe_mode=None):
    """``keras.layers.deserialize``: a layer from its config dict (Keras 1/2/3 dialects;
    nested configs of wrappers and RNN cells go through here too). Layers pass through."""
    from lamina.layers.layer import Layer

    if isinstance(config, Layer):
        return config
    obj = deserialize_keras_object(config, custom_objects, safe_mode, kind="layer")
    if not isinstance(obj, Layer):
        raise ValueError(f"The config {str(config)[:120]!r} does not describe a layer (got {obj!r}).")
    return obj


_NOT_SPECIAL = object()

# dtypes a ``__numpy__`` value in a file may have (no strings, objects, records or sub-arrays).
PLAIN_DTYPES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                          "uint64", "float16", "float32", "float64", "bfloat16"})
# Largest ``__numpy__`` value (elements) a config may hold; bigger arrays are weights, stored
# in the weights file.
MAX_CONFIG_ARRAY = 1 << 22


def plain_array(inner):
    """The ``np.ndarray`` a ``__numpy__`` config describes, refusing what is not a plain numeric
    array of at most ``MAX_CONFIG_ARRAY`` elements (a dtype such as ``"(20000,20000)f4"`` would
    make NumPy allocate gigabytes from a 60-byte config)."""
    if not isinstance(inner, dict) or "value" not in inner:
        raise ValueError(f"a __numpy__ value needs {{'value', 'dtype'}}, received {str(inner)[:80]!r}.")
    dtype = inner.get("dtype", "float32")
    if dtype not in PLAIN_DTYPES:
        raise UnsafeLoadError(
            f"a __numpy__ value has dtype {str(dtype)[:60]!r}; only plain numeric dtypes "
            f"({', '.join(sorted(PLAIN_DTYPES))}) may come from a file.")
    count, stack = 0, [inner["value"]]
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(v)
        elif v is None or isinstance(v, (bool, int, float)):
            count += 1
        else:
            raise ValueError(f"a __numpy__ value holds a {type(v).__name__}; expected numbers.")
        if count > MAX_CONFIG_ARRAY:
            raise UnsafeLoadError(f"a __numpy__ value in the config has more than "
                                  f"{MAX_CONFIG_ARRAY} elements; configs hold small constants only.")
    if dtype == "bfloat16":
        dtype = "float32"
    try:
        return np.array(inner["value"], dtype=dtype)
    except (ValueError, TypeError, OverflowError) as e:
        raise ValueError(f"a __numpy__ value is not a regular {dtype} array ({e}).") from None


def _deserialize_special(class_name, inner, config, custom_objects, safe_mode):
    if class_name == "__lambda__":
        return deserialize_function(config, safe_mode=safe_mode, custom_objects=custom_objects)
    if class_name == "function":
        return find_function(inner, config.get("registered_name"), custom_objects, config.get("module"))
    if class_name == "__numpy__":
        return plain_array(inner)
    if class_name == "__tensor__":
        return backend.ops.convert_to_tensor(plain_array(inner))
    if class_name == "__bytes__":
        value = inner.get("value") if isinstance(inner, dict) else None
        if not isinstance(value, str):
            raise ValueError(f"a __bytes__ value must hold a string, received {str(inner)[:80]!r}.")
        return value.encode("utf-8")
    if class_name == "__slice__":
        return slice(*(deserialize_keras_object(inner.get(k), custom_objects, safe_mode)
                       for k in ("start", "stop", "step")))
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__keras_tensor__":
        from lamina.layers.keras_tensor import KerasTensor

        shape = inner.get("shape") if isinstance(inner, dict) else None
        dtype = inner.get("dtype") or "float32"
        if not isinstance(shape, list) or not all(d is None or (type(d) is int and d >= 0) for d in shape) \
                or dtype not in PLAIN_DTYPES:
            raise ValueError(f"a __keras_tensor__ needs a shape of sizes >= 0 (or null) and a "
                             f"numeric dtype, received {str(inner)[:120]!r}.")
        return KerasTensor(shape, dtype)
    if class_name == "DTypePolicy" or class_name == "Policy":
        return (inner or {}).get("name")
    return _NOT_SPECIAL


# ---------------------------------------------------------------------------------------------
def _instantiate(cls, inner, config, custom_objects, safe_mode):
    from lamina.layers.layer import Layer
    from lamina.models.model import Model

    if issubclass(cls, Layer) and not issubclass(cls, Model):
        from lamina.saving import legacy_config

        inner = legacy_config.fix_layer_config(cls.__name__, inner)
        inner = _deserialize_nested(inner, custom_objects, safe_mode)
    if generic_from_config(cls) and not issubclass(cls, Model):
        inner = drop_unknown_keys(cls, inner)
    obj = call_from_config(cls, inner, custom_objects, safe_mode)
    if isinstance(obj, Layer):
        build_config = config.get("build_config")
        if isinstance(obj, Model):
            from lamina.saving import model_config

            model_config.build_from_config(obj, build_config)
        elif build_config and not obj.built:
            _build_layer(obj, build_config)
    return obj


def call_from_config(cls, inner, custom_objects=None, safe_mode=None):
    """``cls.from_config(inner)``, passing custom_objects / safe_mode when it takes them; Keras
    1/2 spellings in old files are translated without deprecation warnings (the user did not
    write them)."""
    fc = cls.from_config
    try:
        params = inspect.signature(fc).parameters
    except (TypeError, ValueError):
        params = {}
    kw = {}
    if "custom_objects" in params:
        kw["custom_objects"] = custom_objects
    if "safe_mode" in params:
        kw["safe_mode"] = safe_mode
    name = inner.get("name") if isinstance(inner, dict) else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LaminaDeprecationWarning)
        try:
            return fc(inner, **kw)
        except (TypeError, ValueError, KeyError) as e:
            if isinstance(e, UnsafeLoadError) or getattr(e, "_lamina_config_error", False):
                raise
            err = ValueError(
                f"Could not rebuild {cls.__name__}{f' {name!r}' if name else ''} from its saved "
                f"config: {e}"
            )
            err._lamina_config_error = True
            raise err from e


_NESTED_FAMILIES = ("initializers", "regularizers", "constraints")


def _deserialize_nested(inner, custom_objects, safe_mode):
    """Turn nested initializer/regularizer/constraint configs into objects (so keys newer
    Keras versions added, like GlorotUniform's ``input_axes: null``, are handled here)."""
    out = {}
    for k, v in inner.items():
        if isinstance(v, str) and k.endswith("activation"):
            fn = reg.get_registered_object(v, custom_objects)  # a registered custom activation
            if callable(fn) and not lookup_function("activations", v):
                v = fn
        if isinstance(v, dict) and v.get("class_name") in ("function", "__lambda__"):
            v = deserialize_keras_object(v, custom_objects, safe_mode, kind="function")
        elif isinstance(v, dict) and "class_name" in v and "config" in v:
            fam = family_of(v.get("module"))
            if fam in _NESTED_FAMILIES or (fam is None and any(
                    lookup_in_family(f, str(v["class_name"])) for f in _NESTED_FAMILIES)):
                try:
                    v = deserialize_keras_object(v, custom_objects, safe_mode,
                                                 kind=(fam or "initializers")[:-1])
                except UnsafeLoadError:
                    raise
                except ValueError:
                    pass  # left as a dict: the layer reports it
        out[k] = v
    return out


def _build_layer(layer, build_config):
    try:
        if build_config.get("input_shape") is not None:
            layer._build_with((to_shape(build_config["input_shape"]),))
        elif build_config.get("shapes_dict"):
            shapes = build_config["shapes_dict"]
            layer._build_with(tuple(to_shape(shapes.get(n)) if shapes.get(n) is not None else None
                                    for n in layer._build_arg_names))
    except Exception:  # noqa: BLE001 - left unbuilt; the model's graph builds it on its first call
        layer.built = False


def to_shape(s):
    """A saved shape (JSON lists) as a tuple; a list of shapes as a list of tuples."""
    if isinstance(s, dict):
        return {k: to_shape(v) for k, v in s.items()}
    if isinstance(s, (list, tuple)):
        if s and all(isinstance(x, (list, tuple, dict)) for x in s):
            return [to_shape(x) for x in s]
        return tuple(None if d is None else int(d) for d in s)
    return s
