"""Signal kernels of ``lamina.ops.math`` under JAX: framing, STFT / inverse STFT and the complex
views, with the torch backend's numerics (``torch.stft`` / ``torch.istft`` conventions: a window
shorter than ``fft_length`` sits centred in each frame; ``center=True`` reflect-pads by
``fft_length // 2``; the inverse divides by the overlap-added squared window).

FFT results are Keras's ``(real, imag)`` pairs of float arrays.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from lamina.backend.jax.ops._convert import _t, to_float


def view_as_complex(x):
    """(..., 2) float pairs -> complex (..., )."""
    x = to_float(_t(x))
    if x.shape[-1:] != (2,):
        raise ValueError(f"view_as_complex() needs a last axis of size 2 (real, imag); received shape "
                         f"{tuple(x.shape)}.")
    return jax_complex(x[..., 0], x[..., 1])


def jax_complex(real, imag):
    dtype = jnp.complex128 if real.dtype == jnp.float64 else jnp.complex64
    return real.astype(dtype) + 1j * imag.astype(dtype)


def view_as_real(x):
    """complex (...) -> (..., 2) float pairs."""
    x = _t(x)
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)


def _frame_index(n, length, stride):
    frames = 1 + (n - length) // stride
    if frames < 1:
        raise ValueError(f"Cannot cut frames of {length} samples from a signal of {n}.")
    return np.arange(frames)[:, None] * stride + np.arange(length)[None, :]


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last axis:
    (..., n) -> (..., frames, sequence_length)."""
    x = _t(x)
    return x[..., _frame_index(x.shape[-1], sequence_length, sequence_stride)]


def _window(window, sequence_length, dtype):
    if window is None:
        return jnp.ones(sequence_length, dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f"stft() received window={window!r}; expected 'hann', 'hamming', a tensor or None.")
        cos = np.cos(2 * np.pi * np.arange(sequence_length) / sequence_length)  # periodic, as torch
        w = 0.5 - 0.5 * cos if window == "hann" else 0.54 - 0.46 * cos
        return jnp.asarray(w, dtype)
    w = _t(window).astype(dtype)
    if w.shape != (sequence_length,):
        raise ValueError(f"stft() needs a window of shape ({sequence_length},); received {tuple(w.shape)}.")
    return w


def _framed_window(window, sequence_length, fft_length, dtype):
    w = _window(window, sequence_length, dtype)
    left = (fft_length - sequence_length) // 2
    return jnp.pad(w, (left, fft_length - sequence_length - left))


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x = to_float(_t(x))
    if fft_length < sequence_length:
        raise ValueError(f"stft() needs fft_length >= sequence_length; received {fft_length} < {sequence_length}.")
    w = _framed_window(window, sequence_length, fft_length, x.dtype)
    if center:
        pad = fft_length // 2
        x = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)], mode="reflect")
    frames = x[..., _frame_index(x.shape[-1], fft_length, sequence_stride)]
    spec = jnp.fft.rfft(frames * w, n=fft_length)
    return jnp.real(spec), jnp.imag(spec)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    real, imag = (to_float(_t(v)) for v in x)
    frames = jnp.fft.irfft(jax_complex(real, imag), n=fft_length)
    w = _framed_window(window, sequence_length, fft_length, frames.dtype)
    n_frames = frames.shape[-2]
    total = fft_length + sequence_stride * (n_frames - 1)
    idx = _frame_index(total, fft_length, sequence_stride)  # (n_frames, fft_length)
    lead = frames.shape[:-2]
    out = jnp.zeros(lead + (total,), frames.dtype).at[..., idx].add(frames * w)
    norm = jnp.zeros((total,), frames.dtype).at[idx].add(jnp.broadcast_to(w * w, idx.shape))
    start = fft_length // 2 if center else 0
    end = total - fft_length // 2 if center else total
    out, norm = out[..., start:end], norm[start:end]
    out = out / jnp.where(norm > 1e-11, norm, 1.0)
    if length is not None:
        n = out.shape[-1]
        out = out[..., :length] if n >= length else jnp.pad(out, [(0, 0)] * (out.ndim - 1) + [(0, length - n)])
    return out
