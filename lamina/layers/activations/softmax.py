"""Softmax: the softmax activation as a layer, with an optional mask."""

from __future__ import annotations

from lamina import backend
from lamina import ops as public_ops
from lamina.ops import _internal as ops
from lamina.layers.layer import Layer
from lamina.layers.output_checks import warn_if_softmax_over_one


class Softmax(Layer):
    """``exp(x) / sum(exp(x))`` along ``axis``.

    With a ``mask`` (broadcastable to the inputs; True or > 0.5 = keep), masked positions get
    probability 0: their logits are replaced by -1e9 before the softmax and the outputs are
    zeroed after it, so a fully masked row is all zeros (Keras 3).

    Args:
        axis: an integer or a list of integers: the axes the softmax normalises over.

    Call arguments:
        inputs: the logits.
        mask: optional boolean mask broadcastable to ``inputs``. The timestep mask that a
            masking layer attaches to the inputs (one dimension fewer) is passed through, not
            applied.

    Example:
        >>> import lamina
        >>> x = lamina.ops.convert_to_tensor([[1.0, 1.0, 5.0]])
        >>> m = lamina.ops.convert_to_tensor([[True, True, False]])
        >>> lamina.layers.Softmax()(x, mask=m).tolist()
        [[0.5, 0.5, 0.0]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, tuple) else axis
        self.supports_masking = True

    def build(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if input_shape and all(-len(input_shape) <= a < len(input_shape) for a in axes):
            size = 1
            for a in axes:
                size = None if size is None or input_shape[a] is None else size * input_shape[a]
            warn_if_softmax_over_one(self, "softmax", size, f"axis {self.axis}")

    def call(self, inputs, mask=None):
        own = mask is backend.get_mask(inputs) and mask is not None and mask.ndim < inputs.ndim
        if mask is not None and not own:
            mask = public_ops.convert_to_tensor(mask)  # a NumPy mask as Keras 3 accepts it
            _check_mask(self, inputs, mask)
            return ops.masked_softmax(inputs, mask, self.axis)
        return ops.softmax(inputs, self.axis)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def _check_mask(layer, inputs, mask):
    ms, xs = tuple(mask.shape), tuple(inputs.shape)
    ok = len(ms) <= len(xs) and all(m == 1 or m == x for m, x in zip(ms[::-1], xs[::-1]))
    if not ok:
        raise ValueError(
            f"Softmax layer '{layer.name}': the mask must be broadcastable to the inputs (each mask "
            f"dimension 1 or equal to the input's, aligned from the right), received mask shape "
            f"{ms} for inputs of shape {xs}. Add size-1 axes, e.g. mask[:, None, :]."
        )
