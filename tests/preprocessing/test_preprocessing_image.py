"""lamina.utils.image_utils (also lamina.preprocessing.image): the five helpers Keras 3 keeps, checked against Pillow, torch and Keras."""

import io
import sys

import numpy as np
import pytest

from lamina.errors import LaminaDeprecationWarning, LaminaWarning
from lamina.preprocessing.image import array_to_img, img_to_array, load_img, save_img, smart_resize
from tests.keras3 import keras3

Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def rgb():
    return np.random.RandomState(1).randint(0, 256, size=(12, 20, 3)).astype("uint8")


# ----------------------------------------------------------------- img_to_array / array_to_img
def test_img_to_array_layouts_and_dtype(rgb):
    img = Image.fromarray(rgb)
    x = img_to_array(img)
    assert x.dtype == np.float32 and x.shape == (12, 20, 3)
    np.testing.assert_array_equal(x, rgb)
    np.testing.assert_array_equal(img_to_array(img, data_format="channels_first"), rgb.transpose(2, 0, 1))
    gray = img_to_array(Image.fromarray(rgb[:, :, 0]), dtype="float64")
    assert gray.shape == (12, 20, 1) and gray.dtype == np.float64
    assert img_to_array(rgb[:, :, 0], data_format="channels_first").shape == (1, 12, 20)
    with pytest.raises(ValueError, match=r"2 or 3 dimensions; received shape \(2, 12, 20, 3\)"):
        img_to_array(np.stack([rgb, rgb]))


def test_array_to_img_scales_to_0_255_and_picks_the_mode(rgb):
    x = rgb.astype("float32") / 255.0 * 4 - 2  # values in [-2, 2]
    img = array_to_img(x)
    assert img.mode == "RGB" and img.size == (20, 12)
    expected = (x - x.min()) / (x.max() - x.min()) * 255
    np.testing.assert_array_equal(np.asarray(img), expected.astype("uint8"))
    assert array_to_img(np.concatenate([x, x[:, :, :1]], -1)).mode == "RGBA"
    assert array_to_img(x[:, :, :1]).mode == "L"
    np.testing.assert_array_equal(np.asarray(array_to_img(rgb.transpose(2, 0, 1), data_format="channels_first",
                                                          scale=False)), rgb)
    assert array_to_img(np.full((2, 2, 1), 1000.0), scale=False).mode == "I"
    with pytest.raises(ValueError, match=r"1, 3 or 4 channels; received 2 .*channels_first"):
        array_to_img(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match=r"3D image array.*\(4, 4\)"):
        array_to_img(np.zeros((4, 4)))


# ----------------------------------------------------------------- files
def test_save_then_load_png_round_trips(rgb, tmp_path):
    path = tmp_path / "img.png"
    save_img(str(path), rgb, scale=False)
    assert path.read_bytes()[:4] == b"\x89PNG"
    np.testing.assert_array_equal(img_to_array(load_img(path)), rgb)
    gray = load_img(path, color_mode="grayscale")
    assert gray.mode == "L"
    np.testing.assert_array_equal(np.asarray(gray), np.asarray(Image.fromarray(rgb).convert("L")))
    assert load_img(io.BytesIO(path.read_bytes()), color_mode="rgba").mode == "RGBA"


def test_load_img_resizes_like_pillow(rgb, tmp_path):
    path = tmp_path / "img.png"
    Image.fromarray(rgb).save(path)
    for interpolation in ("nearest", "bilinear", "lanczos"):
        resample = getattr(Image.Resampling, interpolation.upper())
        got = load_img(path, target_size=(6, 8), interpolation=interpolation)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(Image.fromarray(rgb).resize((8, 6), resample)))
    # keep_aspect_ratio: 12x20 to a square resamples the central 12x12 block.
    got = load_img(path, target_size=(6, 6), keep_aspect_ratio=True, interpolation="bilinear")
    want = Image.fromarray(rgb).resize((6, 6), Image.Resampling.BILINEAR, box=(4, 0, 16, 12))
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_load_img_matches_keras(rgb, tmp_path):
    keras = keras3()
    path = tmp_path / "img.png"
    Image.fromarray(rgb).save(path)
    for kwargs in [dict(target_size=(5, 9), interpolation="bicubic", keep_aspect_ratio=True),
                   dict(color_mode="grayscale", target_size=(30, 7))]:
        np.testing.assert_array_equal(img_to_array(load_img(path, **kwargs)),
                                      keras.utils.img_to_array(keras.utils.load_img(path, **kwargs)))


def test_load_img_legacy_and_bad_arguments(rgb, tmp_path):
    path = tmp_path / "img.png"
    Image.fromarray(rgb).save(path)
    with pytest.warns(LaminaDeprecationWarning, match="color_mode='grayscale'"):
        assert load_img(path, grayscale=True).mode == "L"
    with pytest.raises(ValueError, match="color_mode 'gray'.*Did you mean 'grayscale'"):
        load_img(path, color_mode="gray")
    with pytest.raises(ValueError, match="interpolation 'bilinar'.*Did you mean 'bilinear'"):
        load_img(path, target_size=(3, 3), interpolation="bilinar")
    with pytest.raises(TypeError, match="file path .* received int"):
        load_img(3)


def test_save_img_jpeg_drops_alpha_with_a_warning(tmp_path):
    rgba = np.random.RandomState(0).rand(8, 8, 4)
    with pytest.warns(LaminaWarning, match="JPEG cannot store an alpha channel"):
        save_img(tmp_path / "a.jpg", rgba)
    assert load_img(tmp_path / "a.jpg").size == (8, 8)
    assert (tmp_path / "a.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_without_pillow_the_error_says_pip_install_pillow(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"load_img reads and writes images with Pillow.*`pip install pillow`"):
        load_img("x.png")
    with pytest.raises(ImportError, match="array_to_img.*pip install pillow"):
        array_to_img(np.zeros((2, 2, 3)))
    assert img_to_array(np.zeros((2, 2))).shape == (2, 2, 1)  # NumPy only


# ----------------------------------------------------------------- smart_resize
@pytest.mark.parametrize("shape, size", [((12, 20, 3), (6, 6)), ((9, 7, 2), (20, 14)), ((10, 10, 1), (4, 7))])
@pytest.mark.parametrize("interpolation, mode", [("bilinear", "bilinear"), ("nearest", "nearest-exact")])
def test_smart_resize_matches_a_centre_crop_then_torch_interpolate(shape, size, interpolation, mode):
    torch = pytest.importorskip("torch")
    x = np.random.RandomState(0).rand(2, *shape).astype("float32")
    got = smart_resize(x, size, interpolation=interpolation)
    h, w = shape[:2]
    ch = max(min(h, int(w * size[0] / size[1])), 1)
    cw = max(min(w, int(h * size[1] / size[0])), 1)
    top, left = (h - ch) // 2, (w - cw) // 2
    crop = torch.from_numpy(x[:, top:top + ch, left:left + cw]).permute(0, 3, 1, 2)
    kwargs = {"align_corners": False} if mode == "bilinear" else {}
    want = torch.nn.functional.interpolate(crop, size=size, mode=mode, **kwargs).permute(0, 2, 3, 1).numpy()
    assert got.shape == (2,) + tuple(size) + (shape[2],) and got.dtype == np.float32
    np.testing.assert_allclose(got, want, atol=1e-6)
    np.testing.assert_allclose(smart_resize(x[0], size, interpolation=interpolation), want[0], atol=1e-6)
    first = smart_resize(x.transpose(0, 3, 1, 2), size, interpolation=interpolation, data_format="channels_first")
    np.testing.assert_allclose(first, want.transpose(0, 3, 1, 2), atol=1e-6)


def test_smart_resize_matches_keras(rgb):
    keras = keras3()
    for x in (rgb, rgb / 255.0):
        for size in [(7, 5), (30, 31)]:
            got = smart_resize(x, size)
            want = np.asarray(keras.preprocessing.image.smart_resize(x, size))
            assert got.dtype == want.dtype == x.dtype  # uint8 stays uint8 (rounded), as in Keras 3
            # Values that land on .5 may round either way (Keras interpolates in float32).
            np.testing.assert_allclose(got, want, atol=1 if x.dtype == np.uint8 else 1e-6)
            assert np.mean(got != want) < 0.01 or x.dtype != np.uint8


def test_smart_resize_bad_arguments():
    with pytest.raises(ValueError, match=r"\(height, width, channels\).*\(4, 4\)"):
        smart_resize(np.zeros((4, 4)), (2, 2))
    with pytest.raises(ValueError, match="size must be \\(height, width\\)"):
        smart_resize(np.zeros((4, 4, 1)), (2,))
    with pytest.raises(ValueError, match="'bicubic' is not supported.*'bilinear', 'nearest'"):
        smart_resize(np.zeros((4, 4, 1)), (2, 2), interpolation="bicubic")


def test_docstring_examples():
    import doctest

    from lamina.utils import image_utils

    result = doctest.testmod(image_utils, extraglobs={"np": np}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_the_helpers_are_one_set_of_functions_under_both_keras_paths():
    import lamina
    from lamina.preprocessing import image

    for name in ("array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"):
        assert getattr(lamina.utils, name) is getattr(image, name) is getattr(lamina.utils.image_utils, name)
