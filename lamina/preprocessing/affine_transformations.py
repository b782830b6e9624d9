"""Keras 1/2 image augmentation functions on NumPy images (affine maps through SciPy's ndimage).

Conventions (lamina): an image is (rows, cols, channels) by default; ``tx`` / ``zx`` act on the
rows (vertical), ``ty`` / ``zy`` on the columns (horizontal), so that ``height_shift_range`` of
``ImageDataGenerator`` moves images up and down and ``width_shift_range`` left and right. A shift
``tx = 2`` gives ``out[r, c] = x[r + 2, c]``: the content moves up by 2 rows.
"""

from __future__ import annotations

import numpy as np

from lamina.preprocessing._legacy import removed_in_keras3

__all__ = ["apply_affine_transform", "apply_brightness_shift", "apply_channel_shift", "flip_axis",
           "random_brightness", "random_channel_shift", "random_rotation", "random_shear",
           "random_shift", "random_zoom", "transform_matrix_offset_center"]

_LAYERS = "the keras.layers.Random* preprocessing layers"


def _ndimage():
    try:
        from scipy import ndimage
    except ImportError:
        raise ImportError(
            "Image rotations, shifts, shears and zooms (ImageDataGenerator, apply_affine_transform) "
            "use SciPy, which is not installed. Install it with `pip install scipy`."
        ) from None
    return ndimage


def transform_matrix_offset_center(matrix, x, y):
    """``matrix`` (3x3, homogeneous) re-centred so that it acts around the image centre.

    Args:
        matrix: the transform about the origin. x, y: the image's size along the two axes.
    """
    o_x, o_y = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def _affine(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=0, col_axis=1, channel_axis=2,
            fill_mode="nearest", cval=0.0, order=1):
    parts = []
    if theta:
        t = np.deg2rad(theta)
        parts.append(np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]]))
    if tx or ty:
        parts.append(np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear:
        s = np.deg2rad(shear)
        parts.append(np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]]))
    if zx != 1 or zy != 1:
        parts.append(np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    if not parts:
        return x
    matrix = parts[0]
    for p in parts[1:]:
        matrix = matrix @ p
    matrix = transform_matrix_offset_center(matrix, x.shape[row_axis], x.shape[col_axis])
    if fill_mode not in ("constant", "nearest", "reflect", "wrap"):
        raise ValueError(
            f"fill_mode must be one of 'constant', 'nearest', 'reflect', 'wrap'; received {fill_mode!r}."
        )
    ndimage = _ndimage()
    planes = np.moveaxis(x, channel_axis, 0)
    if row_axis > col_axis:  # the matrix is written for (row, col) coordinates
        matrix = matrix[[1, 0, 2]][:, [1, 0, 2]]
    out = np.stack([ndimage.affine_transform(p, matrix[:2, :2], matrix[:2, 2], order=order,
                                             mode=fill_mode, cval=cval) for p in planes])
    return np.moveaxis(out, 0, channel_axis)


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=0, col_axis=1,
                           channel_axis=2, fill_mode="nearest", cval=0.0, order=1):
    """Rotates, shifts, shears and zooms one image about its centre.

    ``out[p] = x[M p + offset]`` for the affine map ``M`` = rotation @ shift @ shear @ zoom.

    Args:
        x: one image (3D). theta: rotation in degrees. tx, ty: shifts in pixels along rows and
        columns (``tx = 2``: ``out[r, c] = x[r + 2, c]``). shear: shear angle in degrees.
        zx, zy: scale factors of the sampling grid along rows and columns (below 1 magnifies the
        centre, above 1 shrinks the content). row_axis, col_axis, channel_axis: the axes of
        ``x`` (channels last by default).
        fill_mode: ``'nearest'``, ``'constant'`` (with ``cval``), ``'reflect'`` or ``'wrap'``.
        order: the spline order of the interpolation (0 nearest, 1 linear).

    Returns:
        The transformed image, same shape.
    """
    removed_in_keras3("apply_affine_transform", _LAYERS)
    return _affine(np.asarray(x), theta, tx, ty, shear, zx, zy, row_axis, col_axis, channel_axis,
                   fill_mode, cval, order)


def flip_axis(x, axis):
    """``x`` reversed along ``axis``."""
    return np.flip(np.asarray(x), axis)


def _channel_shift(x, intensity, channel_axis=2):
    x = np.moveaxis(np.asarray(x), channel_axis, 0)
    low, high = np.min(x), np.max(x)
    x = np.stack([np.clip(c + intensity, low, high) for c in x])
    return np.moveaxis(x, 0, channel_axis)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Adds ``intensity`` to every channel, clipped to the image's original value range."""
    removed_in_keras3("apply_channel_shift", "keras.layers.RandomColorJitter")
    return _channel_shift(x, intensity, channel_axis)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """``apply_channel_shift`` by an intensity drawn uniformly in ``[-intensity_range, intensity_range]``."""
    removed_in_keras3("random_channel_shift", "keras.layers.RandomColorJitter")
    return _channel_shift(x, np.random.uniform(-intensity_range, intensity_range), channel_axis)


def _brightness(x, factor, scale=True):
    from lamina.utils.image_utils import array_to_img, img_to_array

    try:
        from PIL import ImageEnhance
    except ImportError:
        raise ImportError("Brightness shifts use Pillow, which is not installed. "
                          "Install it with `pip install pillow`.") from None
    low, high = np.min(x), np.max(x)
    img = array_to_img(x, data_format="channels_last", scale=scale)
    x = img_to_array(ImageEnhance.Brightness(img).enhance(factor), data_format="channels_last")
    if scale:
        x = x / 255 * (high - low) + low
    return x


def apply_brightness_shift(x, brightness, scale=True):
    """Scales an image's brightness by ``brightness`` (Pillow's ImageEnhance; 1 keeps it)."""
    removed_in_keras3("apply_brightness_shift", "keras.layers.RandomBrightness")
    return _brightness(np.asarray(x), brightness, scale)


def random_brightness(x, brightness_range, scale=True):
    """``apply_brightness_shift`` by a factor drawn uniformly in ``brightness_range`` (two floats)."""
    removed_in_keras3("random_brightness", "keras.layers.RandomBrightness")
    if len(brightness_range) != 2:
        raise ValueError(f"brightness_range must be two floats (low, high); received {brightness_range!r}.")
    return _brightness(np.asarray(x), np.random.uniform(*brightness_range), scale)


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                    interpolation_order=1):
    """Rotates by an angle drawn uniformly in ``[-rg, rg]`` degrees (Keras's channels-first axes)."""
    removed_in_keras3("random_rotation", "keras.layers.RandomRotation")
    return _affine(np.asarray(x), theta=np.random.uniform(-rg, rg), row_axis=row_axis, col_axis=col_axis,
                   channel_axis=channel_axis, fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                 interpolation_order=1):
    """Shifts by fractions drawn in ``[-hrg, hrg]`` of the height and ``[-wrg, wrg]`` of the width."""
    removed_in_keras3("random_shift", "keras.layers.RandomTranslation")
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx, ty = np.random.uniform(-hrg, hrg) * h, np.random.uniform(-wrg, wrg) * w
    return _affine(np.asarray(x), tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                   channel_axis=channel_axis, fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                 interpolation_order=1):
    """Shears by an angle drawn uniformly in ``[-intensity, intensity]`` degrees."""
    removed_in_keras3("random_shear", "keras.layers.RandomShear")
    return _affine(np.asarray(x), shear=np.random.uniform(-intensity, intensity), row_axis=row_axis,
                   col_axis=col_axis, channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                   order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0,
                interpolation_order=1):
    """Zooms by factors drawn uniformly in ``zoom_range`` (two floats) along rows and columns."""
    removed_in_keras3("random_zoom", "keras.layers.RandomZoom")
    if len(zoom_range) != 2:
        raise ValueError(f"zoom_range must be two floats (low, high); received {zoom_range!r}.")
    zx, zy = (1, 1) if tuple(zoom_range) == (1, 1) else np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return _affine(np.asarray(x), zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                   channel_axis=channel_axis, fill_mode=fill_mode, cval=cval, order=interpolation_order)
