"""Cases for the JAX-vs-torch kernel conformance test (test_ops_vs_torch.py).

Each case is (module, op name, positional args, keyword args, indices of the args to differentiate).
Arrays are NumPy; both backends' kernels receive the same ones.
"""

from __future__ import annotations

import numpy as np

rng = np.random.default_rng(7)
IMG = rng.uniform(size=(2, 5, 6, 3)).astype("float32")
IMG_CF = np.ascontiguousarray(IMG.transpose(0, 3, 1, 2))
BIG = rng.uniform(size=(2, 13, 11, 2)).astype("float32")
U8 = rng.integers(0, 256, size=(2, 7, 9, 3)).astype("uint8")
CF = {"data_format": "channels_first"}


def _resize_cases():
    out = []
    for interp in ("bilinear", "nearest", "bicubic", "area"):
        for size in ((3, 4), (9, 14), (4, 17), (13, 11)):
            grad = () if interp == "nearest" else (0,)
            out.append(("image", "resize", (BIG, size), {"interpolation": interp}, grad))
            if interp in ("bilinear", "bicubic"):
                out.append(("image", "resize", (BIG, size), {"interpolation": interp, "antialias": True}, grad))
        out.append(("image", "resize", (IMG_CF, (4, 3)), {"interpolation": interp, **CF}, ()))
        out.append(("image", "resize", (IMG[0], (8, 7)), {"interpolation": interp}, ()))
        out.append(("image", "resize", (U8, (5, 12)), {"interpolation": interp}, ()))
    out += [
        ("image", "resize", (BIG, (4, 4)), {"crop_to_aspect_ratio": True}, (0,)),
        ("image", "resize", (BIG, (3, 8)), {"crop_to_aspect_ratio": True, "interpolation": "bicubic"}, ()),
        ("image", "resize", (BIG, (4, 4)), {"pad_to_aspect_ratio": True, "fill_value": 0.5}, (0,)),
        ("image", "resize", (IMG_CF, (6, 3)), {"pad_to_aspect_ratio": True, **CF}, ()),
    ]
    return out


def _color_and_shape_cases():
    out = []
    for name in ("rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb"):
        grad = () if name == "rgb_to_hsv" else (0,)
        out += [("image", name, (IMG,), {}, grad), ("image", name, (IMG_CF,), CF, ()),
                ("image", name, (IMG[1],), {}, ())]
    gray = IMG.copy()
    gray[0, 1] = 0.25  # equal channels: hue 0 and saturation 0
    out.append(("image", "rgb_to_hsv", (gray,), {}, ()))
    out.append(("image", "rgb_to_grayscale", (U8,), {}, ()))
    out += [
        ("image", "pad_images", (IMG, 1, 2, None, None, 9, 8), {}, (0,)),
        ("image", "pad_images", (IMG_CF, 2, 0, 3, 1, None, None), CF, ()),
        ("image", "pad_images", (IMG[0], 0, 3, 2, None, None, 10), {}, ()),
        ("image", "crop_images", (IMG, 1, 1, None, None, 3, 2), {}, (0,)),
        ("image", "crop_images", (IMG_CF, 1, 2, 1, 1, None, None), CF, ()),
        ("image", "extract_patches", (IMG, 2), {}, (0,)),
        ("image", "extract_patches", (IMG, (3, 2)), {"strides": 1, "padding": "same"}, (0,)),
        ("image", "extract_patches", (BIG, 3), {"strides": (2, 1), "dilation_rate": 2}, ()),
        ("image", "extract_patches", (BIG, 2), {"strides": 3, "dilation_rate": (1, 2), "padding": "same"}, ()),
        ("image", "extract_patches", (IMG_CF, 2), {"strides": 1, **CF}, ()),
        ("image", "extract_patches", (IMG[0], (2, 3)), {}, ()),
    ]
    return out


MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
COORDS2 = rng.uniform(-2, 7, (2, 4, 5)).astype("float32")
COORDS3 = rng.uniform(-1, 6, (3, 11)).astype("float32")
AFFINE = np.array([[1, 0.2, -1, 0.1, 0.9, 0.5, 0, 0], [0.8, -0.3, 1.5, 0.2, 1.2, -0.7, 0.01, -0.02]], "float32")
CORNERS = np.array([[0, 0], [5, 0], [0, 4], [5, 4]], "float32")
MOVED = (CORNERS + rng.uniform(-1, 1, (2, 4, 2))).astype("float32")


def _warp_cases():
    out = []
    for mode in MODES:
        out.append(("image", "map_coordinates", (BIG[0, :, :, 0], COORDS2, 1), {"fill_mode": mode}, (0,)))
        out.append(("image", "map_coordinates", (BIG[0, :, :, 0], COORDS2, 0),
                    {"fill_mode": mode, "fill_value": 0.5}, ()))
        out.append(("image", "map_coordinates", (IMG[0], COORDS3, 1), {"fill_mode": mode}, ()))
        for interp in ("bilinear", "nearest"):
            out.append(("image", "affine_transform", (BIG, AFFINE),
                        {"interpolation": interp, "fill_mode": mode, "fill_value": 0.3},
                        (0,) if interp == "bilinear" else ()))
    out += [
        ("image", "affine_transform", (IMG_CF, AFFINE[1]), CF, ()),
        ("image", "affine_transform", (IMG[0], AFFINE[1]), {"fill_mode": "nearest"}, ()),
        ("image", "affine_transform", (U8, AFFINE), {"fill_mode": "reflect"}, ()),
        ("image", "perspective_transform", (IMG, CORNERS, MOVED[0]), {}, (0,)),
        ("image", "perspective_transform", (IMG, MOVED, CORNERS[None].repeat(2, 0)),
         {"interpolation": "nearest", "fill_value": 0.2}, ()),
        ("image", "perspective_transform", (IMG_CF[0], MOVED[1], CORNERS), CF, ()),
    ]
    return out


def _filter_cases():
    return [
        ("image", "gaussian_blur", (IMG,), {}, (0,)),
        ("image", "gaussian_blur", (BIG,), {"kernel_size": (5, 4), "sigma": (2.0, 0.7)}, (0,)),
        ("image", "gaussian_blur", (IMG_CF,), {"kernel_size": 3, "sigma": 1.5, **CF}, ()),
        ("image", "sobel_edges", (IMG,), {}, (0,)),
        ("image", "sobel_edges", (IMG_CF,), CF, ()),
        ("image", "ssim", (BIG, BIG * 0.8 + 0.05), {"filter_size": 5}, (0, 1)),
        ("image", "ssim", (BIG, np.flip(BIG, 1).copy()), {"filter_size": 3, "max_val": 2.0, "k1": 0.02}, ()),
        ("image", "ssim", (IMG_CF[0], IMG_CF[1]), {"filter_size": 3, **CF}, ()),
    ]


SIGNAL = rng.standard_normal((2, 3, 70)).astype("float32")


def _math_cases():
    out = [
        ("math", "extract_sequences", (SIGNAL, 16, 5), {}, (0,)),
        ("math", "view_as_complex", (rng.standard_normal((3, 4, 2)).astype("float32"),), {}, ()),
        ("math", "view_as_real", ((rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))).astype(
            "complex64"),), {}, ()),
        ("numpy", "slogdet", (rng.standard_normal((3, 4, 4)).astype("float32"),), {}, (0,)),
    ]
    for window in ("hann", "hamming", None, rng.uniform(size=12).astype("float32")):
        for center in (True, False):
            out.append(("math", "stft", (SIGNAL, 12, 4, 16), {"window": window, "center": center}, (0,)))
    out.append(("math", "stft", (SIGNAL[0, 0], 16, 8, 16), {}, ()))
    for window, center, length in (("hann", True, 70), ("hamming", False, None), (None, True, 80)):
        spec = _stft_numpy(SIGNAL, 16, 4, 16, window, center)
        out.append(("math", "istft", (spec, 16, 4, 16), {"length": length, "window": window, "center": center},
                    ()))
    return out


def _stft_numpy(x, length, stride, fft_length, window, center):
    if center:
        x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(fft_length // 2,) * 2], mode="reflect")
    n = 1 + (x.shape[-1] - fft_length) // stride
    frames = np.stack([x[..., i * stride:i * stride + fft_length] for i in range(n)], axis=-2)
    k = np.arange(length)
    w = {"hann": 0.5 - 0.5 * np.cos(2 * np.pi * k / length), "hamming": 0.54 - 0.46 * np.cos(2 * np.pi * k / length),
         None: np.ones(length)}[window]
    spec = np.fft.rfft(frames * w, n=fft_length)
    return spec.real.astype("float32"), spec.imag.astype("float32")


X1 = rng.standard_normal((2, 11, 3)).astype("float32")
X2 = rng.standard_normal((2, 7, 6, 4)).astype("float32")
X3 = rng.standard_normal((1, 5, 6, 7, 2)).astype("float32")
LOGITS = rng.standard_normal((3, 9, 5)).astype("float32")
LABELS = np.array([[1, 2, 2, 3], [3, 3, 1, 4], [4, 0, 0, 0]], "int32")  # padded past each length


def _nn_cases():
    out = []
    for name in ("adaptive_average_pool", "adaptive_max_pool"):
        out += [("nn", name, (X1, 4), {}, (0,)), ("nn", name, (X2, (3, 4)), {}, (0,)),
                ("nn", name, (X2, (5, 2)), CF, ()), ("nn", name, (X3, (2, 4, 3)), {}, (0,)),
                ("nn", name, (X1, 7), CF, ()), ("nn", name, (X2, (9, 8)), {}, ())]
    out += [
        ("nn", "depth_to_space", (rng.standard_normal((2, 2, 3, 8)).astype("float32"), 2), {}, (0,)),
        ("nn", "depth_to_space", (rng.standard_normal((1, 18, 2, 3)).astype("float32"), 3), CF, ()),
        ("nn", "space_to_depth", (rng.standard_normal((2, 4, 6, 2)).astype("float32"), 2), {}, (0,)),
        ("nn", "space_to_depth", (rng.standard_normal((1, 2, 6, 3)).astype("float32"), 3), CF, ()),
        ("nn", "unfold", (X2.transpose(0, 3, 1, 2), 2), {}, (0,)),
        ("nn", "unfold", (X2.transpose(0, 3, 1, 2), (3, 2)), {"dilation": (1, 2), "padding": 1, "stride": 2}, ()),
        ("nn", "unfold", (X2[0].transpose(2, 0, 1), 3), {"padding": (1, 0)}, ()),
        ("nn", "fold", (rng.standard_normal((2, 8, 12)).astype("float32"), (4, 5), 2), {}, (0,)),
        ("nn", "fold", (rng.standard_normal((1, 12, 9)).astype("float32"), (6, 5), (3, 2)),
         {"dilation": (1, 2), "padding": 1, "stride": 2}, ()),
        ("nn", "fold", (rng.standard_normal((4, 12)).astype("float32"), (4, 5), 2), {}, ()),
        ("nn", "layer_normalization", (X2,), {}, (0,)),
        ("nn", "layer_normalization", (X2, rng.standard_normal(4).astype("float32"),
                                       rng.standard_normal(4).astype("float32")), {"epsilon": 1e-3}, (0, 1, 2)),
        ("nn", "layer_normalization", (X2, rng.standard_normal((7, 6)).astype("float32")), {"axis": (1, 2)}, (0, 1)),
        ("nn", "rms_normalization", (X2,), {}, (0,)),
        ("nn", "rms_normalization", (X2, rng.standard_normal(4).astype("float32")), {"epsilon": 1e-2}, (0, 1)),
        ("nn", "polar", (np.abs(X1), X1[::-1].copy()), {}, ()),
        ("nn", "sparsemax", (X2,), {}, (0,)),
        ("nn", "sparsemax", (X1 * 3,), {"axis": 1}, (0,)),
        ("nn", "ctc_loss", (LABELS, LOGITS, np.array([4, 3, 1]), np.array([9, 7, 5])), {}, (1,)),
        ("nn", "ctc_loss", (LABELS, LOGITS, np.array([2, 4, 0]), np.array([9, 3, 9])), {"mask_index": 0}, ()),
        ("nn", "ctc_loss", (LABELS[:, :2] % 4, LOGITS * 3, np.array([2, 2, 1]), np.array([6, 9, 2])),
         {"mask_index": 4}, (1,)),
        ("nn", "ctc_decode", (LOGITS, np.array([9, 5, 7])), {}, ()),
        ("nn", "ctc_decode", (LOGITS, np.array([9, 9, 2])), {"merge_repeated": False, "mask_index": 2}, ()),
    ]
    q, k, v = (rng.standard_normal((2, 5, 3, 4)).astype("float32") for _ in range(3))
    mask = rng.uniform(size=(2, 3, 5, 5)) > 0.4
    mask[0, 1, 2] = False  # a query that may attend to nothing
    bias = rng.standard_normal((2, 3, 5, 5)).astype("float32")
    for kw in ({}, {"is_causal": True}, {"mask": mask}, {"bias": bias}, {"scale": 0.3},
               {"bias": bias[0], "mask": mask, "is_causal": True}, {"mask": mask, "is_causal": True},
               {"attn_logits_soft_cap": 2.0}, {"attn_logits_soft_cap": 1.5, "mask": mask, "bias": bias}):
        out.append(("nn", "dot_product_attention", (q, k, v), kw, (0, 1, 2)))
    return out


CASES = _resize_cases() + _color_and_shape_cases() + _warp_cases() + _filter_cases() + _math_cases() + _nn_cases()
