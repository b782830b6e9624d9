"""Finding the class a config names, and fitting a saved config to its constructor.

Lookup order: ``custom_objects``, the active ``custom_object_scope``s, the registry
(``@register_keras_serializable``), then lamina's own packages chosen by the config's Keras
module (``keras.layers`` -> ``lamina.layers``...), by name, at load time; backend-specific
module paths (``keras.src.backend.torch...``) are ignored. Keras 1/2 class names that Keras 3
renamed are mapped.

Configs written by other Keras versions carry keys lamina's constructors do not take
(``quantization_config: null``, ``time_major: false``, GlorotUniform's ``input_axes: null``):
unset (None/False/empty) or purely informational keys are dropped; anything that would change
behaviour is kept, so the constructor reports it.
"""

from __future__ import annotations

import importlib
import inspect

from lamina.errors import UnsafeLoadError, suggest
from lamina.saving import object_registration as reg
from lamina.saving.safe_names import FUNCTION_FAMILIES, allowed_class, allowed_function, check_name

KERAS_MODULES = {
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


def resolve_class(config, custom_objects=None, kind=None):
    """The class (or function) a config names: user objects first, then lamina's own
    (only the kinds a model file may name, see ``safe_names``)."""
    class_name = check_name(config["class_name"], "class")
    registered = config.get("registered_name")
    if registered is not None:
        check_name(registered, "registered class")
    module = config.get("module")
    if module is not None and not isinstance(module, str):
        raise UnsafeLoadError(f"the module of class {class_name!r} is {str(module)[:60]!r}, "
                              "expected a string.")
    for key in (registered, class_name):
        if key:
            obj = reg.get_registered_object(key, custom_objects)
            if obj is not None:
                return obj
    if module is not None and module.startswith("keras.src.ops."):
        raise ValueError(  # read only as nodes of a functional model (saving.keras_ops_nodes)
            f"'{class_name}' of module '{module}' is a Keras 3 operation, not a layer: it can only "
            "be loaded as a node of a functional model config (inbound_nodes give its arguments).")
    name = class_name.split(">")[-1]  # tf.keras >= 2.11 wrote "Custom>Adam" for built-ins
    found = _builtin(name, module, kind)
    if found is not None:
        return found
    err = ValueError(unknown_class_message(class_name, module, kind, custom_objects))
    err._lamina_config_error = True
    raise err


def unknown_class_message(class_name, module=None, kind=None, custom_objects=None):
    what = kind or family_of(module) or "object"
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


def family_of(module):
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
    family = family_of(module) or _KIND_FAMILY.get(kind)
    if name in _MODEL_CLASSES:
        family = "models"
    families = [family] if family else []
    families += [f for f in _FAMILY_ORDER if f not in families]
    for fam in families:
        obj = lookup_in_family(fam, name)
        if obj is not None:
            return obj
    return None


def lookup_in_family(family, name):
    if family == "models":
        from lamina.models import Functional, Sequential

        return {"Sequential": Sequential, "Functional": Functional, "Model": Functional}.get(name)
    try:
        mod = importlib.import_module(f"lamina.{family}")
    except ImportError:
        return None
    obj = getattr(mod, name, None) if not name.startswith("_") else None
    if obj is None and family == "layers" and name in _LAYER_ALIASES:
        obj = getattr(mod, _LAYER_ALIASES[name], None)
    if allowed_class(obj):
        return obj
    return None


def _candidate_names():
    import lamina.layers as layers
    from lamina.layers.layer import Layer

    return [n for n in dir(layers) if isinstance(getattr(layers, n), type)
            and issubclass(getattr(layers, n), Layer)] + list(_MODEL_CLASSES)


def find_function(name, registered=None, custom_objects=None, module=None):
    """A function a config names: a registered/custom one, else one of lamina's activation,
    loss or metric functions. Anything else lamina has (``load_model``, ``get``...) is refused
    with ``UnsafeLoadError``: a file must not make lamina call it."""
    name = check_name(name, "function")
    if registered is not None:
        check_name(registered, "registered function")
    for key in (registered, name):
        if key:
            obj = reg.get_registered_object(key, custom_objects)
            if obj is not None:
                return obj
    if module is not None and not isinstance(module, str):
        raise UnsafeLoadError(f"the module of function {name!r} is {str(module)[:60]!r}, expected "
                              "a string.")
    family = family_of(module)
    families = [family] if family in FUNCTION_FAMILIES else []
    families += [f for f in FUNCTION_FAMILIES if f not in families]
    for fam in families:
        obj = lookup_function(fam, name)
        if obj is not None:
            return obj
    if (module and family not in FUNCTION_FAMILIES) or _any_lamina_callable(name):
        raise UnsafeLoadError(
            f"the file references the function {name!r}{f' of module {module!r}' if module else ''}"
            "; a model file may only name activation, loss and metric functions (and objects you "
            "register), so lamina refuses to look it up. If it is your own function, pass "
            f"custom_objects={{'{name}': {name}}} to load_model.")
    raise ValueError(
        f"Unknown function '{name}'{f' (module {module!r})' if module else ''}. If it is your own "
        f"function, pass custom_objects={{'{name}': {name}}} or decorate it with "
        "@lamina.saving.register_keras_serializable()."
    )


def generic_from_config(cls):
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


def lookup_function(family, name):
    """lamina's activation/loss/metric function ``name`` of ``family``, or None."""
    name = str(name)
    if family not in FUNCTION_FAMILIES or name.startswith("_"):
        return None
    try:
        mod = importlib.import_module(f"lamina.{family}")
    except ImportError:
        return None
    obj = getattr(mod, name, None)
    return obj if allowed_function(obj, name) else None


def _any_lamina_callable(name):
    import lamina

    mods = [lamina] + [getattr(lamina, m, None) for m in ("models", "saving", "utils", "ops", "backend",
                                                          "activations", "losses", "metrics")]
    return any(callable(getattr(m, name, None)) for m in mods if m is not None)


