"""The ``keras.ops.image`` kernels for the torch backend.

Images are (batch, height, width, channels) for channels_last (the default) or
(batch, channels, height, width); a single image without the batch axis works too.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F

from lamina import config
from lamina.backend.common.image_geometry import aspect_crop_box, aspect_pad_amounts, same_padding, side_amounts
from lamina.backend.torch.ops._convert import _t, to_float

_RESIZE = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic", "area": "area"}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _fmt(data_format):
    return data_format or config.image_data_format()


def _batched(images, data_format, rank=4):
    """(images as NCHW float, undo) for a batch or a single image."""
    x = _t(images)
    single = x.dim() == rank - 1
    if x.dim() not in (rank - 1, rank):
        raise ValueError(f"Image ops need a rank {rank - 1} image or a rank {rank} batch; received shape "
                         f"{tuple(x.shape)}.")
    if single:
        x = x.unsqueeze(0)
    last = _fmt(data_format) == "channels_last"
    if last:
        x = torch.movedim(x, -1, 1)

    def undo(y):
        if last:
            y = torch.movedim(y, 1, -1)
        return y[0] if single else y

    return x, undo


def rgb_to_grayscale(images, data_format=None):
    x, undo = _batched(images, data_format)
    dtype = x.dtype
    w = torch.tensor([0.2989, 0.5870, 0.1140], dtype=to_float(x).dtype, device=x.device)
    y = (to_float(x) * w.reshape(1, 3, 1, 1)).sum(dim=1, keepdim=True)
    return undo(y.to(dtype) if dtype.is_floating_point else y)


def rgb_to_hsv(images, data_format=None):
    x, undo = _batched(images, data_format)
    x = to_float(x)
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    value = x.amax(dim=1)
    minimum = x.amin(dim=1)
    rng = value - minimum
    safe = torch.where(rng > 0, rng, torch.ones_like(rng))
    saturation = torch.where(value > 0, rng / torch.where(value > 0, value, torch.ones_like(value)),
                             torch.zeros_like(value))
    hue = torch.where(value == r, (g - b) / safe,
                      torch.where(value == g, 2.0 + (b - r) / safe, 4.0 + (r - g) / safe))
    hue = torch.where(rng > 0, (hue / 6.0) % 1.0, torch.zeros_like(hue))
    return undo(torch.stack([hue, saturation, value], dim=1))


def hsv_to_rgb(images, data_format=None):
    x, undo = _batched(images, data_format)
    x = to_float(x)
    h, s, v = x[:, 0], x[:, 1], x[:, 2]
    dh = (h % 1.0) * 6.0
    r = torch.clamp(torch.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    g = torch.clamp(2.0 - torch.abs(dh - 2.0), 0.0, 1.0)
    b = torch.clamp(2.0 - torch.abs(dh - 4.0), 0.0, 1.0)
    rgb = torch.stack([r, g, b], dim=1)
    return undo(((rgb - 1.0) * s.unsqueeze(1) + 1.0) * v.unsqueeze(1))


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    if interpolation not in _RESIZE:
        raise ValueError(f"resize() received interpolation={interpolation!r}; expected one of {sorted(_RESIZE)}.")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize() accepts only one of crop_to_aspect_ratio and pad_to_aspect_ratio.")
    x, undo = _batched(images, data_format)
    dtype = x.dtype
    x = to_float(x)
    th, tw = size
    h, w = x.shape[-2:]
    if crop_to_aspect_ratio:
        top, left, ch, cw = aspect_crop_box(h, w, th, tw)
        x = x[..., top:top + ch, left:left + cw]
    elif pad_to_aspect_ratio:
        (top, bottom), (left, right) = aspect_pad_amounts(h, w, th, tw)
        x = F.pad(x, (left, right, top, bottom), value=fill_value)
    mode = _RESIZE[interpolation]
    kwargs = {"align_corners": False} if mode in ("bilinear", "bicubic") else {}
    if antialias and mode in ("bilinear", "bicubic"):
        kwargs["antialias"] = True
    y = F.interpolate(x, size=(th, tw), mode=mode, **kwargs)
    if not dtype.is_floating_point:
        y = y.round().clamp(torch.iinfo(dtype).min, torch.iinfo(dtype).max).to(dtype)
    return undo(y)


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    x, undo = _batched(images, data_format)
    h, w = x.shape[-2:]
    top, bottom = side_amounts(top_padding, bottom_padding, target_height, h, "height", grow=True)
    left, right = side_amounts(left_padding, right_padding, target_width, w, "width", grow=True)
    return undo(F.pad(x, (left, right, top, bottom)))


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    x, undo = _batched(images, data_format)
    h, w = x.shape[-2:]
    top, bottom = side_amounts(top_cropping, bottom_cropping, target_height, h, "height", grow=False)
    left, right = side_amounts(left_cropping, right_cropping, target_width, w, "width", grow=False)
    return undo(x[..., top:h - bottom, left:w - right])


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of ``size`` as flat vectors: (batch, out_h, out_w, size_h * size_w * channels)."""
    if isinstance(size, int):
        size = (size, size)
    x, undo = _batched(images, data_format)
    strides = size if strides is None else (strides, strides) if isinstance(strides, int) else strides
    dil = (dilation_rate, dilation_rate) if isinstance(dilation_rate, int) else dilation_rate
    c, h, w = x.shape[1:]
    if padding == "same":
        pads = [same_padding(h, size[0], strides[0], dil[0]), same_padding(w, size[1], strides[1], dil[1])]
        x = F.pad(x, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
    patches = F.unfold(to_float(x) if not x.is_floating_point() else x, size, dilation=dil, stride=strides)
    n = x.shape[0]
    oh = (x.shape[2] - dil[0] * (size[0] - 1) - 1) // strides[0] + 1
    ow = (x.shape[3] - dil[1] * (size[1] - 1) - 1) // strides[1] + 1
    # unfold gives (n, c * kh * kw, L) with c outermost; Keras orders (kh, kw, c)
    patches = patches.reshape(n, c, size[0] * size[1], oh, ow).permute(0, 3, 4, 2, 1)
    patches = patches.reshape(n, oh, ow, -1).to(x.dtype)
    if _fmt(data_format) != "channels_last":
        patches = patches.permute(0, 3, 1, 2)
    return patches[0] if _t(images).dim() == 3 else patches


def _fix_index(index, size, mode):
    if mode == "nearest":
        return index.clamp(0, size - 1)
    if mode == "wrap":
        return index % size
    if mode == "mirror":
        period = max(2 * (size - 1), 1)
        i = index.abs() % period
        return torch.where(i >= size, period - i, i)
    if mode == "reflect":
        period = 2 * size
        i = index % period
        return torch.where(i >= size, period - 1 - i, i)
    return index


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at ``coordinates`` (one array per input axis) by nearest (order 0) or
    linear (order 1) interpolation, as ``scipy.ndimage.map_coordinates``."""
    if order not in (0, 1):
        raise ValueError(f"map_coordinates() supports order 0 or 1; received order={order}.")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"map_coordinates() received fill_mode={fill_mode!r}; expected one of {_FILL_MODES}.")
    x = _t(inputs)
    coords = [to_float(_t(c)) for c in coordinates]
    if len(coords) != x.dim():
        raise ValueError(f"map_coordinates() needs one coordinate array per input axis ({x.dim()}); "
                         f"received {len(coords)}.")
    per_axis = []
    for c, size in zip(coords, x.shape):
        if order == 0:
            idx = torch.floor(c + 0.5).long()
            per_axis.append([(idx, torch.ones_like(c))])
        else:
            lo = torch.floor(c)
            frac = c - lo
            per_axis.append([(lo.long(), 1 - frac), (lo.long() + 1, frac)])
    out = torch.zeros(coords[0].shape, dtype=to_float(x).dtype, device=x.device)
    for corner in itertools.product(*per_axis):
        valid = torch.ones(coords[0].shape, dtype=torch.bool, device=x.device)
        idx, weight = [], torch.ones_like(out)
        for (i, w), size in zip(corner, x.shape):
            if fill_mode == "constant":
                valid &= (i >= 0) & (i < size)
            fixed = _fix_index(i, size, fill_mode)
            idx.append(fixed.clamp(0, size - 1))
            weight = weight * w
        vals = x[tuple(idx)].to(out.dtype)
        out = out + torch.where(valid, vals, torch.as_tensor(fill_value, dtype=out.dtype, device=x.device)) * weight
    if not x.is_floating_point():
        out = out.round().to(x.dtype)
    return out


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
                     data_format=None):
    """Apply projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]``: output pixel (x, y) reads
    input ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1."""
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"affine_transform() received interpolation={interpolation!r}; expected "
                         "'nearest' or 'bilinear'.")
    x, undo = _batched(images, data_format)
    t = to_float(_t(transform)).to(to_float(x).dtype)
    if t.dim() == 1 or t.shape[0] == 1:
        t = t.reshape(1, 8).expand(x.shape[0], 8)
    n, c, h, w = x.shape
    ys, xs = torch.meshgrid(torch.arange(h, dtype=t.dtype, device=x.device),
                            torch.arange(w, dtype=t.dtype, device=x.device), indexing="ij")
    outs = []
    for i in range(n):
        a0, a1, a2, b0, b1, b2, c0, c1 = t[i]
        k = c0 * xs + c1 * ys + 1.0
        src_x = (a0 * xs + a1 * ys + a2) / k
        src_y = (b0 * xs + b1 * ys + b2) / k
        chans = torch.arange(c, dtype=t.dtype, device=x.device).reshape(c, 1, 1).expand(c, h, w)
        outs.append(map_coordinates(x[i], [chans, src_y.expand(c, h, w), src_x.expand(c, h, w)],
                                    1 if interpolation == "bilinear" else 0, fill_mode, fill_value))
    return undo(torch.stack(outs).to(x.dtype) if x.is_floating_point() else torch.stack(outs))


def _gauss(k, sigma, dtype, device):
    r = torch.arange(k, dtype=dtype, device=device) - (k - 1) / 2
    g = torch.exp(-(r ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    x, undo = _batched(images, data_format)
    x = to_float(x)
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    sh, sw = (sigma, sigma) if isinstance(sigma, (int, float)) else sigma
    c = x.shape[1]
    kern = torch.outer(_gauss(kh, sh, x.dtype, x.device), _gauss(kw, sw, x.dtype, x.device))
    kern = kern.expand(c, 1, kh, kw)
    x = F.pad(x, ((kw - 1) // 2, kw // 2, (kh - 1) // 2, kh // 2))  # zeros outside, as Keras
    return undo(F.conv2d(x, kern, groups=c))


def sobel_edges(images, data_format=None):
    """(dy, dx) Sobel responses stacked on a new last axis: (..., channels, 2) for channels_last."""
    x, undo = _batched(images, data_format)
    x = to_float(x)
    c = x.shape[1]
    ky = torch.tensor([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=x.dtype, device=x.device)
    pad = F.pad(x, (1, 1, 1, 1))  # zeros outside, as Keras
    dy = F.conv2d(pad, ky.expand(c, 1, 3, 3), groups=c)
    dx = F.conv2d(pad, ky.t().expand(c, 1, 3, 3), groups=c)
    return torch.stack([undo(dy), undo(dx)], dim=-1)


def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                          data_format=None):
    """Warp so that the four ``start_points`` (x, y) land on ``end_points``."""
    s = to_float(_t(start_points)).double()
    e = to_float(_t(end_points)).double()
    if s.dim() == 2:
        s, e = s.unsqueeze(0), e.unsqueeze(0)
    rows = []
    for b in range(s.shape[0]):
        a = []
        rhs = []
        for (xs, ys), (xe, ye) in zip(s[b].tolist(), e[b].tolist()):
            # output point (xe, ye) reads input (xs, ys)
            a.append([xe, ye, 1, 0, 0, 0, -xs * xe, -xs * ye])
            a.append([0, 0, 0, xe, ye, 1, -ys * xe, -ys * ye])
            rhs += [xs, ys]
        rows.append(torch.linalg.solve(torch.tensor(a, dtype=torch.float64), torch.tensor(rhs, dtype=torch.float64)))
    transform = torch.stack(rows).to(torch.float32)
    return affine_transform(images, transform, interpolation, "constant", fill_value, data_format)


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """Mean structural similarity per image (Gaussian window, as tf.image.ssim)."""
    x, _ = _batched(image1, data_format)
    y, _ = _batched(image2, data_format)
    x, y = to_float(x), to_float(y).to(to_float(x).dtype)
    c = x.shape[1]
    g = _gauss(filter_size, filter_sigma, x.dtype, x.device)
    kern = torch.outer(g, g).expand(c, 1, filter_size, filter_size)

    def blur(v):
        return F.conv2d(v, kern, groups=c)

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx ** 2, blur(y * y) - my ** 2, blur(x * y) - mx * my
    num = (2 * mx * my + c1) * (2 * sxy + c2)
    den = (mx ** 2 + my ** 2 + c1) * (sxx + syy + c2)
    out = (num / den).mean(dim=(1, 2, 3))
    return out if _t(image1).dim() == 4 else out[0]
