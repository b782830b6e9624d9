"""ExponentialDecay: ``lr * decay_rate ** (step / decay_steps)``."""

from __future__ import annotations

from lamina.optimizers.schedules.learning_rate_schedule import RateDecay


class ExponentialDecay(RateDecay):
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
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate * self.decay_rate ** self._progress(step)
