"""BaseUpSampling: repeat (or interpolate) every spatial axis by an integer factor."""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.errors import unknown_identifier
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

_SUPPORTED = ("nearest", "bilinear", "bicubic")
_KERAS_ONLY = ("lanczos3", "lanczos5", "area")


class BaseUpSampling(Layer):
    """Upsamples ``rank`` spatial axes by ``size``: 'nearest' repeats each element; 'bilinear'
    and 'bicubic' (2D only) interpolate with half-pixel centers, as Keras does.

    Args:
        rank: number of spatial axes.
        size: int or tuple of ``rank`` ints.
        data_format: 'channels_last' (default) or 'channels_first'.
        interpolation: 'nearest', or for 2D 'bilinear' / 'bicubic'.
    """

    _legacy_kwargs = dict(cu.LEGACY_DIM_ORDERING)

    def __init__(self, rank, size, data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.rank = rank
        self.size = cu.standardize_tuple(size, rank, "size", owner)
        self._size = self.size
        self.data_format = cu.standardize_data_format(data_format)
        interpolation = str(interpolation).lower()
        if interpolation not in _SUPPORTED or (rank != 2 and interpolation != "nearest"):
            if interpolation in _KERAS_ONLY or (interpolation in _SUPPORTED and rank != 2):
                raise ValueError(
                    f"{owner}: interpolation='{interpolation}' is not supported by lamina"
                    f"{'' if rank == 2 else f' for {rank}D upsampling'}; use "
                    f"{', '.join(repr(i) for i in (_SUPPORTED if rank == 2 else ('nearest',)))}."
                )
            raise unknown_identifier("interpolation", interpolation, _SUPPORTED)
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        return ops.upsample(inputs, self._size, self.data_format, self.interpolation)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for a, s in zip(cu.spatial_axes(self.rank, self.data_format), self._size):
            shape[a] = None if shape[a] is None else shape[a] * s
        return tuple(shape)
