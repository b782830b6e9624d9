"""Minimum: element-wise minimum of a list of inputs."""

from __future__ import annotations

from lamina import ops
from lamina.layers.merging.base_merge import Merge, masked_reduce


class Minimum(Merge):
    """Element-wise minimum of a list of inputs. Masked entries of an input do not take part.

    Example:
        >>> import lamina
        >>> x1 = lamina.ops.convert_to_tensor([[1.0, 5.0]])
        >>> x2 = lamina.ops.convert_to_tensor([[3.0, 2.0]])
        >>> lamina.layers.Minimum()([x1, x2]).tolist()
        [[1.0, 2.0]]
    """

    def _merge(self, inputs, masks):
        return masked_reduce(ops.minimum, inputs, masks)


def minimum(inputs, **kwargs):
    """Functional form of ``Minimum``: ``lamina.layers.minimum([x1, x2])``.

    Args:
        inputs: a list of tensors (symbolic or concrete).
        **kwargs: layer arguments (e.g. ``name``).
    """
    return Minimum(**kwargs)(inputs)
