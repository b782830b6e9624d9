"""``keras.preprocessing.image``: the five image helpers Keras 3 keeps, in NumPy (files through Pillow).

``load_img`` / ``save_img`` / ``array_to_img`` need Pillow (``pip install pillow``), imported when
first used; ``img_to_array`` and ``smart_resize`` need only NumPy. ``ImageDataGenerator`` and the
other augmentation helpers of Keras 1/2 are gone: using them raises an ImportError saying what to do.
"""

from __future__ import annotations

from lamina.preprocessing._removed import removed_names_getattr
from lamina.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize  # noqa: F401

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]

_GENERATOR = (
    "Load the images as NumPy arrays (lamina.preprocessing.image.load_img + img_to_array, or "
    "your own loop over a directory), scale them with x / 255.0, and pass the arrays to model.fit; "
    "to stream batches from disk or augment them on the fly, subclass lamina.utils.PyDataset and "
    "do it in __getitem__ (NumPy: np.flip for flips, smart_resize for resizing)."
)
_AUGMENT = "Transform the arrays with NumPy (np.flip, np.rot90, slicing for shifts and crops)."

__getattr__ = removed_names_getattr("lamina.preprocessing.image", {
    "ImageDataGenerator": _GENERATOR,
    "DirectoryIterator": _GENERATOR,
    "NumpyArrayIterator": _GENERATOR,
    "Iterator": _GENERATOR,
    "random_rotation": _AUGMENT,
    "random_shift": _AUGMENT,
    "random_shear": _AUGMENT,
    "random_zoom": _AUGMENT,
    "random_channel_shift": _AUGMENT,
    "random_brightness": _AUGMENT,
    "apply_affine_transform": _AUGMENT,
})
