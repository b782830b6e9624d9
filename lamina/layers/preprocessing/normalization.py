"""Normalization: shift and scale inputs to zero mean and unit variance, from given or adapted
statistics."""

from __future__ import annotations

import numpy as np

from lamina import config as _config
from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing._utils import iter_batches


class Normalization(Layer):
    """Normalizes inputs feature-wise: ``(x - mean) / max(sqrt(variance), epsilon)``.

    The statistics are either given (``mean=``, ``variance=``, broadcast over the kept axes) or
    learnt by ``adapt(data)`` from an array, a tensor, a ``lamina.utils.Dataset`` or any iterable
    of batches (batches are merged with the parallel mean/variance formula, as Keras does).
    Adapted statistics are non-trainable weights named ``mean``, ``variance`` and ``count``, so
    they are saved with the model. ``invert=True`` maps normalized values back.

    Args:
        axis: the axis or axes kept (one statistic per position along them); None normalizes
            with one scalar mean and variance. Default -1 (per feature).
        mean, variance: statistics to use instead of ``adapt`` (both or neither).
        invert: apply the inverse transformation (default False).

    Example:
        >>> layer = Normalization()
        >>> layer.adapt(np.array([[0.0], [2.0]]))
        >>> np.asarray(layer(np.array([[0.0], [2.0]]))).ravel().tolist()
        [-1.0, 1.0]
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        self.axis = tuple(axis)
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.supports_masking = True
        self._build_input_shape = None
        if (mean is None) != (variance is None):
            raise ValueError(
                "Normalization: both `mean` and `variance` must be set, or neither; received "
                f"mean={mean!r} and variance={variance!r}. Pass both, or call adapt(data).")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    f"Normalization: `mean` and `variance` must have the same shape; received "
                    f"{np.shape(mean)} and {np.shape(variance)}.")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    f"Normalization: the rank of `mean` must be at most the number of axes "
                    f"({len(self.axis)}); received mean of shape {np.shape(mean)}.")

    def build(self, input_shape):
        if input_shape is None:
            return
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"Normalization: every axis must be in [-{ndim}, {ndim}) for inputs of shape "
                f"{tuple(input_shape)}; received axis={self.axis}.")
        self._build_input_shape = tuple(input_shape)
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(
                    f"Normalization: the kept axes must have a known size; received axis="
                    f"{self.axis} and inputs of shape {tuple(input_shape)} (axis {d} is None).")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        stat_shape = tuple(input_shape[d] for d in self._keep_axis)
        self._stat_shape = stat_shape
        if self.input_mean is None:
            self.add_weight(name="mean", shape=stat_shape, initializer="zeros", trainable=False)
            self.add_weight(name="variance", shape=stat_shape, initializer="ones", trainable=False)
            self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros", trainable=False)
        else:
            self._given = tuple(self._broadcast_given(v) for v in (self.input_mean, self.input_variance))
        self.built = True

    def _broadcast_given(self, value):
        value = np.asarray(value, dtype=self.compute_dtype)
        ndim = len(self._broadcast_shape)
        if value.ndim:
            expanded = [1] * ndim
            for i in range(1, value.ndim + 1):
                expanded[self._keep_axis[-i]] = value.shape[-i]
            value = value.reshape(expanded)
        return ops.convert_to_tensor(np.broadcast_to(value, self._broadcast_shape).copy())

    def adapt(self, data):
        """Compute the mean and variance of ``data`` along the reduced axes."""
        total = None
        for batch in iter_batches(data):
            batch = np.asarray(batch, dtype="float64")
            if not self.built:
                self.build(batch.shape)
            for d in self._keep_axis:
                if batch.shape[d] != self._build_input_shape[d]:
                    raise ValueError(
                        f"Normalization: the layer was built for inputs of shape "
                        f"{self._build_input_shape}, but adapt() received a batch of shape "
                        f"{batch.shape}. The kept axes {self._keep_axis} must match.")
            n = int(np.prod([batch.shape[d] for d in self._reduce_axis])) if self._reduce_axis else 1
            mean, var = batch.mean(axis=self._reduce_axis), batch.var(axis=self._reduce_axis)
            if total is None:
                total = [mean, var, n]
            else:  # merge two (mean, variance, count) summaries
                t_mean, t_var, t_n = total
                w = n / (t_n + n)
                new_mean = t_mean * (1 - w) + mean * w
                new_var = (t_var + (t_mean - new_mean) ** 2) * (1 - w) + (var + (mean - new_mean) ** 2) * w
                total = [new_mean, new_var, t_n + n]
        if total is None:
            raise ValueError("Normalization.adapt() received no data (an empty iterable). Pass at "
                             "least one batch, e.g. layer.adapt(x_train).")
        if self.input_mean is not None:
            raise ValueError("Normalization: adapt() cannot be used when `mean` and `variance` were "
                             "given to the constructor. Create the layer without them.")
        weights = {v.name: v for v in self.non_trainable_variables}
        weights["mean"].assign(np.asarray(total[0], "float32").reshape(self._stat_shape))
        weights["variance"].assign(np.asarray(total[1], "float32").reshape(self._stat_shape))
        weights["count"].assign(np.asarray(total[2], "int64"))

    def _stats(self):
        if self.input_mean is not None:
            return self._given
        return (ops.reshape(getattr(self, "mean"), self._broadcast_shape),
                ops.reshape(getattr(self, "variance"), self._broadcast_shape))

    def call(self, inputs):
        x = ops.cast(inputs, self.compute_dtype)
        mean, variance = self._stats()
        mean, variance = ops.cast(mean, self.compute_dtype), ops.cast(variance, self.compute_dtype)
        std = ops.maximum(ops.sqrt(variance), _config.epsilon())
        if self.invert:
            return mean + x * std
        return (x - mean) / std

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_build_config(self):
        if self._build_input_shape:
            return {"input_shape": list(self._build_input_shape)}
        return None

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "invert": self.invert,
                       "mean": np.array(self.input_mean).tolist(),
                       "variance": np.array(self.input_variance).tolist()})
        return config
