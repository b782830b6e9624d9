"""The base of the merging layers: a list of tensors in, one tensor out."""

from __future__ import annotations

import functools

from lamina import backend
from lamina import ops
from lamina.layers.input_spec import format_shape
from lamina.layers.layer import Layer


class Merge(Layer):
    """Base class of element-wise merges (Add, Subtract, Multiply, Average, Maximum, Minimum).

    Subclasses implement ``_merge(inputs, masks)``; ``masks`` is None or one mask (or None) per
    input. Inputs of different ranks are aligned by adding size-1 axes after the batch axis;
    then NumPy broadcasting applies. The output's mask is the OR of the inputs' masks when every
    input has one.
    """

    _requires_multiple_inputs = True
    _n_inputs: int | None = None  # exact number of inputs, when the operation needs one

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    # ------------------------------------------------------------------ shape checks
    def _usage(self):
        return f"{type(self).__name__}()([x1, x2])"

    def _check_list(self, shapes):
        if not isinstance(shapes, (list, tuple)) or not shapes or not isinstance(shapes[0], (list, tuple)):
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}' must be called on a list of tensors, "
                f"e.g. {self._usage()}; received a single input of shape {_fmt(shapes)}."
            )
        n = self._n_inputs
        if n is not None and len(shapes) != n:
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}' needs exactly {n} inputs, received "
                f"{len(shapes)} (shapes {', '.join(_fmt(s) for s in shapes)}). Example: {self._usage()}."
            )

    def _check_batch(self, shapes):
        batches = {s[0] for s in shapes if len(s)} - {None}
        if len(batches) > 1:
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}' cannot merge tensors with different batch "
                f"sizes; received shapes {', '.join(_fmt(s) for s in shapes)}. All inputs must "
                "have the same number of samples."
            )

    def _merged_shape(self, shapes):
        self._check_list(shapes)
        shapes = [tuple(s) for s in shapes]
        self._check_batch(shapes)
        out = shapes[0][1:]
        for s in shapes[1:]:
            out = self._broadcast(out, s[1:], shapes)
        batches = {s[0] for s in shapes} - {None}
        return (batches.pop() if len(batches) == 1 else None,) + out

    def _broadcast(self, a, b, shapes):
        if len(a) < len(b):
            a, b = b, a
        if not b:
            return a
        out = list(a[: len(a) - len(b)])
        for i, j in zip(a[len(a) - len(b):], b):
            if i == 1 or j == 1:
                out.append(j if i == 1 else i)
            elif i is None or j is None:
                out.append(None)
            elif i == j:
                out.append(i)
            else:
                raise ValueError(
                    f"{type(self).__name__} layer '{self.name}': inputs have incompatible shapes "
                    f"{' and '.join(_fmt(s) for s in shapes)}. An element-wise merge needs inputs "
                    "of the same shape (axes of size 1 broadcast). Fix: make the feature sizes "
                    "match, e.g. with a Dense or Reshape layer before merging, or use "
                    "Concatenate to join tensors of different sizes."
                )
        return tuple(out)

    def build(self, input_shape):
        self._merged_shape(input_shape)

    def compute_output_shape(self, input_shape):
        return self._merged_shape(input_shape)

    # ------------------------------------------------------------------ call
    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            self._check_list(tuple(inputs.shape))
        masks = input_masks(inputs, mask)
        nd = inputs[0].ndim
        if any(x.ndim != nd for x in inputs):
            top = max(x.ndim for x in inputs)
            inputs = [x if x.ndim == top else
                      ops.reshape(x, (x.shape[0],) + (1,) * (top - x.ndim) + tuple(x.shape[1:]))
                      for x in inputs]
        try:
            return self._merge(inputs, masks)
        except (RuntimeError, TypeError, ValueError):  # torch / JAX broadcasting errors: say which shapes
            self._merged_shape([tuple(x.shape) for x in inputs])
            raise

    def _merge(self, inputs, masks):
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        masks = input_masks(inputs, mask)
        if masks is None or any(m is None for m in masks):
            return None
        return functools.reduce(ops.logical_or, masks)

    def get_config(self):
        return super().get_config()


def input_masks(inputs, mask=None):
    """The list of the inputs' masks (None entries for unmasked inputs), or None if none has one."""
    if mask is not None:
        masks = list(mask) if isinstance(mask, (list, tuple)) else [mask]
    elif isinstance(inputs, (list, tuple)):
        masks = [backend.get_mask(x) for x in inputs]
    else:
        return None
    return masks if any(m is not None for m in masks) else None


def masked_reduce(op, inputs, masks):
    """Keras's masked element-wise merge: masked values of an input are replaced by the running
    result (or the running result's masked values by the input's) before applying ``op``."""
    if masks is None:
        return functools.reduce(op, inputs)
    out = out_mask = None
    for x, m in zip(inputs, masks):
        if m is not None:
            m = ops.broadcast_to(ops.expand_dims(m, -1), tuple(x.shape))
        if out is None:
            out, out_mask = x, m
            continue
        if m is not None:
            x = ops.where(m, x, out)
        if out_mask is not None:
            out = ops.where(out_mask, out, x)
        out_mask = ops.logical_or(out_mask, m) if (m is not None and out_mask is not None) else None
        out = op(out, x)
    return out


def _fmt(shape):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return "[" + ", ".join(_fmt(s) for s in shape) + "]"
    return format_shape(shape)
