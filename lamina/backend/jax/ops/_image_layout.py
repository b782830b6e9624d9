"""The layout helper of the JAX image kernels: every kernel works on (batch, height, width, channels)."""

from __future__ import annotations

import jax.numpy as jnp

from lamina import config
from lamina.backend.jax.ops._convert import _t


def _fmt(data_format):
    return data_format or config.image_data_format()


def batched(images, data_format, rank=4):
    """(images as (batch, height, width, channels), undo) for a batch or a single image."""
    x = _t(images)
    if x.ndim not in (rank - 1, rank):
        raise ValueError(f"Image ops need a rank {rank - 1} image or a rank {rank} batch; received shape "
                         f"{tuple(x.shape)}.")
    single = x.ndim == rank - 1
    if single:
        x = x[None]
    first = _fmt(data_format) == "channels_first"
    if first:
        x = jnp.moveaxis(x, 1, -1)

    def undo(y):
        if first:
            y = jnp.moveaxis(y, -1, 1)
        return y[0] if single else y

    return x, undo
