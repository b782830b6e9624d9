"""Shared argument checks of the colour augmentation layers (Keras 3's conventions)."""

from __future__ import annotations


def value_range(owner, value_range):
    """Keras's check: a list or tuple of two numbers, kept sorted."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(f"{owner}: the value_range argument should be a list of two numbers; received "
                         f"value_range={value_range!r}. Use (0, 255) for uint8 images or (0, 1) for floats.")
    return sorted(value_range)


def factor_pair(owner, name, factor, bounds=(0, 1), symmetric=False):
    """A (lower, upper) pair inside ``bounds``: a pair is sorted; a number ``f`` becomes
    ``(max(-f, bounds[0]), f)``, or ``(-f, f)`` with ``symmetric`` (RandomShear's rule; its pairs
    may then lie in [-1, 1], so that the saved (-f, f) loads again, which Keras's own check
    refuses)."""
    lo_b, hi_b = bounds
    msg = (f"{owner}: the {name} argument should be a number or a list of two numbers in the range "
           f"[{lo_b}, {hi_b}]; received {name}={factor!r}.")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > hi_b or factor[1] < lo_b:
            raise ValueError(msg)
        if symmetric and not all(-hi_b <= f <= hi_b for f in factor):
            raise ValueError(msg)
        return tuple(sorted(factor))
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not lo_b <= factor <= hi_b:
        raise ValueError(msg)
    factor = abs(factor)
    return (-factor, factor) if symmetric else (max(lo_b, -factor), factor)
