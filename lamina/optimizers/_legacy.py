"""Keras 1/2 spellings the optimizers accept: ``lr=``, ``decay=`` and old config keys."""

from __future__ import annotations

import os
import sys

from lamina import errors
from lamina.optimizers import _checks
from lamina.optimizers.schedules import InverseTimeDecay, LearningRateSchedule

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

# Keys that Keras 1/2 and tf.keras wrote into optimizer configs and Keras 3 no longer takes.
DROPPED_CONFIG_KEYS = ("is_legacy_optimizer", "jit_compile", "schedule_decay")


def caller_stacklevel() -> int:
    """stacklevel for errors.deprecated() that points at the first frame outside this package."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level + 1


def take_arguments(owner: str, learning_rate, kwargs: dict):
    """Pop ``lr`` and ``decay`` from ``kwargs`` (warning about each).

    Returns ``(learning_rate, legacy_decay)``: the rate to use and whether it is the
    InverseTimeDecay standing in for Keras 2's ``decay``.
    """
    if "lr" in kwargs:
        errors.deprecated("lr=", "learning_rate=", stacklevel=caller_stacklevel())
        learning_rate = kwargs.pop("lr")
    if "decay" not in kwargs:
        return learning_rate, False
    decay = kwargs.pop("decay")
    errors.deprecated(
        "decay=", "learning_rate=lamina.optimizers.schedules.InverseTimeDecay("
        "initial_learning_rate, decay_steps=1, decay_rate=decay)",
        stacklevel=caller_stacklevel())
    schedule = decay_schedule(owner, learning_rate, decay)
    return schedule, schedule is not learning_rate


def decay_schedule(owner: str, learning_rate, decay):
    """Keras 2's ``decay=d`` (``lr / (1 + d * iterations)``) as
    ``InverseTimeDecay(lr, decay_steps=1, decay_rate=d)``; ``learning_rate`` itself if d == 0."""
    decay = _checks.number(owner, "decay", decay, low=0.0,
                           fix="Keras 2's decay is the time-decay rate, e.g. 1e-6.")
    if isinstance(learning_rate, LearningRateSchedule) or (
        callable(learning_rate) and not _checks.is_number(learning_rate)
    ):
        raise ValueError(
            f"{owner}: `decay={decay}` (Keras 2 time-based decay) cannot be combined with a "
            f"learning-rate schedule ({learning_rate!r}). Put the decay into the schedule instead."
        )
    if decay == 0:
        return learning_rate
    lr = _checks.number(owner, "learning_rate", learning_rate, low=0.0)
    return InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)


def clean_config(config: dict):
    """A Keras 1/2 or tf.keras optimizer config in Keras 3's keys, and its ``decay`` (or None)."""
    config = dict(config)
    for key in DROPPED_CONFIG_KEYS:
        config.pop(key, None)
    if "lr" in config:
        lr = config.pop("lr")
        config.setdefault("learning_rate", lr)
    return config, config.pop("decay", None)
