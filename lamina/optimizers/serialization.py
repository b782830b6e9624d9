"""``get``, ``serialize`` and ``deserialize``: optimizers from names and config dicts."""

from __future__ import annotations

from lamina import errors
from lamina.optimizers.adadelta import Adadelta
from lamina.optimizers.adagrad import Adagrad
from lamina.optimizers.adam import Adam
from lamina.optimizers.adamax import Adamax
from lamina.optimizers.adamw import AdamW
from lamina.optimizers.adafactor import Adafactor
from lamina.optimizers.ftrl import Ftrl
from lamina.optimizers.lamb import Lamb
from lamina.optimizers.lion import Lion
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer
from lamina.optimizers.muon import Muon
from lamina.optimizers.nadam import Nadam
from lamina.optimizers.optimizer import Optimizer
from lamina.optimizers.rmsprop import RMSprop
from lamina.optimizers.sgd import SGD

ALL_OBJECTS = {cls.__name__.lower(): cls for cls in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam,
                                                      Lion, Lamb, Ftrl, Adafactor, LossScaleOptimizer,
                                                      Muon)}

# Keras 3 optimizers lamina does not have (yet): a clear error instead of "unknown".
_NOT_YET = ("multi_optimizer", "multioptimizer", "schedule_free_adamw",
            "schedulefreeadamw")


def serialize(optimizer: Optimizer) -> dict:
    """The Keras 3 config dict of an optimizer: ``{"module", "class_name", "config", ...}``.

    Example:
        >>> import lamina
        >>> lamina.optimizers.serialize(lamina.optimizers.SGD())["class_name"]
        'SGD'
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizers.serialize() expects a lamina optimizer; received {optimizer!r} of type "
            f"{type(optimizer).__name__}."
        )
    builtin = ALL_OBJECTS.get(type(optimizer).__name__.lower()) is type(optimizer)
    return {
        "module": "keras.optimizers" if builtin else type(optimizer).__module__,
        "class_name": type(optimizer).__name__,
        "config": optimizer.get_config(),
        "registered_name": None if builtin else type(optimizer).__name__,
    }


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """An optimizer from :func:`serialize`'s dict, or from a Keras 1/2/3 or tf.keras config.

    Args:
        config: ``{"class_name": "Adam", "config": {...}}`` (module and registered_name are
            optional and ignored for built-in optimizers).
        custom_objects: maps names to user-defined optimizer classes.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "optimizers.deserialize() expects a dict with keys 'class_name' and 'config', as "
            f"written by optimizers.serialize(); received {config!r}."
        )
    class_name = str(config["class_name"])
    inner = dict(config.get("config") or {})
    custom_objects = custom_objects or {}
    for key in (config.get("registered_name"), class_name):
        if key and key in custom_objects:
            return custom_objects[key].from_config(inner, custom_objects=custom_objects)
    name = class_name.split(">")[-1]  # tf.keras >= 2.11 wrote "Custom>Adam"
    cls = _lookup(name)
    return cls.from_config(inner, custom_objects=custom_objects)


def _lookup(name: str):
    key = name.lower()
    if key in ALL_OBJECTS:
        return ALL_OBJECTS[key]
    if key in _NOT_YET:
        raise ValueError(
            f"The Keras optimizer '{name}' is not available in lamina yet. Use one of "
            f"{', '.join(repr(n) for n in ALL_OBJECTS)}, or pass your own Optimizer instance."
        )
    raise errors.unknown_identifier("optimizer", name, list(ALL_OBJECTS))


def get(identifier):
    """An optimizer from a name (``'rmsprop'``, ``'Adam'``), a config dict or an instance.

    Example:
        >>> import lamina
        >>> type(lamina.optimizers.get("rmsprop")).__name__
        'RMSprop'
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return _lookup(identifier)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        raise ValueError(
            f"Could not interpret optimizer identifier: the class {identifier.__name__} was "
            f"passed; pass an instance instead, e.g. {identifier.__name__}()."
        )
    if type(identifier).__module__.startswith("torch.optim"):
        raise ValueError(
            f"Could not interpret optimizer identifier {type(identifier).__name__}: lamina "
            "models are trained by lamina optimizers. Use the lamina equivalent, e.g. "
            "lamina.optimizers.Adam(learning_rate=...), or a name such as 'adam'."
        )
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Pass a name such as "
        "'rmsprop' or 'adam', a config dict, or a lamina.optimizers.Optimizer instance."
    )
