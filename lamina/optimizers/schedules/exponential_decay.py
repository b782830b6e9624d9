"""ExponentialDecay: ``lr * decay_rate ** (step / decay_steps)``."""

from __future__ import annotations

import math

from lamina.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule,
    check_decay_steps,
    check_number,
)


class ExponentialDecay(LearningRateSchedule):
    """Multiply the learning rate by ``decay_rate`` every ``decay_steps`` steps, smoothly.

    ``initial_learning_rate * decay_rate ** (step / decay_steps)``; with ``staircase=True``
    the exponent is floored, so the rate drops in steps.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of steps per factor of ``decay_rate``.
        decay_rate: the factor.
        staircase: floor ``step / decay_steps``.
        name: name of the schedule.

    Example:
        >>> import lamina
        >>> s = lamina.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
        >>> round(s(20), 6)
        0.025
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        check_number("ExponentialDecay", "initial_learning_rate", initial_learning_rate)
        check_number("ExponentialDecay", "decay_rate", decay_rate)
        check_decay_steps("ExponentialDecay", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = float(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate**p

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }
