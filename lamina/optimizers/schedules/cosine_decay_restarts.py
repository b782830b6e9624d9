"""CosineDecayRestarts: cosine decay that restarts, each period ``t_mul`` times longer (SGDR)."""

from __future__ import annotations

import math

from lamina.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule,
    check_decay_steps,
    check_number,
)


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (Loshchilov & Hutter, SGDR).

    The first period lasts ``first_decay_steps``; period ``i`` lasts ``t_mul**i`` times as long
    and starts from ``m_mul**i`` times the initial rate. Within a period the rate follows
    ``lr0 * m_mul**i * ((1 - alpha) * 0.5 * (1 + cos(pi * f)) + alpha)`` (f: fraction done).

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: positive length of the first period.
        t_mul: period length multiplier (default 2.0).
        m_mul: restart rate multiplier (default 1.0).
        alpha: minimum rate as a fraction of the initial one (default 0.0).
        name: name of the schedule.

    Example:
        >>> import lamina
        >>> s = lamina.optimizers.schedules.CosineDecayRestarts(0.1, first_decay_steps=10)
        >>> round(s(5), 6), round(s(10), 6)
        (0.05, 0.1)
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        check_number("CosineDecayRestarts", "initial_learning_rate", initial_learning_rate)
        check_decay_steps("CosineDecayRestarts", first_decay_steps, "first_decay_steps")
        for argname, value in (("t_mul", t_mul), ("m_mul", m_mul), ("alpha", alpha)):
            check_number("CosineDecayRestarts", argname, value)
        if t_mul <= 0:
            raise ValueError(f"CosineDecayRestarts: `t_mul` must be > 0; received t_mul={t_mul!r}.")
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        fraction = float(step) / self.first_decay_steps
        t_mul = self._t_mul
        if t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            done = (1.0 - t_mul**restart) / (1.0 - t_mul)
            fraction = (fraction - done) / t_mul**restart
        cosine = 0.5 * self._m_mul**restart * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }
