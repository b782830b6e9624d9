"""PolynomialDecay: from ``initial_learning_rate`` to ``end_learning_rate`` along ``(1 - p)**power``."""

from __future__ import annotations

import math

from lamina.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule,
    check_decay_steps,
    check_number,
)


class PolynomialDecay(LearningRateSchedule):
    """Decay polynomially to ``end_learning_rate`` over ``decay_steps`` steps, then stay there.

    ``(initial - end) * (1 - step / decay_steps) ** power + end``, with ``step`` capped at
    ``decay_steps``. With ``cycle=True`` the decay restarts: ``decay_steps`` grows to the first
    multiple of itself that is >= ``step``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of steps to reach ``end_learning_rate``.
        end_learning_rate: the final rate (default 0.0001).
        power: the polynomial's exponent (default 1.0: linear).
        cycle: restart the decay after ``decay_steps``.
        name: name of the schedule.

    Example:
        >>> import lamina
        >>> s = lamina.optimizers.schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.0)
        >>> round(s(5), 6), s(50)
        (0.05, 0.0)
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        check_number("PolynomialDecay", "initial_learning_rate", initial_learning_rate)
        check_number("PolynomialDecay", "end_learning_rate", end_learning_rate)
        check_number("PolynomialDecay", "power", power)
        check_decay_steps("PolynomialDecay", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step = float(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / self.decay_steps)
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * (1.0 - p) ** self.power + (
            self.end_learning_rate
        )

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }
