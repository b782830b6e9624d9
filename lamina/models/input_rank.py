"""Check (and, Keras's way, adjust) the rank of the arrays a model is called on."""

from __future__ import annotations

from lamina import ops
from lamina.errors import ShapeError


def adjust_input_rank(model, values, shapes):
    """``values`` with each rank matched to the model's input ``shapes`` (batch axis included).

    As Keras 3 does: a trailing axis of size 1 is added or dropped when that is the only
    difference (``(N,)`` data into ``Input((1,))``); any other rank mismatch, such as a sample
    missing its batch axis (``predict(np.zeros(4))`` on ``Input((4,))``), is a ShapeError that
    says so before any layer runs.
    """
    out = None
    for i, (x, shape) in enumerate(zip(values, shapes)):
        ndim = getattr(x, "ndim", None)
        if ndim is None or shape is None or ndim == len(shape):
            continue
        if ndim == len(shape) + 1 and x.shape[-1] == 1:
            x = ops.squeeze(x, -1)
        elif ndim == len(shape) - 1 and shape[-1] == 1:
            x = ops.expand_dims(x, -1)
        else:
            hint = (" The batch axis is missing: pass a batch of one sample, x[None] "
                    "(np.expand_dims(x, 0))." if ndim == len(shape) - 1 else
                    " Reshape the data to that rank.")
            raise ShapeError(
                f"Model '{model.name}' input {i} expects arrays of shape {tuple(shape)} (rank "
                f"{len(shape)}, batch axis first), but received shape {tuple(x.shape)} (rank {ndim})."
                + hint
            )
        out = list(values) if out is None else out
        out[i] = x
    return values if out is None else out
