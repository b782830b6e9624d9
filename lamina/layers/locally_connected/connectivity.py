"""Which input positions feed which output position in a locally-connected layer (Keras 2's rule).

Output position ``o`` of an axis with kernel ``k`` and stride ``s`` sees the input range
``[c - k//2, c - k//2 + k)`` clipped to the input, with ``c = o*s`` ('same') or
``o*s + k//2`` ('valid'), exactly as Keras 2 (tf.keras) computed its masks and sparse indices.
Everything here is NumPy, computed once per layer at build time.
"""

from __future__ import annotations

import itertools

import numpy as np


def output_length(size, kernel, padding, stride):
    return -(-size // stride) if padding == "same" else (size - kernel) // stride + 1


def connected_ranges(in_shape, kernel, strides, padding, position):
    out = []
    for n, k, s, o in zip(in_shape, kernel, strides, position):
        center = o * s + (k // 2 if padding == "valid" else 0)
        out.append(range(max(0, center - k // 2), min(n, center - k // 2 + k)))
    return out


def kernel_mask(in_shape, kernel, strides, padding):
    """Boolean (*in_shape, *out_shape): True where an input position feeds an output position."""
    out_shape = tuple(output_length(n, k, padding, s) for n, k, s in zip(in_shape, kernel, strides))
    mask = np.zeros(tuple(in_shape) + out_shape, bool)
    for pos in itertools.product(*(range(d) for d in out_shape)):
        for src in itertools.product(*connected_ranges(in_shape, kernel, strides, padding, pos)):
            mask[src + pos] = True
    return mask


def patch_indices(in_shape, channels, kernel, strides, out_shape, data_format):
    """(positions, prod(kernel)*channels) flat indices into one flattened input sample, in
    Keras 2's patch order: (kernel..., channel) for channels_last, (channel, kernel...) for
    channels_first (implementation 1, padding 'valid')."""
    rows = []
    dims = (channels,) + tuple(in_shape) if data_format == "channels_first" else tuple(in_shape) + (channels,)
    for pos in itertools.product(*(range(d) for d in out_shape)):
        starts = [p * s for p, s in zip(pos, strides)]
        window = [range(a, a + k) for a, k in zip(starts, kernel)]
        if data_format == "channels_first":
            idx = [(c,) + src for c in range(channels) for src in itertools.product(*window)]
        else:
            idx = [src + (c,) for src in itertools.product(*window) for c in range(channels)]
        rows.append(np.ravel_multi_index(tuple(np.array(idx).T), dims))
    return np.stack(rows).astype("int64")


def sparse_indices(in_shape, channels, kernel, strides, padding, filters, data_format):
    """Sorted (out_index, in_index) pairs of the (out_size, in_size) matrix of implementation 3
    (flat indices in the data format's own axis order)."""
    out_shape = tuple(output_length(n, k, padding, s) for n, k, s in zip(in_shape, kernel, strides))
    first = data_format == "channels_first"
    in_dims = ((channels,) + tuple(in_shape)) if first else (tuple(in_shape) + (channels,))
    out_dims = ((filters,) + out_shape) if first else (out_shape + (filters,))
    pairs = []
    for pos in itertools.product(*(range(d) for d in out_shape)):
        for src in itertools.product(*connected_ranges(in_shape, kernel, strides, padding, pos)):
            for ci in range(channels):
                for co in range(filters):
                    o = ((co,) + pos) if first else (pos + (co,))
                    i = ((ci,) + src) if first else (src + (ci,))
                    pairs.append((np.ravel_multi_index(o, out_dims), np.ravel_multi_index(i, in_dims)))
    return np.array(sorted(pairs), dtype="int64").reshape(-1, 2)
