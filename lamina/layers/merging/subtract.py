"""Subtract: difference of two inputs."""

from __future__ import annotations

from lamina.layers.merging.base_merge import Merge


class Subtract(Merge):
    """Subtracts the second input from the first, element-wise (exactly two inputs).

    Example:
        >>> import lamina
        >>> x1, x2 = lamina.ops.ones((1, 2)) * 3, lamina.ops.ones((1, 2))
        >>> lamina.layers.Subtract()([x1, x2]).tolist()
        [[2.0, 2.0]]
    """

    _n_inputs = 2

    def _merge(self, inputs, masks):
        return inputs[0] - inputs[1]


def subtract(inputs, **kwargs):
    """Functional form of ``Subtract``: ``lamina.layers.subtract([x1, x2])``.

    Args:
        inputs: a list of tensors (symbolic or concrete).
        **kwargs: layer arguments (e.g. ``name``).
    """
    return Subtract(**kwargs)(inputs)
