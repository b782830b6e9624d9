"""Discretization: bucket continuous values into integer bins (given boundaries or adapted
quantiles)."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing._utils import check_choice, encode, iter_batches

MODES = ("int", "one_hot", "multi_hot", "count")


class Discretization(Layer):
    """Maps each value to the index of the bin it falls in (``bins[i-1] <= x < bins[i]``).

    Give ``bin_boundaries``, or give ``num_bins`` and call ``adapt(data)``: it estimates quantile
    boundaries with Keras's mergeable summary (approximate to ``epsilon``), so adapting on the
    same data gives the same boundaries as Keras. The boundaries are part of the config, so an
    adapted layer round-trips through ``get_config``/``from_config`` and saved models.

    Args:
        bin_boundaries: sorted list of boundaries (n boundaries make n + 1 bins).
        num_bins: the number of bins to learn with ``adapt``.
        epsilon: error tolerance of the quantile estimate (default 0.01).
        output_mode: 'int' (default, int32 bin ids), 'one_hot', 'multi_hot' or 'count'.
        sparse: only False.

    Example:
        >>> np.asarray(Discretization([0.0, 1.0])(np.array([-1.0, 0.5, 2.0]))).tolist()
        [0, 1, 2]
    """

    _casts_integer_inputs = False  # integer inputs (images, ids) keep their dtype

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        check_choice("Discretization", "output_mode", output_mode, MODES)
        if sparse:
            raise ValueError("Discretization: sparse=True is not supported by lamina; received "
                             "sparse=True. Use sparse=False (dense outputs).")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"Discretization: num_bins must be >= 0; received num_bins={num_bins}.")
        if num_bins is not None and bin_boundaries is not None:
            if len(bin_boundaries) != num_bins - 1:
                raise ValueError(
                    f"Discretization: both num_bins={num_bins} and bin_boundaries={bin_boundaries} "
                    f"were given, and num_bins is not len(bin_boundaries) + 1. Pass only one.")
        self.bin_boundaries = list(bin_boundaries) if bin_boundaries is not None else None
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self.summary = np.array([[], []], dtype="float32")

    def adapt(self, data, steps=None):
        """Estimate ``num_bins`` quantile boundaries from ``data``."""
        if self.num_bins is None:
            raise ValueError("Discretization: cannot adapt a layer created with bin_boundaries; "
                             "create it with num_bins=... instead.")
        self.summary = np.array([[], []], dtype="float32")
        for i, batch in enumerate(iter_batches(data)):
            if steps is not None and i >= steps:
                break
            batch = np.asarray(batch).astype("float32")
            self.summary = _merge(_summarize(batch, self.epsilon), self.summary, self.epsilon)
        self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    @property
    def output_dtype(self):
        return "int32" if self.output_mode == "int" else self.compute_dtype

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("Discretization: no bin boundaries yet. Pass bin_boundaries=... when "
                             "creating the layer, or call adapt(data) first.")
        x = ops.convert_to_tensor(inputs)
        bins = ops.convert_to_tensor(np.asarray(self.bin_boundaries, dtype=ops.dtype(x)
                                                if ops.is_float_dtype(ops.dtype(x)) else "float64"))
        if not ops.is_float_dtype(ops.dtype(x)):
            x = ops.cast(x, "float64")
        # np.digitize(x, bins) (right=False): the number of boundaries <= x
        idx = ops.sum(ops.cast(ops.greater_equal(ops.expand_dims(x, -1), bins), "int32"), axis=-1)
        if self.output_mode == "int":
            return ops.cast(idx, "int32")
        return encode(idx, len(self.bin_boundaries) + 1, self.output_mode, self.output_dtype)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)


# The quantile summary: a 2 x n array (values, weights) that can be merged and compressed, the
# algorithm Keras's Discretization uses (so adapted boundaries agree with Keras's).
def _summarize(values, epsilon):
    values = np.sort(values.reshape(-1))
    step = max(values.size * epsilon, 1)
    kept = values[int(step - 1)::int(step)]
    return np.stack([kept, np.full_like(kept, step)])


def _merge(a, b, epsilon):
    merged = np.concatenate((a, b), axis=1)
    merged = merged[:, np.argsort(merged[0])]
    return _compress(merged, epsilon)


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    new_values = np.interp(percents, cum / cum[-1], summary[0])
    new_cum = np.interp(percents, cum / cum[-1], cum)
    new_weights = new_cum - np.concatenate(([0.0], new_cum[:-1]))
    return np.stack((new_values, new_weights)).astype("float32")
