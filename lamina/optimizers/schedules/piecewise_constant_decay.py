"""PiecewiseConstantDecay: a constant learning rate per range of steps."""

from __future__ import annotations

import bisect

from lamina.optimizers.schedules.learning_rate_schedule import LearningRateSchedule


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` until ``boundaries[1]``, ...

    Args:
        boundaries: increasing step numbers, one fewer than ``values``.
        values: the learning rate in each range.
        name: name of the schedule.

    Example:
        >>> import lamina
        >>> s = lamina.optimizers.schedules.PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
        >>> s(100), s(101), s(500)
        (1.0, 0.5, 0.1)
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay: `boundaries` must have one element fewer than `values` "
                f"(one value per range between boundaries); received {len(boundaries)} "
                f"boundaries={boundaries} and {len(values)} values={values}."
            )
        if boundaries != sorted(boundaries):
            raise ValueError(
                f"PiecewiseConstantDecay: `boundaries` must be increasing; received {boundaries}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        return self.values[bisect.bisect_left(self.boundaries, float(step))]

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}
