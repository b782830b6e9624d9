"""Average: element-wise mean of a list of inputs."""

from __future__ import annotations

from lamina.layers.merging.base_merge import Merge


class Average(Merge):
    """Averages a list of inputs element-wise.

    Example:
        >>> import lamina
        >>> x1, x2 = lamina.ops.ones((1, 2)), lamina.ops.ones((1, 2)) * 3
        >>> lamina.layers.Average()([x1, x2]).tolist()
        [[2.0, 2.0]]
    """

    def _merge(self, inputs, masks):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


def average(inputs, **kwargs):
    """Functional form of ``Average``: ``lamina.layers.average([x1, x2])``.

    Args:
        inputs: a list of tensors (symbolic or concrete).
        **kwargs: layer arguments (e.g. ``name``).
    """
    return Average(**kwargs)(inputs)
