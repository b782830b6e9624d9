"""``keras.preprocessing.sequence``: ``pad_sequences`` (the same function as ``lamina.utils.pad_sequences``)."""

from lamina.preprocessing._removed import removed_names_getattr
from lamina.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]

_SLIDING = (
    "Cut the windows with NumPy instead, e.g. "
    "x = numpy.lib.stride_tricks.sliding_window_view(data, window, axis=0)[::stride], "
    "and pass the arrays (or a lamina.utils.PyDataset yielding batches) to model.fit."
)

__getattr__ = removed_names_getattr("lamina.preprocessing.sequence", {
    "TimeseriesGenerator": _SLIDING,
    "skipgrams": "Build (target, context) pairs with a loop over each sequence and NumPy.",
    "make_sampling_table": "Compute word-frequency sampling probabilities with NumPy.",
})
