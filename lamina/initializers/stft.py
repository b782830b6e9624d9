"""STFT: the windowed DFT kernel of Keras 3's ``STFTSpectrogram`` as a public initializer."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.initializers import Initializer


class STFT(Initializer):
    """Initializer of a (frame_length, 1, bins) convolution kernel computing one side of an STFT.

    Entry ``[t, 0, k]`` is ``cos(-2 pi t k / fft_length)`` (``side='real'``) or its sine
    (``side='imag'``), with ``fft_length = (bins - 1) * 2``, multiplied by the window value
    ``w[t]`` and divided by the window's L2 norm (``scaling='density'``) or L1 norm
    (``'spectrum'``). Only the first half of the bins is built: the rest are conjugates.

    The arithmetic follows Keras 3 step by step in the requested dtype (the phase is
    ``(-2 t) * (k / fft_length) * pi`` rounded in that dtype), so a float32 kernel equals Keras's
    to the last bit or two rather than to a float64 DFT.

    Args:
        side: 'real' (cosines) or 'imag' (sines).
        window: a ``scipy.signal.get_window`` name ('hann', 'hamming' need no SciPy; other names
            do), an array of ``frame_length`` values, or None (no window, no scaling).
        scaling: 'density' (divide by sqrt(sum(w**2))), 'spectrum' (by sum(|w|)) or None.
        periodic: use the periodic (DFT-even) window instead of the symmetric one.

    Example:
        >>> import lamina
        >>> init = lamina.initializers.STFT("real", "hann", "density", False)
        >>> tuple(init((16, 1, 9)).shape)
        (16, 1, 9)
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"STFT initializer: side must be 'real' or 'imag', received side={side!r}.")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("STFT initializer: scaling must be None, 'density' or 'spectrum', received "
                             f"scaling={scaling!r}.")
        if isinstance(window, str):
            from lamina.layers.preprocessing._windows import get_window

            get_window(window, 1)  # an unknown window name fails here, as in Keras
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None):
        from lamina import config
        from lamina.layers.preprocessing._windows import get_window

        if len(shape) != 3:
            raise ValueError("STFT initializer: shape must be (frame_length, input_channels, bins), "
                             f"received {tuple(shape)}.")
        dtype = np.dtype(dtype or config.floatx())
        frame_length, _, bins = shape
        time = np.arange(frame_length, dtype=dtype).reshape(-1, 1, 1)
        freq = np.arange(bins, dtype=dtype).reshape(1, 1, -1) / dtype.type((bins - 1) * 2)
        args = (dtype.type(-2) * time) * freq * dtype.type(np.pi)
        kernel = np.cos(args) if self.side == "real" else np.sin(args)
        if self.window is not None:
            win = get_window(self.window, frame_length, self.periodic).astype(dtype).reshape(-1, 1, 1)
            scale = dtype.type(1)
            if self.scaling == "density":
                scale = np.sqrt(np.sum(np.square(win)))
            elif self.scaling == "spectrum":
                scale = np.sum(np.abs(win))
            kernel = kernel * win / scale
        return ops.convert_to_tensor(kernel.astype(dtype), dtype=dtype.name)

    def get_config(self):
        window = self.window.tolist() if isinstance(self.window, np.ndarray) else self.window
        return {"side": self.side, "window": window, "periodic": self.periodic, "scaling": self.scaling}
