"""BaseAdaptivePooling: pool to a fixed output size whatever the input size (torch's bins)."""

from __future__ import annotations

from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina import ops


class BaseAdaptivePooling(Layer):
    """Average or max over adaptive windows so the spatial output is ``output_size``.

    Output cell i of an axis of length L pools input positions ``floor(i*L/n)`` to
    ``ceil((i+1)*L/n)`` (the bins of torch's and Keras 3's adaptive pooling; windows may
    overlap when L is not a multiple of n).

    Args:
        rank: number of spatial axes. output_size: an int or ``rank`` ints.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    _mode = "average"

    def __init__(self, rank, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if cu.is_int(output_size):
            size = (int(output_size),) * rank
        elif isinstance(output_size, (list, tuple)) and len(output_size) == rank and all(
                cu.is_int(v) for v in output_size):
            size = tuple(int(v) for v in output_size)
        else:
            raise TypeError(
                f"{name}: output_size must be an int or a tuple of {rank} ints, received "
                f"output_size={output_size!r} of type {type(output_size).__name__}. "
                f"Example: {name}({(4,) * rank if rank > 1 else 4})."
            )
        if any(v <= 0 for v in size):
            raise ValueError(f"{name}: output_size must be positive, received output_size={output_size!r}.")
        self.output_size = size
        self.data_format = cu.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)
        self._pool = ops.adaptive_max_pool if self._mode == "max" else ops.adaptive_average_pool

    def call(self, inputs):
        return self._pool(inputs, self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        config = super().get_config()
        config.update({"output_size": self.output_size, "data_format": self.data_format})
        return config
