"""TimeDistributed: apply one layer to every time step of a sequence."""

from __future__ import annotations

from lamina import ops
from lamina.layers.core.wrapper import Wrapper


class TimeDistributed(Wrapper):
    """Applies ``layer`` to each slice ``inputs[:, t]`` with the same weights.

    The time axis is folded into the batch (one call of the inner layer on
    (batch * time, ...)), which gives the same numbers as a loop over time steps for layers
    that treat samples independently (Dense, Conv2D, ...). The weights are the inner layer's.

    Args:
        layer: the layer to apply (e.g. Dense(10)).

    Input shape: (batch, time, ...). Output shape: (batch, time, ...inner output...).

    Example:
        >>> import lamina
        >>> td = lamina.layers.TimeDistributed(lamina.layers.Dense(2))
        >>> tuple(td(lamina.ops.ones((4, 5, 3))).shape)
        (4, 5, 2)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_shape(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed layer '{self.name}' needs inputs with at least 3 dimensions "
                f"(batch, time, ...), received input shape {tuple(input_shape)}. Add a time axis "
                "or apply the inner layer directly."
            )
        return (None,) + tuple(input_shape[2:])

    def build(self, input_shape):
        child = self._child_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer._build_with((child,))

    def call(self, inputs, training=False, mask=None):
        shape = tuple(inputs.shape)
        self._child_shape(shape)
        batch, steps = shape[0], shape[1]
        folded = ops.reshape(inputs, (batch * steps,) + shape[2:])
        kwargs = {}
        if self.layer._call_has_training:
            kwargs["training"] = training
        if mask is not None and self.layer._call_has_mask:
            kwargs["mask"] = ops.reshape(mask, (batch * steps,) + tuple(mask.shape[2:]))
        out = self.layer(folded, **kwargs)
        return ops.reshape(out, (batch, steps) + tuple(out.shape[1:]))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        inner = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])
