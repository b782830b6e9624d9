"""MelSpectrogram: audio signals to (log-)mel spectrograms."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.layers.layer import Layer

_MEL_BREAK_HZ = 700.0
_MEL_HIGH_Q = 1127.0


def _hz_to_mel(hz):
    return _MEL_HIGH_Q * np.log(1.0 + hz / _MEL_BREAK_HZ)


def mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_hz, upper_hz):
    """(num_spectrogram_bins, num_mel_bins) HTK-style triangular filters with peak 1, the DC
    bin left out (Keras 3's / TensorFlow's ``linear_to_mel_weight_matrix``), in float32."""
    f32 = np.float32
    freqs = np.linspace(f32(0.0), f32(sampling_rate) / f32(2.0), num_spectrogram_bins, dtype=f32)[1:]
    bins_mel = _hz_to_mel(freqs).astype(f32)[:, None]
    edges = np.linspace(_hz_to_mel(f32(lower_hz)), _hz_to_mel(f32(upper_hz)), num_mel_bins + 2,
                        dtype=f32)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    weights = np.maximum(f32(0.0), np.minimum((bins_mel - lower) / (center - lower),
                                              (upper - bins_mel) / (upper - center)))
    return np.pad(weights, [[1, 0], [0, 0]]).astype(f32)


class MelSpectrogram(Layer):
    """Mel spectrogram of raw audio: STFT magnitude ** mag_exp, mel filterbank, then decibels.

    Frames are centred (the signal is reflect-padded by fft_length // 2), windowed and
    transformed with a real FFT; the power is mapped onto ``num_mel_bins`` triangular mel
    filters (HTK formula) and, with ``power_to_db``, converted to dB relative to ``ref_power``
    and clipped ``top_db`` below the maximum of the batch (as Keras 3).

    Args:
        fft_length (2048), sequence_stride (512), sequence_length (None: fft_length), window
        ('hann', 'hamming' or None), sampling_rate (16000), num_mel_bins (128), min_freq (20.0),
        max_freq (None: sampling_rate / 2), power_to_db (True), top_db (80.0), mag_exp (2.0:
        power), min_power (1e-10), ref_power (1.0).

    Input shape: (batch, samples) or (samples,). Output shape: (batch, num_mel_bins, frames).

    Example:
        >>> import lamina
        >>> layer = lamina.layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=8)
        >>> tuple(layer(lamina.ops.ones((2, 256))).shape)
        (2, 8, 9)
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                 sampling_rate=16000, num_mel_bins=128, min_freq=20.0, max_freq=None, power_to_db=True,
                 top_db=80.0, mag_exp=2.0, min_power=1e-10, ref_power=1.0, **kwargs):
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if fft_length < self.sequence_length:
            raise ValueError(
                f"MelSpectrogram: fft_length must be >= sequence_length, received "
                f"fft_length={fft_length} and sequence_length={self.sequence_length}."
            )
        if window not in ("hann", "hamming", None):
            raise ValueError(f"MelSpectrogram: window must be 'hann', 'hamming' or None, received "
                             f"window={window!r}.")
        super().__init__(**kwargs)
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        self._mel = mel_weight_matrix(num_mel_bins, fft_length // 2 + 1, sampling_rate, min_freq,
                                      self.max_freq)

    def call(self, inputs):
        dtype = self.compute_dtype if self.compute_dtype in ("float32", "float64") else "float32"
        x = ops.cast(inputs, dtype)
        real, imag = ops.stft(x, self.sequence_length, self.sequence_stride, self.fft_length,
                              window=self.window, center=True)
        spec = ops.power(ops.sqrt(ops.square(real) + ops.square(imag)), self.mag_exp)
        out = ops.tensordot(spec, ops.convert_to_tensor(self._mel.astype(dtype)), axes=1)
        if self.power_to_db:
            db = 10.0 * ops.log10(ops.maximum(out, self.min_power))
            db = db - 10.0 * float(np.log10(max(abs(self.ref_power), self.min_power)))
            out = ops.maximum(db, ops.max(db) - self.top_db)
        return ops.cast(ops.swapaxes(out, -1, -2), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        steps = input_shape[-1]
        frames = None if steps is None else (steps + self.sequence_stride + 1) // self.sequence_stride
        return tuple(input_shape[:-1]) + (self.num_mel_bins, frames)

    def get_config(self):
        config = super().get_config()
        config.update({
            "fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
            "sequence_length": self.sequence_length, "window": self.window,
            "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
            "min_freq": self.min_freq, "max_freq": self.max_freq, "power_to_db": self.power_to_db,
            "top_db": self.top_db, "mag_exp": self.mag_exp, "min_power": self.min_power,
            "ref_power": self.ref_power,
        })
        return config
