"""``keras.preprocessing.image``: the five image helpers Keras 3 keeps, in NumPy (files through Pillow),
and the Keras 1/2 augmentation API that Keras 3 removed.

``load_img`` / ``save_img`` / ``array_to_img`` need Pillow (``pip install pillow``), imported when
first used; ``img_to_array`` and ``smart_resize`` need only NumPy (they live in
``lamina.utils.image_utils``). ``ImageDataGenerator``, its iterators and the ``random_*`` /
``apply_affine_transform`` helpers of Keras 1/2 work too, with a deprecation warning (the affine
transforms need SciPy: ``pip install scipy``).
"""

from __future__ import annotations

from lamina.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize  # noqa: F401

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]

# The Keras 1/2 augmentation API (Keras 3 removed it), imported when first used.
_LEGACY = {
    "ImageDataGenerator": "image_data_generator", "Iterator": "image_iterators",
    "NumpyArrayIterator": "image_iterators", "DirectoryIterator": "image_iterators",
    "DataFrameIterator": "image_iterators", "apply_affine_transform": "affine_transformations",
    "apply_brightness_shift": "affine_transformations", "apply_channel_shift": "affine_transformations",
    "flip_axis": "affine_transformations", "random_brightness": "affine_transformations",
    "random_channel_shift": "affine_transformations", "random_rotation": "affine_transformations",
    "random_shear": "affine_transformations", "random_shift": "affine_transformations",
    "random_zoom": "affine_transformations", "transform_matrix_offset_center": "affine_transformations",
}


def __getattr__(name):
    if name not in _LEGACY:
        raise AttributeError(f"module 'lamina.preprocessing.image' has no attribute '{name}'")
    import importlib

    return getattr(importlib.import_module(f"lamina.preprocessing.{_LEGACY[name]}"), name)
