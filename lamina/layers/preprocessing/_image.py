"""Image helpers for the preprocessing layers, written in lamina.ops (any backend, differentiable):
separable resize with torch/Keras conventions, crops, pads."""

from __future__ import annotations

import math

import numpy as np

from lamina import ops

INTERPOLATIONS = ("bilinear", "nearest")


def height_axis(x, data_format):
    nd = len(x.shape)
    if nd not in (3, 4):
        raise ValueError(
            f"Image preprocessing layers expect an image (height, width, channels) or a batch "
            f"(batch, height, width, channels); received an input of shape {tuple(x.shape)}.")
    return nd - 3 if data_format == "channels_last" else nd - 2


def crop(x, h_axis, top, left, height, width):
    index = [slice(None)] * len(x.shape)
    index[h_axis] = slice(top, top + height)
    index[h_axis + 1] = slice(left, left + width)
    return x[tuple(index)]


def resize_axis(x, axis, n_out, interpolation):
    """Resample one axis to ``n_out`` points with half-pixel centres, as torch's
    ``interpolate(align_corners=False)`` ('bilinear') and 'nearest-exact' do (no antialiasing)."""
    n_in = x.shape[axis]
    if n_in == n_out:
        return x
    scale = np.float32(n_in / n_out)
    dst = np.arange(n_out, dtype=np.float32) + np.float32(0.5)
    if interpolation == "nearest":
        idx = np.minimum(np.floor(dst * scale).astype(np.int64), n_in - 1)
        return ops.take(x, ops.convert_to_tensor(idx), axis=axis)
    src = np.maximum(dst * scale - np.float32(0.5), np.float32(0))
    lo = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    hi = np.minimum(lo + 1, n_in - 1)
    shape = [1] * len(x.shape)
    shape[axis] = n_out
    w = ops.cast(ops.convert_to_tensor((src - lo).astype(np.float32).reshape(shape)), ops.dtype(x))
    low = ops.take(x, ops.convert_to_tensor(lo), axis=axis)
    high = ops.take(x, ops.convert_to_tensor(hi), axis=axis)
    return low + (high - low) * w


def resize(x, size, interpolation, h_axis):
    x = resize_axis(x, h_axis, int(size[0]), interpolation)
    return resize_axis(x, h_axis + 1, int(size[1]), interpolation)


def aspect_crop_box(height, width, target_height, target_width):
    crop_h = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_w = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


def smart_resize(x, size, interpolation, h_axis):
    h, w = x.shape[h_axis], x.shape[h_axis + 1]
    top, left, ch, cw = aspect_crop_box(h, w, size[0], size[1])
    return resize(crop(x, h_axis, top, left, ch, cw), size, interpolation, h_axis)


def pad_to_aspect(x, size, fill_value, h_axis):
    """Pad (centred, with ``fill_value``) to the target's aspect ratio, as Keras 3 does."""
    h, w = x.shape[h_axis], x.shape[h_axis + 1]
    pad_h = max(h, int(float(w * size[0]) / size[1]))
    pad_w = max(w, int(float(h * size[1]) / size[0]))
    top, left = int(float(pad_h - h) / 2), int(float(pad_w - w) / 2)
    widths = [(0, 0)] * len(x.shape)
    widths[h_axis] = (top, top)
    widths[h_axis + 1] = (left, left)
    if top or left:
        x = ops.pad(x, widths, constant_values=fill_value)
    return x


def value_range_check(owner, value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or \
            not all(isinstance(v, (int, float)) and math.isfinite(v) for v in value_range):
        raise ValueError(
            f"{owner}: value_range must be a (min, max) pair of numbers; received "
            f"value_range={value_range!r}. Use (0, 255) for uint8 images or (0, 1) for floats.")
    return value_range


FILL_MODES = ("reflect", "wrap", "constant", "nearest")
ELASTIC_FILL_MODES = FILL_MODES + ("mirror",)


def _fix_index(i, n, fill_mode):
    """Map integer indices (float tensor) into [0, n) the way scipy's map_coordinates (and
    Keras's torch backend) does for each fill mode."""
    if fill_mode == "reflect":  # d c b a | a b c d | d c b a
        m = ops.mod(i, 2.0 * n)
        return ops.where(ops.greater_equal(m, float(n)), 2.0 * n - 1.0 - m, m)
    if fill_mode == "mirror":  # d c b | a b c d | c b a
        if n == 1:
            return ops.zeros_like(i)
        m = ops.mod(i, 2.0 * n - 2.0)
        return ops.where(ops.greater_equal(m, float(n)), 2.0 * n - 2.0 - m, m)
    if fill_mode == "wrap":
        return ops.mod(i, float(n))
    return ops.clip(i, 0.0, float(n - 1))


def affine_transform(x, transform, interpolation="bilinear", fill_mode="constant", fill_value=0.0,
                     h_axis=1):
    """Warp a batch of images with Keras's 8-parameter transforms ``[a0, a1, a2, b0, b1, b2, c0,
    c1]`` (one row per image): output pixel (y, x) samples the input at
    ``(b0 x + b1 y + b2, a0 x + a1 y + a2)``. Bilinear or nearest (round half to even)
    sampling; neighbours outside the image follow ``fill_mode`` ('constant' reads
    ``fill_value``)."""
    channels_first = h_axis == 2
    if channels_first:
        x = ops.transpose(x, (0, 2, 3, 1))
    b, h, w, c = x.shape
    t = ops.cast(ops.convert_to_tensor(transform), "float32")
    col = lambda k: ops.reshape(t[:, k], (b, 1, 1))  # noqa: E731
    yy = ops.reshape(ops.arange(h, dtype="float32"), (1, h, 1))
    xx = ops.reshape(ops.arange(w, dtype="float32"), (1, 1, w))
    x_in = col(0) * xx + col(1) * yy + col(2)
    y_in = col(3) * xx + col(4) * yy + col(5)
    out = sample(x, x_in, y_in, interpolation, fill_mode, fill_value)
    if channels_first:
        out = ops.transpose(out, (0, 3, 1, 2))
    return out


def sample(x, x_in, y_in, interpolation="bilinear", fill_mode="constant", fill_value=0.0):
    """Read a channels-last batch ``x`` (b, h, w, c) at the real-valued positions ``(y_in, x_in)``
    (each (b, h, w)): bilinear or nearest (round half to even), outside points per ``fill_mode``."""
    b, h, w, c = x.shape
    flat = ops.reshape(x, (b, h * w, c))
    if interpolation == "nearest":
        nodes_y, nodes_x = [(ops.round(y_in), 1.0)], [(ops.round(x_in), 1.0)]
    else:
        y0, x0 = ops.floor(y_in), ops.floor(x_in)
        nodes_y = [(y0, 1.0 - (y_in - y0)), (y0 + 1.0, y_in - y0)]
        nodes_x = [(x0, 1.0 - (x_in - x0)), (x0 + 1.0, x_in - x0)]
    out = None
    for iy, wy in nodes_y:
        for ix, wx in nodes_x:
            fy, fx = _fix_index(iy, h, fill_mode), _fix_index(ix, w, fill_mode)
            idx = ops.cast(ops.reshape(fy * w + fx, (b, h * w, 1)), "int64")
            val = ops.reshape(ops.take_along_axis(flat, idx, axis=1), (b, h, w, c))
            if fill_mode == "constant":
                valid = ops.logical_and(
                    ops.logical_and(ops.greater_equal(iy, 0.0), ops.less(iy, float(h))),
                    ops.logical_and(ops.greater_equal(ix, 0.0), ops.less(ix, float(w))))
                val = ops.where(ops.expand_dims(valid, -1), val, ops.cast(fill_value, ops.dtype(val)))
            weight = wy * wx
            term = val * (ops.expand_dims(weight, -1) if not isinstance(weight, float) else weight)
            out = term if out is None else out + term
    return out
