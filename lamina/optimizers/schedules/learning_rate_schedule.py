"""The base class of learning-rate schedules, and their (de)serialization."""

from __future__ import annotations

import math
import numbers

from lamina import errors


class LearningRateSchedule:
    """A learning rate that changes with the optimizer's step count.

    Pass an instance as ``learning_rate=`` to any optimizer: before each update the optimizer
    calls ``schedule(step)`` with ``step = optimizer.iterations`` (0 on the first update) and uses
    the result. lamina's schedules compute on Python numbers, so evaluating one never waits for
    the device. Subclasses implement ``__call__(step)`` and ``get_config()``.

    Example:
        >>> import lamina
        >>> class Halving(lamina.optimizers.schedules.LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate):
        ...         self.initial_learning_rate = initial_learning_rate
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate / 2 ** step
        ...     def get_config(self):
        ...         return {"initial_learning_rate": self.initial_learning_rate}
        >>> Halving(0.1)(2)
        0.025
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must implement `__call__(self, step)`."
        )

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must implement `get_config()` "
            "to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class RateDecay(LearningRateSchedule):
    """Shared constructor and config of ExponentialDecay and InverseTimeDecay."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        owner = type(self).__name__
        check_number(owner, "initial_learning_rate", initial_learning_rate)
        check_number(owner, "decay_rate", decay_rate)
        check_decay_steps(owner, decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = owner if name is None else name

    def _progress(self, step) -> float:
        p = float(step) / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


def check_decay_steps(schedule: str, decay_steps, argname: str = "decay_steps") -> None:
    if isinstance(decay_steps, bool) or not isinstance(decay_steps, numbers.Real) or not decay_steps > 0:
        raise ValueError(
            f"{schedule}: `{argname}` must be a number > 0 (the steps over which the rate decays); "
            f"received {argname}={decay_steps!r}."
        )


def check_number(schedule: str, argname: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ValueError(
            f"{schedule}: `{argname}` must be a number; received {argname}={value!r}."
        )


def serialize(schedule: LearningRateSchedule) -> dict:
    """The Keras 3 config dict of a schedule (``{"module", "class_name", "config", ...}``)."""
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(
            f"schedules.serialize() expects a LearningRateSchedule; received {schedule!r} "
            f"of type {type(schedule).__name__}."
        )
    return {
        "module": "keras.optimizers.schedules",
        "class_name": type(schedule).__name__,
        "config": schedule.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """Rebuild a schedule from :func:`serialize`'s dict (Keras 2 and 3 dicts both work).

    Args:
        config: ``{"class_name": ..., "config": {...}}``.
        custom_objects: maps names to user-defined schedule classes.
    """
    from lamina.optimizers import schedules

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "schedules.deserialize() expects a dict with keys 'class_name' and 'config', as "
            f"written by schedules.serialize(); received {config!r}."
        )
    name = str(config["class_name"])
    registered = config.get("registered_name")
    custom_objects = custom_objects or {}
    builtins = {n: getattr(schedules, n) for n in schedules.__all__ if n != "LearningRateSchedule"}
    for key in (registered, name):
        if key in custom_objects:
            return custom_objects[key].from_config(dict(config.get("config", {})))
    cls = builtins.get(name)
    if cls is None:
        raise errors.unknown_identifier("learning rate schedule", name, list(builtins))
    return cls.from_config(dict(config.get("config", {})))
