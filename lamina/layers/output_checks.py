"""Warnings for outputs that cannot learn what was asked of them.

A softmax over a single unit is always 1.0 (its gradient is zero), so a ``Dense(1,
activation='softmax')`` classifier stays constant without an error. A 2-class problem wants
``Dense(1, activation='sigmoid')`` with ``binary_crossentropy``, or ``Dense(2,
activation='softmax')`` with a categorical cross-entropy.
"""

from __future__ import annotations

import warnings

from lamina import activations
from lamina.errors import LaminaWarning


def warn_if_softmax_over_one(layer, activation, size, what="its output") -> None:
    """Warn (at build time) when ``activation`` is softmax over an axis of ``size`` 1."""
    if size != 1 or activation is not activations.softmax and activation != "softmax":
        return
    warnings.warn(
        f"Layer '{layer.name}' ({type(layer).__name__}) applies softmax over {what}, which has a "
        "single unit: the result is always 1.0 and the layer cannot learn. For two classes use "
        "Dense(1, activation='sigmoid') with binary_crossentropy, or Dense(2, "
        "activation='softmax') with (sparse_)categorical_crossentropy.",
        LaminaWarning, stacklevel=4)


def warn_if_binary_loss_on_softmax(y_pred) -> None:
    """Warn when binary_crossentropy's 'accuracy' meets a multi-unit output whose rows sum to 1."""
    import numpy as np

    from lamina import ops

    shape = tuple(y_pred.shape)
    if len(shape) < 2 or shape[-1] < 2:
        return
    p = ops.convert_to_numpy(ops.cast(y_pred, "float32"))
    if p.size == 0 or p.min() < 0 or not np.allclose(p.sum(axis=-1), 1.0, atol=1e-3):
        return
    warnings.warn(
        f"binary_crossentropy does not fit this output: it has {shape[-1]} units whose values sum "
        "to 1 (a softmax), but binary_crossentropy scores each unit as a separate yes/no question, "
        "and 'accuracy' then becomes BinaryAccuracy over all units (a 10-way softmax that predicts "
        "nothing scores 0.90). For one class per sample use loss='categorical_crossentropy' "
        "(one-hot labels) or 'sparse_categorical_crossentropy' (integer labels); for several "
        "independent labels use activation='sigmoid'.",
        LaminaWarning, stacklevel=2)
