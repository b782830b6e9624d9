"""Multiply: element-wise product of a list of inputs."""

from __future__ import annotations

from lamina import ops
from lamina.layers.merging.base_merge import Merge


class Multiply(Merge):
    """Multiplies a list of inputs element-wise. Masked entries count as 1; where every input
    is masked the output is 0 (Keras).

    Example:
        >>> import lamina
        >>> x1 = lamina.ops.convert_to_tensor([[2.0, 5.0]])
        >>> x2 = lamina.ops.convert_to_tensor([[3.0, 2.0]])
        >>> lamina.layers.Multiply()([x1, x2]).tolist()
        [[6.0, 10.0]]
    """

    def _merge(self, inputs, masks):
        if masks is None:
            out = inputs[0]
            for x in inputs[1:]:
                out = out * x
            return out
        all_masked = all(m is not None for m in masks)
        out = out_mask = None
        for x, m in zip(inputs, masks):
            if m is not None:
                m = ops.broadcast_to(ops.expand_dims(m, -1), tuple(x.shape))
                x = ops.where(m, x, 1.0)
                if all_masked:
                    out_mask = m if out_mask is None else ops.logical_or(out_mask, m)
            out = x if out is None else out * x
        if all_masked:
            out = ops.where(out_mask, out, 0.0)
        return out


def multiply(inputs, **kwargs):
    """Functional form of ``Multiply``: ``lamina.layers.multiply([x1, x2])``.

    Args:
        inputs: a list of tensors (symbolic or concrete).
        **kwargs: layer arguments (e.g. ``name``).
    """
    return Multiply(**kwargs)(inputs)
