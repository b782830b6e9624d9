"""The ``keras.ops.math`` kernels for the torch backend: segments, top-k, FFTs, STFT, special functions.

FFT ops take and return Keras's ``(real, imag)`` pairs of float tensors, never complex tensors.
"""

from __future__ import annotations

import torch

from lamina.backend.torch.ops._convert import _t, promote, to_float


# ---------------------------------------------------------------- segments
def _identity(reduce, dtype):
    if reduce in ("sum", "prod"):
        return 0 if reduce == "sum" else 1
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    big = float("inf") if dtype.is_floating_point else info.max
    return -big if reduce == "amax" else big


def _segment_op(name, reduce):
    def op(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
        data = _t(data)
        ids = _t(segment_ids).long()
        n = int(ids.max().item()) + 1 if num_segments is None else int(num_segments)
        keep = (ids >= 0) & (ids < n)  # ids outside [0, num_segments) are dropped, as in Keras
        if not bool(keep.all()):
            data, ids = data[keep], ids[keep]
        # an empty segment holds the reduction's identity (0, 1, -inf, +inf), as Keras on torch
        out = torch.full((n,) + tuple(data.shape[1:]), _identity(reduce, data.dtype), dtype=data.dtype,
                         device=data.device)
        index = ids.reshape((-1,) + (1,) * (data.dim() - 1)).expand_as(data)
        return out.scatter_reduce(0, index, data, reduce, include_self=True)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The {reduce} of ``data`` rows that share a segment id (rows with id i go to output i)."
    return op


segment_sum = _segment_op("segment_sum", "sum")
segment_prod = _segment_op("segment_prod", "prod")
segment_max = _segment_op("segment_max", "amax")
segment_min = _segment_op("segment_min", "amin")


# ---------------------------------------------------------------- top-k and friends
def top_k(x, k, sorted=True):  # noqa: A002
    x = _t(x)
    r = torch.topk(x, k, dim=-1, sorted=True)
    return r.values, r.indices


def in_top_k(targets, predictions, k):
    targets = _t(targets).long().reshape(-1, 1)
    predictions = _t(predictions)
    target_vals = torch.gather(predictions, 1, targets)
    # ties count in the target's favour (as tf.math.in_top_k); a NaN/inf target is never in
    return ((predictions > target_vals).sum(dim=1) < k) & torch.isfinite(target_vals.reshape(-1))


def logsumexp(x, axis=None, keepdims=False):
    x = to_float(_t(x))
    if axis is None:
        out = torch.logsumexp(x.reshape(-1), dim=0)
        return out.reshape((1,) * x.dim()) if keepdims else out
    return torch.logsumexp(x, dim=tuple(axis) if isinstance(axis, list) else axis, keepdim=keepdims)


def erf(x):
    return torch.erf(to_float(_t(x)))


def erfc(x):
    return torch.erfc(to_float(_t(x)))


def erfinv(x):
    return torch.erfinv(to_float(_t(x)))


def rsqrt(x):
    return torch.rsqrt(to_float(_t(x)))


def logdet(x):
    return torch.logdet(to_float(_t(x)))


# ---------------------------------------------------------------- FFTs
def _complex(x):
    if isinstance(x, (tuple, list)):
        real, imag = promote(to_float(_t(x[0])), to_float(_t(x[1])))
        return torch.complex(real, imag)
    raise ValueError(f"FFT ops take a (real, imag) tuple of tensors; received {type(x).__name__}.")


def _split(c):
    return c.real.contiguous(), c.imag.contiguous()


def fft(x):
    return _split(torch.fft.fft(_complex(x)))


def fft2(x):
    return _split(torch.fft.fft2(_complex(x)))


def ifft2(x):
    return _split(torch.fft.ifft2(_complex(x)))


def rfft(x, fft_length=None):
    return _split(torch.fft.rfft(to_float(_t(x)), n=fft_length))


def irfft(x, fft_length=None):
    return torch.fft.irfft(_complex(x), n=fft_length)


def view_as_complex(x):
    x = _t(x)
    return torch.view_as_complex(x.contiguous())


def view_as_real(x):
    return torch.view_as_real(_t(x))


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last axis."""
    return _t(x).unfold(-1, sequence_length, sequence_stride)


def _window(window, sequence_length, dtype, device):
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f"stft() received window={window!r}; expected 'hann', 'hamming', a tensor or None.")
        fn = torch.hann_window if window == "hann" else torch.hamming_window
        return fn(sequence_length, periodic=True, dtype=dtype, device=device)
    w = _t(window).to(dtype)
    if w.shape != (sequence_length,):
        raise ValueError(f"stft() needs a window of shape ({sequence_length},); received {tuple(w.shape)}.")
    return w


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x = to_float(_t(x))
    if fft_length < sequence_length:
        raise ValueError(f"stft() needs fft_length >= sequence_length; received {fft_length} < {sequence_length}.")
    w = _window(window, sequence_length, x.dtype, x.device)
    if w is None:
        w = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    lead = x.shape[:-1]
    flat = x.reshape(-1, x.shape[-1])
    if center:
        pad = fft_length // 2
        flat = torch.nn.functional.pad(flat[:, None], (pad, pad), mode="reflect")[:, 0]
    frames = flat.unfold(-1, fft_length, sequence_stride) if fft_length == sequence_length else None
    if frames is None:
        # the window of sequence_length sits centred inside each fft_length frame (as torch.stft)
        left = (fft_length - sequence_length) // 2
        w = torch.nn.functional.pad(w, (left, fft_length - sequence_length - left))
        frames = flat.unfold(-1, fft_length, sequence_stride)
    spec = torch.fft.rfft(frames * w, n=fft_length)
    spec = spec.reshape(lead + spec.shape[1:])
    return _split(spec)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    c = _complex(x)
    frames = torch.fft.irfft(c, n=fft_length)
    dtype = frames.dtype
    w = _window(window, sequence_length, dtype, frames.device)
    if w is None:
        w = torch.ones(sequence_length, dtype=dtype, device=frames.device)
    left = (fft_length - sequence_length) // 2
    w = torch.nn.functional.pad(w, (left, fft_length - sequence_length - left))
    lead = frames.shape[:-2]
    n_frames = frames.shape[-2]
    frames = (frames * w).reshape(-1, n_frames, fft_length)
    total = fft_length + sequence_stride * (n_frames - 1)
    out = torch.nn.functional.fold(frames.transpose(1, 2), (1, total), (1, fft_length), stride=(1, sequence_stride))
    out = out.reshape(-1, total)
    norm = torch.nn.functional.fold((w * w).reshape(1, fft_length, 1).expand(1, fft_length, n_frames),
                                    (1, total), (1, fft_length), stride=(1, sequence_stride)).reshape(total)
    start = fft_length // 2 if center else 0
    end = total - fft_length // 2 if center else total
    out, norm = out[:, start:end], norm[start:end]
    out = out / torch.where(norm > 1e-11, norm, torch.ones_like(norm))
    if length is not None:
        out = out[:, :length] if out.shape[-1] >= length else torch.nn.functional.pad(out, (0, length - out.shape[-1]))
    return out.reshape(lead + out.shape[-1:])


def cdist(x, y):
    """Euclidean distances between the rows of ``x`` and of ``y`` (batched: (..., n, m))."""
    a, b = promote(to_float(_t(x)), to_float(_t(y)))
    return torch.cdist(a, b)
