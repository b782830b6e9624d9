"""Image files and arrays: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``, ``smart_resize``.

The Keras 3 ``keras.utils`` image helpers (also ``keras.preprocessing.image``), in NumPy.
``load_img`` / ``save_img`` / ``array_to_img`` need Pillow (``pip install pillow``, the ``image``
extra), imported when first used; ``img_to_array`` and ``smart_resize`` need only NumPy.
"""

from __future__ import annotations

import io
import os
import warnings

import numpy as np

from lamina import config
from lamina.errors import LaminaWarning, deprecated, suggest

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]

_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
_PIL_FILTERS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
_RESIZE_METHODS = ("bilinear", "nearest")


def _pil_image(what):
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            f"lamina.utils.{what} reads and writes images with Pillow, which is not "
            "installed. Install it with `pip install pillow`."
        ) from None
    return Image


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a 3D array (height, width, channels) into a PIL image.

    Args:
        x: the image: 1 channel (grayscale), 3 (RGB) or 4 (RGBA).
        data_format: ``'channels_last'`` or ``'channels_first'``; lamina's image_data_format() if None.
        scale: stretch the values to span 0..255 (subtract the minimum, divide by the maximum).
            Without it the values are taken as 0..255 (clipped).
        dtype: dtype the array is read as; floatx() if None.

    Returns:
        A ``PIL.Image.Image`` (mode ``L``, ``RGB`` or ``RGBA``; ``I`` for unscaled grayscale above 255).

    Example:
        >>> img = array_to_img(np.random.rand(8, 6, 3))  # doctest: +SKIP
        >>> img.size  # (width, height)  # doctest: +SKIP
        (6, 8)
    """
    Image = _pil_image("array_to_img")
    data_format = config.standardize_data_format(data_format)
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError(
            f"array_to_img expects a 3D image array (height, width, channels); received an array "
            f"of shape {x.shape}. For a batch, convert one image at a time: array_to_img(batch[0])."
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    channels = x.shape[2]
    if channels == 1 and not scale and np.max(x) > 255:
        return Image.fromarray(x[:, :, 0].astype("int32"), "I")
    modes = {1: "L", 3: "RGB", 4: "RGBA"}
    if channels not in modes:
        raise ValueError(
            f"array_to_img: an image needs 1, 3 or 4 channels; received {channels} (shape {x.shape}, "
            f"data_format='{data_format}'). If the channels come first, pass data_format='channels_first'."
        )
    pixels = np.clip(x, 0, 255).astype("uint8")
    return Image.fromarray(pixels[:, :, 0] if channels == 1 else pixels, modes[channels])


def img_to_array(img, data_format=None, dtype=None):
    """Converts a PIL image (or anything NumPy can read) into a 3D float array.

    Args:
        img: a PIL image, or an array of shape (height, width) or (height, width, channels).
        data_format: ``'channels_last'`` (height, width, channels) or ``'channels_first'``;
            lamina's image_data_format() if None.
        dtype: the result's dtype; floatx() (float32) if None.

    Returns:
        An array of shape (height, width, channels) (channels_last): grayscale images get 1 channel.

    Example:
        >>> img_to_array(np.zeros((4, 5), dtype="uint8")).shape
        (4, 5, 1)
    """
    data_format = config.standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or config.floatx())
    if x.ndim == 2:
        x = x[None] if data_format == "channels_first" else x[:, :, None]
    elif x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    else:
        raise ValueError(
            f"img_to_array expects an image of 2 or 3 dimensions; received shape {x.shape}."
        )
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves an image array to a file (PNG, JPEG, ... from the extension or ``file_format``).

    Args:
        path: path or file object.
        x: the image array (see ``array_to_img``).
        data_format: ``'channels_last'`` or ``'channels_first'``; image_data_format() if None.
        file_format: e.g. ``'png'`` or ``'jpeg'``; taken from the path's extension if None.
        scale: stretch the values to 0..255 (see ``array_to_img``).
        **kwargs: passed to ``PIL.Image.Image.save`` (e.g. ``quality=90``).
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    if file_format is None and isinstance(path, (str, os.PathLike)):
        file_format = os.path.splitext(os.fspath(path))[1][1:] or None
    if file_format is not None:
        file_format = "jpeg" if file_format.lower() == "jpg" else file_format.lower()
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("save_img: JPEG cannot store an alpha channel; the RGBA image is saved as RGB.",
                      LaminaWarning, stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False,
             grayscale=None):
    """Loads an image file into a PIL image, optionally converted and resized.

    Args:
        path: a path (str, bytes, pathlib.Path) or a file object (e.g. ``io.BytesIO``).
        color_mode: ``'rgb'`` (default), ``'rgba'`` or ``'grayscale'``.
        target_size: ``(height, width)`` to resize to, or None to keep the file's size.
        interpolation: the resampling filter: ``'nearest'`` (default), ``'bilinear'``, ``'bicubic'``,
            ``'hamming'``, ``'box'`` or ``'lanczos'``.
        keep_aspect_ratio: crop the centre to the target's aspect ratio before resizing, instead of
            stretching.
        grayscale: Keras 1/2 spelling of ``color_mode='grayscale'`` (deprecated).

    Returns:
        A ``PIL.Image.Image``; ``img_to_array(img)`` turns it into an array.
    """
    if isinstance(color_mode, bool):  # Keras 2: load_img(path, grayscale, target_size)
        grayscale, color_mode = color_mode, "rgb"
    if grayscale is not None:
        deprecated("load_img(grayscale=True)", "load_img(color_mode='grayscale')")
        if grayscale:
            color_mode = "grayscale"
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            f"load_img: unknown color_mode {color_mode!r}.{suggest(str(color_mode), _COLOR_MODES)} "
            f"Expected one of {list(_COLOR_MODES)}."
        )
    Image = _pil_image("load_img")
    if isinstance(path, (str, bytes, os.PathLike)):
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    elif hasattr(path, "read"):
        img = Image.open(path)
    else:
        raise TypeError(
            f"load_img: path should be a file path (str or pathlib.Path) or a file object; received "
            f"{type(path).__name__}."
        )
    mode = _COLOR_MODES[color_mode]
    if img.mode != mode and not (color_mode == "grayscale" and img.mode in ("I;16", "I")):
        img = img.convert(mode)
    if target_size is None:
        return img
    if interpolation not in _PIL_FILTERS:
        raise ValueError(
            f"load_img: unknown interpolation {interpolation!r}.{suggest(str(interpolation), _PIL_FILTERS)} "
            f"Expected one of {list(_PIL_FILTERS)}."
        )
    target_height, target_width = (int(s) for s in target_size)
    if img.size == (target_width, target_height):
        return img
    if keep_aspect_ratio:
        width, height = img.size
        crop_height = min(height, (width * target_height) // target_width)
        crop_width = min(width, (height * target_width) // target_height)
        top, left = (height - crop_height) // 2, (width - crop_width) // 2
        box = (left, top, left + crop_width, top + crop_height)
    else:
        box = None
    resample = getattr(Image.Resampling, interpolation.upper())
    return img.resize((target_width, target_height), resample=resample, box=box)


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last"):
    """Resizes images to ``size`` without distorting them: crop the centre to the target's aspect
    ratio, then resize.

    Args:
        x: an image (height, width, channels) or a batch (batch, height, width, channels)
            (channels first with ``data_format='channels_first'``).
        size: ``(height, width)`` of the result.
        interpolation: ``'bilinear'`` (default) or ``'nearest'``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Returns:
        An array of ``x``'s dtype with the new height and width (integer images are computed in
        floating point and rounded back, as Keras 3 does).

    Example:
        >>> smart_resize(np.ones((40, 20, 3)), (10, 10)).shape
        (10, 10, 3)
    """
    x = np.asarray(x)
    if len(size) != 2:
        raise ValueError(f"smart_resize: size must be (height, width); received {size!r}.")
    if x.ndim not in (3, 4):
        raise ValueError(
            "smart_resize expects an image (height, width, channels) or a batch (batch, height, "
            f"width, channels); received an array of shape {x.shape}."
        )
    if interpolation not in _RESIZE_METHODS:
        raise ValueError(
            f"smart_resize: interpolation {interpolation!r} is not supported; expected one of "
            f"{list(_RESIZE_METHODS)}.{suggest(str(interpolation), _RESIZE_METHODS)}"
        )
    data_format = config.standardize_data_format(data_format)
    h_axis = x.ndim - 3 if data_format == "channels_last" else x.ndim - 2
    height, width = x.shape[h_axis], x.shape[h_axis + 1]
    target_height, target_width = (int(s) for s in size)
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top = int(float(height - crop_height) / 2)
    left = int(float(width - crop_width) / 2)
    index = [slice(None)] * x.ndim
    index[h_axis] = slice(top, top + crop_height)
    index[h_axis + 1] = slice(left, left + crop_width)
    out = x[tuple(index)]
    if not np.issubdtype(out.dtype, np.floating):
        out = out.astype("float64")  # rounded back to x's dtype below
    out = _resize_axis(out, h_axis, target_height, interpolation)
    out = _resize_axis(out, h_axis + 1, target_width, interpolation)
    if out.dtype != x.dtype:
        out = np.round(out).astype(x.dtype)
    return out


def _resize_axis(x, axis, n_out, interpolation):
    """Resamples one axis to ``n_out`` points with half-pixel centres (torch align_corners=False)."""
    n_in = x.shape[axis]
    if n_in == n_out:
        return x
    if interpolation == "nearest":  # in float32, as TensorFlow and torch compute it (ties at .5 agree)
        centres32 = (np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * np.float32(n_in / n_out)
        return np.take(x, np.minimum(np.floor(centres32).astype(np.int64), n_in - 1), axis=axis)
    centres = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out)
    src = np.clip(centres - 0.5, 0, n_in - 1)
    lo = np.floor(src).astype(np.int64)
    hi = np.minimum(lo + 1, n_in - 1)
    shape = [1] * x.ndim
    shape[axis] = n_out
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype("float32")  # uint8 pixels: f32
    w = (src - lo).astype(dtype).reshape(shape)
    low = np.take(x, lo, axis=axis).astype(dtype, copy=False)
    out = np.take(x, hi, axis=axis).astype(dtype, copy=False)
    out -= low  # low + (high - low) * w, in place: one temporary instead of four
    out *= w
    out += low
    return out
