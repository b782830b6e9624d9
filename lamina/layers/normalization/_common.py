"""Helpers shared by the normalization layers."""

from __future__ import annotations


def check_axes(layer, axes, input_shape):
    """Raise a ValueError naming the layer if an axis is out of range for ``input_shape``."""
    nd = len(input_shape)
    bad = [a for a in axes if not -nd <= a < nd]
    if bad:
        raise ValueError(
            f"{type(layer).__name__} layer '{layer.name}': axis {bad[0]} is out of bounds for input "
            f"shape {tuple(input_shape)} (rank {nd}). Received axis={layer.axis!r}; use an axis in "
            f"[{-nd}, {nd - 1}]."
        )


def normalize_axes(axes, ndim):
    """Sorted non-negative axes."""
    return sorted(a % ndim for a in axes)


def ser(module, obj):
    return None if obj is None else module.serialize(obj)
