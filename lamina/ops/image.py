"""Image ops (``keras.ops.image``): resizing, affine warps, color spaces, patches, padding/cropping.

Images are (batch, height, width, channels) by default (``data_format`` follows
``lamina.config.image_data_format()``); one image without the batch axis also works.

Example:
    >>> from lamina.ops import image
    >>> tuple(image.resize(lamina.ops.ones((1, 4, 4, 3)), (2, 2)).shape)
    (1, 2, 2, 3)
"""

import lamina  # noqa: F401  (for the doctest)
from lamina.backend import ops as _backend_ops
from lamina.ops.symbolic_dispatch import dispatching as _dispatching

__all__ = [
    "affine_transform", "crop_images", "extract_patches", "gaussian_blur", "hsv_to_rgb",
    "map_coordinates", "pad_images", "perspective_transform", "resize", "rgb_to_grayscale",
    "rgb_to_hsv", "sobel_edges", "ssim",
]

_kernels = _backend_ops.image_ops
for _name in __all__:
    globals()[_name] = _dispatching(f"ops.image.{_name}", getattr(_kernels, _name))
del _name
