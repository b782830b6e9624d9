"""STFTSpectrogram: a short-time Fourier transform as a convolution with (trainable) DFT kernels."""

from __future__ import annotations

import math
import warnings


from lamina import config as _config
from lamina import ops
from lamina.initializers.stft import STFT
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """Spectrogram of 1D signals (batch, time, channels) by a strided convolution with DFT kernels.

    The two kernels ``real_kernel`` and ``imag_kernel`` (frame_length, 1, fft_length // 2 + 1)
    hold the windowed cosines and sines (Keras 3's layout; they are trainable, so the
    transform can be fine-tuned). Each channel is transformed separately.

    Args:
        mode: 'log' (log magnitude, default), 'magnitude', 'psd' (power spectral density),
            'real', 'imag', 'angle', or 'stft' (real and imaginary parts concatenated).
        frame_length: window length in samples. frame_step: hop (default frame_length // 2).
        fft_length: FFT size >= frame_length (default the next power of two).
        window: a window name ('hann', 'hamming'; others need SciPy), an array, or None.
        periodic: the periodic (DFT-even) window variant. scaling: 'density', 'spectrum' or None.
        padding: 'valid' or 'same'. expand_dims: keep channels as their own axis.
        data_format: 'channels_last' (default) or 'channels_first'.

    Input shape: (batch, time, channels) (channels_last). Output shape: (batch, frames,
    channels * bins), or (batch, frames, bins, channels) with expand_dims.

    Example:
        >>> import lamina
        >>> layer = lamina.layers.STFTSpectrogram(frame_length=16, frame_step=8)
        >>> tuple(layer(lamina.ops.ones((2, 64, 1))).shape)
        (2, 7, 9)
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None, window="hann",
                 periodic=False, scaling="density", padding="valid", expand_dims=False,
                 data_format=None, **kwargs):
        name = "STFTSpectrogram"
        if frame_step is not None and not 1 <= frame_step <= frame_length:
            raise ValueError(f"{name}: frame_step must be an integer in [1, frame_length={frame_length}], "
                             f"received frame_step={frame_step!r}.")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError(f"{name}: fft_length must be >= frame_length={frame_length}, received "
                             f"fft_length={fft_length!r}.")
        if fft_length is not None and fft_length & (fft_length - 1):
            warnings.warn(f"{name}: fft_length is best a power of two, received fft_length={fft_length}.",
                          stacklevel=2)
        if mode not in _MODES:
            raise ValueError(f"{name}: mode must be one of {', '.join(_MODES)}, received mode={mode!r}.")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(f"{name}: scaling must be None, 'density' or 'spectrum', received "
                             f"scaling={scaling!r}.")
        if padding not in ("valid", "same"):
            raise ValueError(f"{name}: padding must be 'valid' or 'same', received padding={padding!r}.")
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = cu.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel", shape=shape,
                initializer=STFT("real", self.window, self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel", shape=shape,
                initializer=STFT("imag", self.window, self.scaling, self.periodic))

    def _transform(self, x, kernel):
        """(batch, channels, bins, frames) for one kernel."""
        last = self.data_format == "channels_last"
        if last:
            _, steps, channels = x.shape
            x = ops.reshape(ops.transpose(x, (0, 2, 1)), (-1, steps, 1))
        else:
            _, channels, steps = x.shape
            x = ops.reshape(x, (-1, 1, steps))
        out = ops.conv(x, ops.cast(kernel, x.dtype), strides=self._frame_step, padding=self.padding,
                       data_format=self.data_format)
        if last:
            out = ops.transpose(out, (0, 2, 1))
        return ops.reshape(out, (-1, channels) + tuple(out.shape[1:]))

    def _layout(self, out):
        _, channels, bins, frames = out.shape
        if self.expand_dims:
            return ops.transpose(out, (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2))
        out = ops.reshape(out, (-1, channels * bins, frames))
        return ops.transpose(out, (0, 2, 1)) if self.data_format == "channels_last" else out

    def call(self, inputs):
        if ops.dtype(inputs) not in ("float16", "float32", "float64"):
            raise TypeError(f"STFTSpectrogram layer '{self.name}' takes float16/32/64 signals, received "
                            f"{ops.dtype(inputs)}. Cast the audio to float32.")
        real = self._transform(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._transform(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode == "real":
            return self._layout(real)
        if self.mode == "imag":
            return self._layout(imag)
        if self.mode == "angle":
            return self._layout(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._layout(ops.concatenate([real, imag], axis=2))
        power = ops.square(real) + ops.square(imag)
        if self.mode == "psd":  # one-sided: every bin but DC and Nyquist counts twice
            return self._layout(power + ops.pad(power[:, :, 1:-1, :], [[0, 0], [0, 0], [1, 1], [0, 0]]))
        eps = _config.epsilon()
        magnitude = self._layout(ops.sqrt(ops.maximum(power, eps)))
        return magnitude if self.mode == "magnitude" else ops.log(ops.maximum(magnitude, eps))

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        channels = input_shape[-1] if last else input_shape[1]
        steps = input_shape[1] if last else input_shape[2]
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        frames = cu.conv_output_length(steps, self.frame_length, self.padding, self._frame_step)
        if self.expand_dims:
            return (input_shape[0], frames, bins, channels) if last else (input_shape[0], channels, frames, bins)
        feats = None if channels is None else bins * channels
        return (input_shape[0], frames, feats) if last else (input_shape[0], feats, frames)

    def get_config(self):
        config = super().get_config()
        config.update({
            "mode": self.mode, "frame_length": self.frame_length, "frame_step": self.frame_step,
            "fft_length": self.fft_length, "window": self.window, "periodic": self.periodic,
            "scaling": self.scaling, "padding": self.padding, "data_format": self.data_format,
            "expand_dims": self.expand_dims,
        })
        return config
