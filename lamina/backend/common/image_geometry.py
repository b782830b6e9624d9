"""Backend-neutral arithmetic of the image ops (pure Python on static sizes), shared by the torch
and JAX kernels so that both cut, pad and crop images identically."""

from __future__ import annotations


def side_amounts(before, after, target, size, what, grow):
    """(before, after) amounts from exactly two of: before, after, the target size (Keras's rule
    for ``pad_images`` (``grow=True``) and ``crop_images`` (``grow=False``))."""
    given = [v is not None for v in (before, after, target)]
    if sum(given) != 2:
        raise ValueError(f"Give exactly two of the {what} arguments (the two sides and the target {what}); "
                         f"received before={before}, after={after}, target={target}.")
    delta = None if target is None else (target - size) if grow else (size - target)
    if before is None:
        before = delta - after
    if after is None:
        after = delta - before
    if before < 0 or after < 0:
        raise ValueError(f"The {what} amounts must be >= 0; received {before} and {after} for size {size}.")
    return int(before), int(after)


def aspect_crop_box(height, width, target_height, target_width):
    """(top, left, crop_height, crop_width): the centred box of the target's aspect ratio."""
    ch = min(height, int(round(width * target_height / target_width)))
    cw = min(width, int(round(height * target_width / target_height)))
    return (height - ch) // 2, (width - cw) // 2, ch, cw


def aspect_pad_amounts(height, width, target_height, target_width):
    """((top, bottom), (left, right)): the padding that gives the target's aspect ratio."""
    ph = max(height, int(round(width * target_height / target_width)))
    pw = max(width, int(round(height * target_width / target_height)))
    top, left = (ph - height) // 2, (pw - width) // 2
    return (top, ph - height - top), (left, pw - width - left)


def same_padding(size, kernel, stride, dilation):
    """(before, after) zero padding of TF's 'same' for one spatial axis."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def adaptive_windows(size, out):
    """[(start, end)] of torch's adaptive pooling windows: floor(i*size/out) .. ceil((i+1)*size/out)."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]
