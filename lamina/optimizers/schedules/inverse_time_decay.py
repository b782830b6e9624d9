"""InverseTimeDecay: ``lr / (1 + decay_rate * step / decay_steps)``."""

from __future__ import annotations

from lamina.optimizers.schedules.learning_rate_schedule import RateDecay


class InverseTimeDecay(RateDecay):
    """Divide the learning rate by ``1 + decay_rate * step / decay_steps``.

    This is also what Keras 1/2's ``decay=`` optimizer argument did: ``SGD(lr=0.01, decay=1e-6)``
    equals ``SGD(learning_rate=InverseTimeDecay(0.01, decay_steps=1, decay_rate=1e-6))``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of steps per unit of ``decay_rate``.
        decay_rate: the decay factor.
        staircase: floor ``step / decay_steps``.
        name: name of the schedule.

    Example:
        >>> import lamina
        >>> s = lamina.optimizers.schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)
        >>> s(2)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(step))
