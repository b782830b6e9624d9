"""The STFT initializer (Keras 3's ``keras.initializers.STFT``): values against NumPy's FFT and
Keras 3, config and name lookups."""

import numpy as np
import pytest

import lamina
from lamina import initializers, ops
from tests.keras3 import keras3

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn.t accept a copy keyword")


def _value(init, shape, dtype="float32"):
    return ops.convert_to_numpy(init(shape, dtype))


def _held(dtype):
    """The dtype the backend holds for ``dtype``: JAX without x64 (Keras 3 on JAX too) holds
    float64 as float32, so a "float64" kernel is float32 there, to float32 precision."""
    return ops.dtype(ops.zeros((1,), dtype))


F64_ATOL = 1e-12 if _held("float64") == "float64" else 1e-6


@pytest.mark.parametrize("periodic", [False, True])
def test_kernel_is_the_windowed_dft(periodic):
    # convolving a frame with the kernels gives the (scaled) rFFT of the windowed frame
    frame, bins = 32, 17
    rng = np.random.default_rng(0)
    x = rng.normal(size=frame)
    re = _value(initializers.STFT("real", "hann", "density", periodic), (frame, 1, bins), "float64")[:, 0]
    im = _value(initializers.STFT("imag", "hann", "density", periodic), (frame, 1, bins), "float64")[:, 0]
    n = frame + 1 if periodic else frame
    win = np.hanning(n)[:frame]
    want = np.fft.rfft(x * win) / np.sqrt(np.sum(win ** 2))
    np.testing.assert_allclose(x @ re + 1j * (x @ im), want, atol=F64_ATOL)


def test_no_window_and_spectrum_scaling():
    k = _value(initializers.STFT("real", None, "density"), (8, 1, 5), "float64")
    t, f = np.arange(8)[:, None], np.arange(5)[None, :]
    np.testing.assert_allclose(k[:, 0], np.cos(-2 * np.pi * t * f / 8), atol=F64_ATOL)
    win = np.arange(1.0, 9.0)
    k = _value(initializers.STFT("imag", win, "spectrum"), (8, 1, 5), "float64")
    np.testing.assert_allclose(k[:, 0], np.sin(-2 * np.pi * t * f / 8) * win[:, None] / win.sum(), atol=F64_ATOL)


def test_names_and_config():
    for name in ("STFT", "stft", "STFTInitializer"):
        assert isinstance(initializers.get(name), initializers.STFT)
    assert lamina.initializers.STFTInitializer is lamina.initializers.STFT
    init = initializers.STFT("imag", "hamming", "spectrum", True)
    config = init.get_config()
    assert config == {"side": "imag", "window": "hamming", "periodic": True, "scaling": "spectrum"}
    back = initializers.get({"class_name": "STFT", "config": config})
    np.testing.assert_array_equal(_value(back, (16, 1, 9)), _value(init, (16, 1, 9)))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"side must be 'real' or 'imag', received side='complex'"):
        initializers.STFT("complex")
    with pytest.raises(ValueError, match=r"scaling must be None, 'density' or 'spectrum', received scaling='l2'"):
        initializers.STFT(scaling="l2")
    with pytest.raises(ValueError, match=r"window must have shape \(8,\)"):
        initializers.STFT(window=np.ones(4))((8, 1, 5))


@pytest.mark.parametrize("side", ["real", "imag"])
@pytest.mark.parametrize("window,scaling,periodic", [
    ("hann", "density", False), ("hann", "spectrum", True), ("hamming", None, False),
    ("blackman", "density", True), (None, "density", False)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_equals_keras(side, window, scaling, periodic, dtype):
    keras = keras3()
    if window == "blackman":
        pytest.importorskip("scipy")
    shape = (200, 1, 129)
    k = keras.initializers.STFT(side, window, scaling, periodic)
    want = keras.ops.convert_to_numpy(k(shape, dtype))
    got = _value(initializers.STFT(side, window, scaling, periodic), shape, dtype)
    assert got.dtype == np.dtype(_held(dtype))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6 if _held(dtype) == "float32" else 1e-13)
    # the configs load into each other
    again = initializers.STFT.from_config(k.get_config())
    np.testing.assert_array_equal(_value(again, shape, dtype), got)
    assert keras.initializers.STFT.from_config(initializers.STFT(side, window, scaling, periodic)
                                               .get_config()).get_config() == k.get_config()
