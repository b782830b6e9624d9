"""Window functions for the spectrogram layers, as ``scipy.signal.get_window`` names them.

'hann' and 'hamming' (the common ones) are computed with NumPy; any other name is passed to
SciPy, imported only then.
"""

from __future__ import annotations

import numpy as np


def get_window(window, length, periodic=False):
    """A (length,) float64 window; ``periodic`` gives the DFT-even variant (scipy's fftbins)."""
    if not isinstance(window, str):
        win = np.asarray(window, dtype="float64")
        if win.shape != (length,):
            raise ValueError(f"The window must have shape ({length},) (frame_length), received an array "
                             f"of shape {win.shape}.")
        return win
    n = length + 1 if periodic else length
    if window in ("hann", "hanning"):
        win = np.hanning(n) if n > 1 else np.ones(n)
    elif window == "hamming":
        win = np.hamming(n) if n > 1 else np.ones(n)
    else:
        try:
            import scipy.signal
        except ImportError:
            raise ImportError(
                f"The window {window!r} needs SciPy ('hann' and 'hamming' do not): pip install scipy"
            ) from None
        return np.asarray(scipy.signal.get_window(window, length, fftbins=periodic), dtype="float64")
    return win[:length]
