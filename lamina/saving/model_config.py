"""Model configs: Sequential and subclassed models, build configs and compile configs.

(Functional graphs are in ``functional_config``.)
"""

from __future__ import annotations

from lamina.layers.layer import serialize_dtype
from lamina.saving import legacy_config
from lamina.saving.class_lookup import accepted_kwargs
from lamina.saving.functional_config import _without_input_shape, functional_from_config
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object, to_shape


# =============================================================================================
# Sequential
# =============================================================================================
def sequential_get_config(model) -> dict:
    layers = []
    if model._input_layer is not None:
        layers.append(serialize_keras_object(model._input_layer))
        layers.extend(_without_input_shape(serialize_keras_object(layer)) for layer in model.layers)
    else:
        layers.extend(serialize_keras_object(layer) for layer in model.layers)
    config = {"name": model.name, "trainable": model.trainable, "dtype": serialize_dtype(model.dtype_policy.name),
              "layers": layers}
    if model._input_layer is not None:
        config["build_input_shape"] = list(model._input_layer.batch_shape)
    return config


def sequential_from_config(cls, config, custom_objects=None):
    if isinstance(config, list):  # Keras <= 2.2.2
        config = {"layers": config}
    model = cls(name=config.get("name"))
    for lc in config.get("layers") or []:
        layer = deserialize_keras_object(legacy_config.normalize_model_config(lc), custom_objects,
                                         kind="layer")
        model.add(layer)
    shape = config.get("build_input_shape")
    if not model.built and shape:
        model.build(to_shape(shape))
    if config.get("trainable") is False:
        model.trainable = False
    return model


# =============================================================================================
# Subclassed models
# =============================================================================================
def model_from_config(cls, config, custom_objects=None):
    """``Model.from_config``: a functional config builds a Functional; otherwise ``cls(**config)``."""
    from lamina.models.functional import Functional

    if isinstance(config, dict) and "layers" in config and "input_layers" in config:
        target = cls if issubclass(cls, Functional) else Functional
        return functional_from_config(target, config, custom_objects)
    config = dict(config or {})
    accepted = accepted_kwargs(cls)
    if accepted is not None:
        config = {k: v for k, v in config.items() if k in accepted or k not in ("name", "trainable", "dtype")}
    try:
        return cls(**config)
    except TypeError as e:
        raise TypeError(
            f"{cls.__name__}.from_config could not call {cls.__name__}(**config) with the saved "
            f"config keys {sorted(config)}: {e}. Implement from_config() (or make get_config() "
            "return exactly the constructor arguments)."
        ) from None


def build_from_config(model, build_config):
    """Build a model from its saved ``build_config`` (``{"input_shape": ...}``)."""
    from lamina import backend, config as lconfig, ops
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential

    if not build_config or build_config.get("input_shape") is None or isinstance(model, Functional):
        return
    shape = to_shape(build_config["input_shape"])
    if isinstance(model, Sequential):
        if not model.built:
            model.build(shape)
        return
    if model.built and all(l.built for l in model._flatten_layers()):
        return

    def zeros(s):
        if isinstance(s, dict):
            return {k: zeros(v) for k, v in s.items()}
        if isinstance(s, list):
            return [zeros(v) for v in s]
        return ops.zeros(tuple(1 if d is None else d for d in s), lconfig.floatx())

    try:
        with backend.no_grad():
            model(zeros(shape), training=False)
    except Exception as e:  # noqa: BLE001
        raise ValueError(
            f"Could not build model '{model.name}' ({type(model).__name__}) for its saved input "
            f"shape {shape}: calling it on zeros of that shape failed with {type(e).__name__}: {e}. "
            "Check that call() works for that input, or override build_from_config()."
        ) from e


# =============================================================================================
# compile
# =============================================================================================
def get_compile_config(model):
    if not getattr(model, "compiled", False):
        return None
    raw = model._compile_config or {}
    return {
        "optimizer": serialize_keras_object(model.optimizer) if model.optimizer is not None else None,
        "loss": serialize_keras_object(raw.get("loss")),
        "loss_weights": serialize_keras_object(raw.get("loss_weights")),
        "metrics": serialize_keras_object(raw.get("metrics")),
        "weighted_metrics": serialize_keras_object(raw.get("weighted_metrics")),
        "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False,
    }


def compile_from_config(model, config, custom_objects=None, keras2=False):
    """Compile ``model`` as its saved compile config (Keras 3) or training config (Keras 1/2) says."""
    config = dict(config or {})
    opt = config.get("optimizer", config.get("optimizer_config"))
    loss = config.get("loss")
    metrics = config.get("metrics")
    weighted = config.get("weighted_metrics")
    if keras2 or "optimizer_config" in config:
        loss = legacy_config.keras2_loss(loss)
        metrics = legacy_config.keras2_metrics(metrics)
        weighted = legacy_config.keras2_metrics(weighted)
    optimizer = deserialize_keras_object(opt, custom_objects, kind="optimizer") if opt is not None else "rmsprop"
    model.compile(optimizer=optimizer,
                  loss=deserialize_keras_object(loss, custom_objects, kind="loss"),
                  loss_weights=config.get("loss_weights"),
                  metrics=deserialize_keras_object(metrics, custom_objects, kind="metric"),
                  weighted_metrics=deserialize_keras_object(weighted, custom_objects, kind="metric"))
