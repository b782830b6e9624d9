"""Add: element-wise sum of a list of inputs."""

from __future__ import annotations

from lamina.layers.merging.base_merge import Merge


class Add(Merge):
    """Adds a list of inputs element-wise (all of the same shape, or broadcastable).

    Example:
        >>> import lamina
        >>> x1, x2 = lamina.ops.ones((2, 3)), lamina.ops.ones((2, 3))
        >>> lamina.layers.Add()([x1, x2]).tolist()
        [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    """

    def _merge(self, inputs, masks):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


def add(inputs, **kwargs):
    """Functional form of ``Add``: ``lamina.layers.add([x1, x2])``.

    Args:
        inputs: a list of tensors (symbolic or concrete).
        **kwargs: layer arguments (e.g. ``name``).
    """
    return Add(**kwargs)(inputs)
