"""BaseConv: what Conv1D, Conv2D and Conv3D share (Keras arguments, kernel layout, output shape)."""

from __future__ import annotations

from lamina import initializers
from lamina.ops import _internal as ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.convolutional.base_window import BaseWindowConv


class BaseConv(BaseWindowConv):
    """N-D convolution layer: ``activation(conv(inputs, kernel) + bias)``.

    The kernel is stored in Keras layout ``kernel_size + (input_channels // groups, filters)``
    (HWIO for 2D), so weights load from and save to Keras files unchanged. Under torch the
    convolution runs on permuted *views* of the input and kernel: no layout copies.

    Args:
        rank: number of spatial dimensions (1, 2 or 3).
        filters: number of output channels (Keras 1: ``nb_filter``).
        kernel_size: int or tuple of ``rank`` ints (Keras 1: ``nb_row``/``nb_col``,
            ``filter_length``, ``kernel_dim1..3``).
        strides: int or tuple (Keras 1: ``subsample``).
        padding: 'valid', 'same' (TF-style: an odd total puts the extra row/column at the end),
            or 'causal' (1D only) (Keras 1: ``border_mode``).
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).
        dilation_rate: int or tuple.
        groups: number of channel groups; input channels and filters must be divisible by it.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as Dense.
    """

    # Keras 1 keyword names of the kernel's axes, combined into kernel_size.
    _keras1_kernel_kwargs: tuple = ()

    def __init__(self, rank, filters, kernel_size=None, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        kernel_size = cu.legacy_kernel_size(self, kernel_size, kwargs)
        for key in ("lora_rank", "lora_alpha"):
            if kwargs.pop(key, None):
                raise NotImplementedError(f"{type(self).__name__}({key}=...) is not supported by lamina yet.")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        filters = self._positive_int(filters, "filters")
        if kernel_size is None:
            raise TypeError(
                f"{owner} is missing its kernel_size. Example: {owner}({filters}, "
                f"{(3,) * rank if rank > 1 else 3})."
            )
        self.filters = filters
        self._set_window(rank, kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint, allow_causal=rank == 1)
        if not isinstance(groups, int) or groups <= 0 or filters % groups:
            raise ValueError(
                f"{owner}: groups must be a positive integer that divides filters={filters}, "
                f"received groups={groups!r}."
            )
        self.groups = groups
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = cu.regularizers.get(kernel_regularizer)
        self.kernel_constraint = cu.constraints.get(kernel_constraint)

    def build(self, input_shape):
        in_ch = self._input_channels(input_shape)
        if in_ch % self.groups:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}): the {in_ch} input channels are not "
                f"divisible by groups={self.groups} (input shape {tuple(input_shape)})."
            )
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (in_ch // self.groups, self.filters),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self._add_bias(self.filters)
        self._lock_channels(in_ch)

    def call(self, inputs):
        x = ops.conv(inputs, self.kernel, self.strides, self.padding, self.data_format,
                     self.dilation_rate, self.groups, self.bias)
        return x if self._linear else self.activation(x)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects inputs with ndim="
                f"{self.rank + 2}, received input shape {tuple(input_shape)}."
            )
        return self._output_shape(input_shape, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(self._window_config())
        config.update({
            "filters": self.filters,
            "groups": self.groups,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": cu.serialize_regularizer(self.kernel_regularizer),
            "kernel_constraint": cu.serialize_constraint(self.kernel_constraint),
        })
        return config
