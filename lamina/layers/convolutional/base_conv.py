"""BaseConv: what Conv1D, Conv2D and Conv3D share (Keras arguments, kernel layout, output shape)."""

from __future__ import annotations

from lamina import activations, initializers, ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BaseConv(Layer):
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

    _legacy_kwargs = dict(cu.LEGACY_DIM_ORDERING)
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
        self.rank = rank
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(
                f"{owner}: filters must be a positive integer, received filters={filters!r}. "
                f"Example: {owner}(32, {(3,) * rank if rank > 1 else 3})."
            )
        if kernel_size is None:
            raise TypeError(
                f"{owner} is missing its kernel_size. Example: {owner}({filters}, "
                f"{(3,) * rank if rank > 1 else 3})."
            )
        self.filters = filters
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = cu.standardize_tuple(strides, rank, "strides", owner)
        self.padding = cu.standardize_padding(padding, owner, allow_causal=rank == 1)
        self.data_format = cu.standardize_data_format(data_format)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        if not isinstance(groups, int) or groups <= 0 or filters % groups:
            raise ValueError(
                f"{owner}: groups must be a positive integer that divides filters={filters}, "
                f"received groups={groups!r}."
            )
        self.groups = groups
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = cu.regularizers.get(kernel_regularizer)
        self.bias_regularizer = cu.regularizers.get(bias_regularizer)
        self.kernel_constraint = cu.constraints.get(kernel_constraint)
        self.bias_constraint = cu.constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)
        self._linear = self.activation is activations.linear

    # ------------------------------------------------------------------ build & call
    def _input_channels(self, input_shape):
        ch = input_shape[cu.channel_axis(self.data_format)]
        if ch is None:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) needs a known channel dimension, "
                f"received input shape {tuple(input_shape)} with data_format='{self.data_format}'. "
                "Give the model an input_shape, or check data_format."
            )
        return ch

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
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={cu.channel_axis(self.data_format): in_ch})

    def call(self, inputs):
        x = ops.conv(inputs, self.kernel, self.strides, self.padding, self.data_format,
                     self.dilation_rate, self.groups, self.bias)
        return x if self._linear else self.activation(x)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        axes = cu.spatial_axes(self.rank, self.data_format)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects inputs with ndim="
                f"{self.rank + 2}, received input shape {input_shape}."
            )
        spatial = [cu.conv_output_length(input_shape[a], k, self.padding, s, d)
                   for a, k, s, d in zip(axes, self.kernel_size, self.strides, self.dilation_rate)]
        cu.check_output_positive(self, input_shape, spatial)
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, self.filters)
        return (input_shape[0], self.filters, *spatial)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": cu.serialize_regularizer(self.kernel_regularizer),
            "bias_regularizer": cu.serialize_regularizer(self.bias_regularizer),
            "activity_regularizer": cu.serialize_regularizer(self.activity_regularizer),
            "kernel_constraint": cu.serialize_constraint(self.kernel_constraint),
            "bias_constraint": cu.serialize_constraint(self.bias_constraint),
        })
        return config
