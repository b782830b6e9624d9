"""``image_dataset_from_directory``: a folder of class subfolders of images as a lazy, batched Dataset."""

from __future__ import annotations

import numpy as np

from lamina import config
from lamina.errors import suggest
from lamina.utils import dataset_utils
from lamina.utils.image_utils import _pil_image, _resize_axis

__all__ = ["image_dataset_from_directory", "load_image"]

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}
_PIL_MODES = {1: "L", 3: "RGB", 4: "RGBA"}
# bilinear and nearest are computed in NumPy exactly as TensorFlow/torch resize them (half-pixel
# centres, no antialiasing), the others by Pillow's filter of the same family.
_NUMPY_METHODS = ("bilinear", "nearest")
_PIL_METHODS = {"bicubic": "BICUBIC", "area": "BOX", "lanczos3": "LANCZOS", "lanczos5": "LANCZOS"}
INTERPOLATIONS = _NUMPY_METHODS + tuple(_PIL_METHODS)


def _boxes(height, width, size, crop, pad):
    """Keras's crop (centre box of the target's aspect ratio) or pad (symmetric margins) geometry."""
    th, tw = size
    if crop:
        ch = max(min(height, int(float(width * th) / tw)), 1)
        cw = max(min(width, int(float(height * tw) / th)), 1)
        top, left = int(float(height - ch) / 2), int(float(width - cw) / 2)
        return (top, left, ch, cw), (0, 0)
    if pad:
        ph = max(height, int(float(width * th) / tw))
        pw = max(width, int(float(height * tw) / th))
        return None, (int(float(ph - height) / 2), int(float(pw - width) / 2))
    return None, (0, 0)


def load_image(path, image_size, num_channels=3, interpolation="bilinear", data_format="channels_last",
               crop_to_aspect_ratio=False, pad_to_aspect_ratio=False):
    """Decodes one image file into a float32 array of ``image_size`` (Keras's loader, one file).

    Args:
        path: the image file (bmp, gif, jpeg, png; a GIF's first frame).
        image_size: ``(height, width)``.
        num_channels: 1 (grayscale), 3 (RGB) or 4 (RGBA).
        interpolation: one of ``INTERPOLATIONS``.
        data_format: ``'channels_last'`` or ``'channels_first'``.
        crop_to_aspect_ratio: crop the centre to the target's aspect ratio before resizing.
        pad_to_aspect_ratio: pad with zeros (centred) to the target's aspect ratio before resizing.

    Returns:
        float32 array ``(height, width, channels)`` (channels first if asked), values 0..255.
    """
    Image = _pil_image("image_dataset_from_directory")
    with Image.open(path) as img:
        img.seek(0)
        img = img.convert(_PIL_MODES[num_channels]) if img.mode != _PIL_MODES[num_channels] else img.copy()
    th, tw = image_size
    crop, (pad_top, pad_left) = _boxes(img.height, img.width, image_size, crop_to_aspect_ratio, pad_to_aspect_ratio)
    if interpolation in _PIL_METHODS:
        if pad_top or pad_left:
            canvas = Image.new(img.mode, (img.width + 2 * pad_left, img.height + 2 * pad_top))
            canvas.paste(img, (pad_left, pad_top))
            img = canvas
        box = None if crop is None else (crop[1], crop[0], crop[1] + crop[3], crop[0] + crop[2])
        resample = getattr(Image.Resampling, _PIL_METHODS[interpolation])
        x = np.asarray(img.resize((tw, th), resample=resample, box=box), dtype=np.float32)
    else:
        x = np.asarray(img)  # uint8: cropped, padded and gathered before the float32 blend
        if crop is not None:
            top, left, ch, cw = crop
            x = x[top:top + ch, left:left + cw]
        if pad_top or pad_left:
            pads = [(pad_top, pad_top), (pad_left, pad_left)] + [(0, 0)] * (x.ndim - 2)
            x = np.pad(x, pads)
        x = _resize_axis(_resize_axis(x, 0, th, interpolation), 1, tw, interpolation)
    if x.ndim == 2:
        x = x[:, :, None]
    if data_format == "channels_first":
        x = x.transpose(2, 0, 1)
    return np.ascontiguousarray(x, dtype=np.float32)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None, validation_split=None,
                                 subset=None, interpolation="bilinear", follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf", verbose=True, workers=None):
    """Loads a folder of images, one subfolder per class, as a Dataset of ``(images, labels)`` batches.

    ``main_directory/class_a/a_1.jpg, class_b/b_1.png, ...`` gives labels 0 for class_a, 1 for
    class_b (subfolders sorted alphanumerically, as in Keras). Only the file list is held in memory:
    images are decoded and resized in ``workers`` background threads while the model trains, a few
    batches ahead. The files, labels and validation split are the ones Keras picks for the same
    folder and seed; the per-epoch reshuffle is lamina's own (a full shuffle each pass).

    Args:
        directory: the folder.
        labels: ``'inferred'`` (from the subfolders), None (images only), or a list of integer labels
            in the sorted order of the files (``os.walk`` order, as Keras).
        label_mode: ``'int'`` (int32), ``'categorical'`` (one-hot float32), ``'binary'`` (float32 of
            shape ``(batch, 1)``, exactly 2 classes) or None (images only).
        class_names: with ``labels='inferred'``, the subfolders to use, in label order.
        color_mode: ``'rgb'``, ``'rgba'`` or ``'grayscale'``.
        batch_size: images per batch (32); None yields single images.
        image_size: ``(height, width)`` every image is resized to (or an int for squares).
        shuffle: shuffle the files (once globally with ``seed``, then again each epoch).
        seed: the shuffle's seed; required with ``validation_split``.
        validation_split: fraction of the files kept for validation (the last ones after the shuffle).
        subset: ``'training'``, ``'validation'``, or ``'both'`` (returns ``[train, validation]``).
        interpolation: ``'bilinear'`` (default) or ``'nearest'`` (exact, TensorFlow's resize),
            ``'bicubic'``, ``'area'``, ``'lanczos3'``, ``'lanczos5'`` (Pillow's filters).
        follow_links: follow symbolic links to folders.
        crop_to_aspect_ratio: crop the centre to the target's aspect ratio instead of stretching.
        pad_to_aspect_ratio: pad with zeros to the target's aspect ratio instead of stretching.
        data_format: ``'channels_last'`` or ``'channels_first'``; image_data_format() if None.
        format: ``'tf'`` or ``'grain'`` in Keras; accepted, lamina returns its own Dataset either way.
        verbose: print how many files and classes were found.
        workers: decoding threads (lamina's addition): the CPU count, at most 8, if None.

    Returns:
        A ``lamina.utils.Dataset`` with ``class_names`` and ``file_paths``, yielding ``(images,
        labels)`` (float32 images ``(batch, height, width, channels)``); ``[train, validation]`` for
        ``subset='both'``.

    Example:

    >>> train, val = image_dataset_from_directory(
    ...     "photos", validation_split=0.2, subset="both", seed=1337, image_size=(180, 180))
    ...     # doctest: +SKIP
    >>> model.fit(train, validation_data=val, epochs=10)  # doctest: +SKIP
    """
    what = "image_dataset_from_directory"
    if color_mode not in _CHANNELS:
        raise ValueError(
            f"{what}: color_mode must be 'rgb', 'rgba' or 'grayscale'; received {color_mode!r}."
            f"{suggest(str(color_mode), _CHANNELS)}"
        )
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    if not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(f"{what}: image_size must be (height, width); received {image_size!r}.")
    interpolation = str(interpolation).lower()
    if interpolation not in INTERPOLATIONS:
        raise ValueError(
            f"{what}: interpolation {interpolation!r} is not supported; expected one of {list(INTERPOLATIONS)}."
            f"{suggest(interpolation, INTERPOLATIONS)}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{what}: pass only one of crop_to_aspect_ratio and pad_to_aspect_ratio.")
    data_format = config.standardize_data_format(data_format)
    size = tuple(int(s) for s in image_size)

    def load(path):
        return load_image(path, size, _CHANNELS[color_mode], interpolation, data_format,
                          crop_to_aspect_ratio, pad_to_aspect_ratio)

    return dataset_utils.directory_dataset(what, directory, ALLOWLIST_FORMATS, load, labels, label_mode, class_names,
                                           batch_size, shuffle, seed, validation_split, subset, follow_links,
                                           verbose, workers, format=format)
