"""STFTSpectrogram and MelSpectrogram against Keras 3.15 (torch backend) and NumPy's FFT."""

import numpy as np
import pytest

import lamina
from lamina import layers

STFT_CASES = [
    dict(mode="log", frame_length=16, frame_step=8),
    dict(mode="magnitude", frame_length=12, fft_length=16, padding="same", window="hamming", periodic=True),
    dict(mode="psd", frame_length=16, frame_step=4, scaling="spectrum"),
    dict(mode="real", frame_length=8, data_format="channels_first"),
    dict(mode="imag", frame_length=8, expand_dims=True, window=None, scaling=None),
    dict(mode="angle", frame_length=16, frame_step=16),
    dict(mode="stft", frame_length=16, expand_dims=True, data_format="channels_first"),
]


@pytest.mark.parametrize("kwargs", STFT_CASES)
def test_stft_spectrogram_matches_keras(keras, parity, kwargs):
    fmt = kwargs.get("data_format", "channels_last")
    shape = (2, 2, 64) if fmt == "channels_first" else (2, 64, 2)
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    k, lam = keras.layers.STFTSpectrogram(**kwargs), layers.STFTSpectrogram(**kwargs)
    k(x)
    lam(x)
    for a, b in zip(k.get_weights(), lam.get_weights()):  # the DFT kernels (Keras: float32 trig)
        np.testing.assert_allclose(b, a, atol=5e-6)
    # Keras's float32 sin(pi * t) leaves ~1e-7 at the Nyquist bin where NumPy's is ~1e-16, and
    # the log magnitude's gradient there is ill-conditioned: compare on Keras's exact kernels.
    lam.set_weights(k.get_weights())
    parity.compare(k, lam, x, set_weights=False, atol=2e-4)
    assert tuple(lam.compute_output_shape(shape)) == tuple(k.compute_output_shape(shape))
    parity.config_both_ways(keras, k, lam)


def test_stft_magnitude_is_the_fft_of_windowed_frames(parity):
    x = np.random.default_rng(1).standard_normal((1, 64, 1)).astype("float32")
    layer = layers.STFTSpectrogram(mode="magnitude", frame_length=16, frame_step=8, scaling=None)
    got = parity.np(layer(x))[0]
    win = np.hanning(16)
    frames = np.stack([x[0, i:i + 16, 0] * win for i in range(0, 64 - 16 + 1, 8)])
    np.testing.assert_allclose(got, np.abs(np.fft.rfft(frames, 16)), atol=1e-4)


@pytest.mark.parametrize("kwargs", [
    dict(fft_length=64, sequence_stride=16, num_mel_bins=10, sampling_rate=8000),
    dict(fft_length=64, sequence_length=48, sequence_stride=32, num_mel_bins=6, power_to_db=False,
         mag_exp=1.0, max_freq=3000, min_freq=100.0),
    dict(fft_length=32, sequence_stride=8, num_mel_bins=8, window="hamming", top_db=20.0, ref_power=2.0),
])
def test_mel_spectrogram_matches_keras(keras, parity, kwargs):
    x = np.random.default_rng(2).standard_normal((2, 400)).astype("float32")
    k, lam = keras.layers.MelSpectrogram(**kwargs), layers.MelSpectrogram(**kwargs)
    expected = keras.ops.convert_to_numpy(k(x))
    got = parity.np(lam(x))
    scale = 1.0 if kwargs.get("power_to_db", True) else np.abs(expected).max()
    np.testing.assert_allclose(got / scale, expected / scale, atol=1e-4)
    assert tuple(lam.compute_output_shape(x.shape)) == tuple(k.compute_output_shape(x.shape))
    parity.config_both_ways(keras, k, lam)


def test_spectrogram_layers_in_a_keras_file(keras, tmp_path):
    inp = keras.Input((128, 1))
    out = keras.layers.STFTSpectrogram(frame_length=16, frame_step=8)(inp)
    model = keras.Model(inp, keras.layers.Dense(3)(out))
    x = np.random.default_rng(3).standard_normal((2, 128, 1)).astype("float32")
    model.save(tmp_path / "stft.keras")
    loaded = lamina.models.load_model(tmp_path / "stft.keras")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(loaded(x)),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-4)


def test_errors():
    with pytest.raises(ValueError, match="mode must be one of"):
        layers.STFTSpectrogram(mode="power")
    with pytest.raises(ValueError, match="fft_length must be >= frame_length"):
        layers.STFTSpectrogram(frame_length=32, fft_length=16)
    with pytest.raises(ValueError, match="fft_length must be >= sequence_length"):
        layers.MelSpectrogram(fft_length=32, sequence_length=64)
