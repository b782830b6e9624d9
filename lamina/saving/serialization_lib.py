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
import importlib
import inspect
import types
import warnings

import numpy as np

from lamina import backend
from lamina.errors import LaminaDeprecationWarning, suggest
from lamina.saving import object_registration as reg
from lamina.saving.lambda_serialization import deserialize_function, safe_mode_scope, serialize_function

# lamina package -> the Keras module name written into configs.
_KERAS_MODULES = {
    "layers": "keras.layers", "initializers": "keras.initializers",
    "regularizers": "keras.regularizers", "constraints": "keras.constraints",
    "optimizers": "keras.optimizers", "losses": "keras.losses", "metrics": "keras.metrics",
    "activations": "keras.activations", "callbacks": "keras.callbacks",
}
_FAMILY_ORDER = ("models", "layers", "initializers", "regularizers", "constraints", "optimizers",
                 "losses", "metrics", "activations")
_MODEL_CLASSES = ("Sequential", "Functional", "Model")

# Keras 1/2 spellings of layer class names that Keras 3 renamed.
_LAYER_ALIASES = {
    "Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Convolution3D": "Conv3D",
    "Deconvolution2D": "Conv2DTranspose", "Deconv2D": "Conv2DTranspose", "Deconv3D": "Conv3DTranspose",
    "SeparableConvolution2D": "SeparableConv2D", "AtrousConvolution2D": "Conv2D",
    "MaxPool1D": "MaxPooling1D", "MaxPool2D": "MaxPooling2D", "MaxPool3D": "MaxPooling3D",
    "AvgPool1D": "AveragePooling1D", "AvgPool2D": "AveragePooling2D", "AvgPool3D": "AveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D", "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalAvgPool1D": "GlobalAveragePooling1D", "GlobalAvgPool2D": "GlobalAveragePooling2D",
}

# Constructor keys that may be dropped whatever their value (informational / performance only).
_ALWAYS_DROPPABLE = {"input_dtype", "implementation", "shared_object_id", "function_type",
                     "output_shape_type", "output_shape_module"}
# ... and keys that may be dropped when they hold this (the Keras default) value.
_DROPPABLE_DEFAULTS = {"groups": 1, "unroll": False, "time_major": False, "ragged": False,
                       "sparse": False, "optional": False, "autocast": True}

# The layer base takes these through **kwargs (input shape spellings).
_LAYER_BASE_KWARGS = {"name", "trainable", "dtype", "autocast", "activity_regularizer", "input_shape",
                      "input_dim", "batch_size", "batch_input_shape", "batch_shape", "input_length",
                      "weights"}


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
        if obj.__name__ == "<lambda>" or "<locals>" in getattr(obj, "__qualname__", ""):
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
        if parts[1] in _KERAS_MODULES:
            return _KERAS_MODULES[parts[1]], None
    return module, registered if registered is not None else cls.__name__


def _function_module(fn):
    module = getattr(fn, "__module__", "") or ""
    if reg._GLOBAL_CUSTOM_NAMES.get(id(fn)) is None and module.startswith("lamina."):
        return _KERAS_MODULES.get(module.split(".")[1], module)
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
            return _find_function(config, None, custom_objects)
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


def _deserialize_special(class_name, inner, config, custom_objects, safe_mode):
    if class_name == "__lambda__":
        return deserialize_function(config, safe_mode=safe_mode, custom_objects=custom_objects)
    if class_name == "function":
        return _find_function(inner, config.get("registered_name"), custom_objects, config.get("module"))
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner.get("dtype"))
    if class_name == "__tensor__":
        return backend.ops.convert_to_tensor(np.array(inner["value"], dtype=inner.get("dtype")))
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__slice__":
        return slice(*(deserialize_keras_object(inner.get(k), custom_objects, safe_mode)
                       for k in ("start", "stop", "step")))
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__keras_tensor__":
        from lamina.layers.keras_tensor import KerasTensor

        return KerasTensor(inner["shape"], inner.get("dtype", "float32"))
    if class_name == "DTypePolicy" or class_name == "Policy":
        return (inner or {}).get("name")
    return _NOT_SPECIAL


def resolve_class(config, custom_objects=None, kind=None):
    """The class (or function) a config names: user objects first, then lamina's own."""
    class_name = str(config["class_name"])
    registered = config.get("registered_name")
    module = config.get("module")
    for key in (registered, class_name):
        if key:
            obj = reg.get_registered_object(key, custom_objects)
            if obj is not None:
                return obj
    name = class_name.split(">")[-1]  # tf.keras >= 2.11 wrote "Custom>Adam" for built-ins
    found = _builtin(name, module, kind)
    if found is not None:
        return found
    err = ValueError(unknown_class_message(class_name, module, kind, custom_objects))
    err._lamina_config_error = True
    raise err


def unknown_class_message(class_name, module=None, kind=None, custom_objects=None):
    what = kind or _family_of(module) or "object"
    what = {"layers": "layer", "models": "model"}.get(what, what)
    candidates = _candidate_names() + reg.registered_names(custom_objects)
    hint = suggest(class_name, candidates)
    origin = f" (saved from module '{module}')" if module else ""
    return (
        f"Unknown {what} class '{class_name}'{origin}: lamina has no such class and none was "
        f"registered.{hint} If it is your own class, pass "
        f"custom_objects={{'{class_name}': {class_name.split('>')[-1]}}} to load_model / "
        "model_from_json, or decorate the class with "
        "@lamina.saving.register_keras_serializable()."
    )


def _family_of(module):
    if not module:
        return None
    if module in ("keras", "keras.models") or ".models" in module:
        return "models"
    for fam in _FAMILY_ORDER:
        if fam in module.split("."):
            return fam
    return None


_KIND_FAMILY = {"layer": "layers", "model": "models", "initializer": "initializers",
                "regularizer": "regularizers", "constraint": "constraints", "optimizer": "optimizers",
                "loss": "losses", "metric": "metrics", "activation": "activations",
                "function": "activations"}


def _builtin(name, module, kind):
    family = _family_of(module) or _KIND_FAMILY.get(kind)
    if name in _MODEL_CLASSES:
        family = "models"
    families = [family] if family else []
    families += [f for f in _FAMILY_ORDER if f not in families]
    for fam in families:
        obj = _lookup_in_family(fam, name)
        if obj is not None:
            return obj
    return None


def _lookup_in_family(family, name):
    if family == "models":
        from lamina.models import Functional, Sequential

        return {"Sequential": Sequential, "Functional": Functional, "Model": Functional}.get(name)
    try:
        mod = importlib.import_module(f"lamina.{family}")
    except ImportError:
        return None
    obj = getattr(mod, name, None)
    if obj is None and family == "layers" and name in _LAYER_ALIASES:
        obj = getattr(mod, _LAYER_ALIASES[name], None)
    if isinstance(obj, type):
        return obj
    return None


def _candidate_names():
    import lamina.layers as layers
    from lamina.layers.layer import Layer

    return [n for n in dir(layers) if isinstance(getattr(layers, n), type)
            and issubclass(getattr(layers, n), Layer)] + list(_MODEL_CLASSES)


def _find_function(name, registered=None, custom_objects=None, module=None):
    for key in (registered, name):
        if key:
            obj = reg.get_registered_object(key, custom_objects)
            if obj is not None:
                return obj
    family = _family_of(module)
    families = [family] if family else []
    families += [f for f in ("activations", "losses", "metrics") if f not in families]
    for fam in families:
        try:
            mod = importlib.import_module(f"lamina.{fam}")
        except ImportError:
            continue
        obj = getattr(mod, str(name), None)
        if callable(obj):
            return obj
    raise ValueError(
        f"Unknown function '{name}'{f' (module {module!r})' if module else ''}. If it is your own "
        f"function, pass custom_objects={{'{name}': {name}}} or decorate it with "
        "@lamina.saving.register_keras_serializable()."
    )


# ---------------------------------------------------------------------------------------------
def _instantiate(cls, inner, config, custom_objects, safe_mode):
    from lamina.layers.layer import Layer
    from lamina.models.model import Model

    if issubclass(cls, Layer) and not issubclass(cls, Model):
        from lamina.saving import legacy_config

        inner = legacy_config.fix_layer_config(cls.__name__, inner)
        inner = _deserialize_nested(inner, custom_objects, safe_mode)
    if _generic_from_config(cls) and not issubclass(cls, Model):
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
            from lamina.errors import UnsafeLoadError

            if isinstance(e, UnsafeLoadError) or getattr(e, "_lamina_config_error", False):
                raise
            err = ValueError(
                f"Could not rebuild {cls.__name__}{f' {name!r}' if name else ''} from its saved "
                f"config: {e}"
            )
            err._lamina_config_error = True
            raise err from e


def _generic_from_config(cls):
    """Whether ``cls.from_config`` is one of lamina's own (so its config keys are constructor
    arguments and unknown unset keys may be dropped)."""
    for klass in cls.__mro__:
        if "from_config" in klass.__dict__:
            return (klass.__module__ or "").startswith("lamina.")
    return False


def accepted_kwargs(cls):
    """The keyword arguments ``cls(...)`` takes (following **kwargs up the class chain), or
    None when it takes any."""
    from lamina.layers.layer import LEGACY_KWARGS, Layer

    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass is object:
            return None
        try:
            sig = inspect.signature(inspect.unwrap(init))
        except (TypeError, ValueError):
            return None
        var_kw = False
        for p in list(sig.parameters.values())[1:]:
            if p.kind is p.VAR_KEYWORD:
                var_kw = True
            elif p.kind is not p.VAR_POSITIONAL:
                names.add(p.name)
        if klass is Layer:
            names |= _LAYER_BASE_KWARGS | set(LEGACY_KWARGS)
            break
        if klass.__name__ == "Model" and klass.__module__ == "lamina.models.model":
            names |= {"name", "trainable", "dtype"}
            break
        if not var_kw:
            break
        if klass.__bases__ == (object,):
            names |= {"lr", "decay"}  # optimizers: Keras 1/2 spellings, translated by the base
            break
    for klass in cls.__mro__:
        names |= set(klass.__dict__.get("_legacy_kwargs", {}) or {})
    return names


def drop_unknown_keys(cls, inner):
    """Drop config keys ``cls`` does not take when they are unset or purely informational."""
    if not isinstance(inner, dict):
        return inner
    accepted = accepted_kwargs(cls)
    if accepted is None:
        return inner
    out = {}
    for k, v in inner.items():
        if k not in accepted and _droppable(k, v):
            continue
        out[k] = v
    return out


def _droppable(key, value):
    if key in _ALWAYS_DROPPABLE:
        return True
    if key in _DROPPABLE_DEFAULTS and value == _DROPPABLE_DEFAULTS[key]:
        return True
    return value is None or value is False or (isinstance(value, (list, dict)) and not value)


_NESTED_FAMILIES = ("initializers", "regularizers", "constraints")


def _deserialize_nested(inner, custom_objects, safe_mode):
    """Turn nested initializer/regularizer/constraint configs into objects (so keys newer
    Keras versions added, like GlorotUniform's ``input_axes: null``, are handled here)."""
    out = {}
    for k, v in inner.items():
        if isinstance(v, str) and k.endswith("activation"):
            fn = reg.get_registered_object(v, custom_objects)  # a registered custom activation
            if callable(fn) and not _lookup_function("activations", v):
                v = fn
        if isinstance(v, dict) and v.get("class_name") in ("function", "__lambda__"):
            v = deserialize_keras_object(v, custom_objects, safe_mode, kind="function")
        elif isinstance(v, dict) and "class_name" in v and "config" in v:
            fam = _family_of(v.get("module"))
            if fam in _NESTED_FAMILIES or (fam is None and any(
                    _lookup_in_family(f, str(v["class_name"])) for f in _NESTED_FAMILIES)):
                try:
                    v = deserialize_keras_object(v, custom_objects, safe_mode,
                                                 kind=(fam or "initializers")[:-1])
                except ValueError:
                    pass  # left as a dict: the layer reports it
        out[k] = v
    return out


def _lookup_function(family, name):
    try:
        mod = importlib.import_module(f"lamina.{family}")
    except ImportError:
        return None
    obj = getattr(mod, str(name), None)
    return obj if callable(obj) else None


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
