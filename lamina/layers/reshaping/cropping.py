"""BaseCropping: cut rows/columns off the ends of the spatial axes (a view, no copy)."""

from __future__ import annotations

from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BaseCropping(Layer):
    """Crops ``rank`` spatial axes; ``cropping`` holds one (before, after) pair per axis.

    Args:
        rank: number of spatial axes.
        cropping: int, ``rank`` ints or ``rank`` (before, after) pairs.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    _legacy_kwargs = dict(cu.LEGACY_DIM_ORDERING)

    def __init__(self, rank, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = cu.standardize_data_format(data_format)
        self.cropping = cu.standardize_pairs(cropping, rank, "cropping", type(self).__name__)
        self._pairs = self.cropping
        self.input_spec = InputSpec(ndim=rank + 2)
        index = [slice(None)] * (rank + 2)
        for a, (b, e) in zip(cu.spatial_axes(rank, self.data_format), self._pairs):
            index[a] = slice(b, -e if e else None)
        self._index = tuple(index)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        return inputs[self._index]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for a, (b, e) in zip(cu.spatial_axes(self.rank, self.data_format), self._pairs):
            if shape[a] is not None:
                if b + e >= shape[a]:
                    raise ValueError(
                        f"Layer '{self.name}' ({type(self).__name__}): cropping {self.cropping} removes "
                        f"all of axis {a} (size {shape[a]}) of input shape {tuple(input_shape)}. "
                        "Each axis' total cropping must be smaller than its size."
                    )
                shape[a] -= b + e
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config
