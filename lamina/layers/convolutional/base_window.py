"""BaseWindowConv: what every convolution layer shares (the sliding-window arguments, activation,
bias, channel checks, output-shape arithmetic and their config keys)."""

from __future__ import annotations

from lamina import activations, initializers
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BaseWindowConv(Layer):
    """Base of BaseConv, BaseConvTranspose, BaseDepthwiseConv and BaseSeparableConv.

    Subclasses call ``_set_window`` from their constructor, ``_input_channels`` /
    ``_add_bias`` / ``_lock_channels`` from ``build``, ``_output_shape`` from
    ``compute_output_shape`` and merge ``_window_config()`` into their config.
    """

    _legacy_kwargs = dict(cu.LEGACY_DIM_ORDERING)

    def _set_window(self, rank, kernel_size, strides, padding, data_format, dilation_rate, activation,
                    use_bias, bias_initializer, bias_regularizer, bias_constraint, allow_causal):
        owner = type(self).__name__
        self.rank = rank
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = cu.standardize_tuple(strides, rank, "strides", owner)
        self.padding = cu.standardize_padding(padding, owner, allow_causal=allow_causal)
        self.data_format = cu.standardize_data_format(data_format)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = cu.regularizers.get(bias_regularizer)
        self.bias_constraint = cu.constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _linear(self) -> bool:  # read per call: a changed `activation` attribute counts
        return self.activation is activations.linear

    def _positive_int(self, value, name):
        if not cu.is_int(value) or value <= 0:
            raise ValueError(
                f"{type(self).__name__}: {name} must be a positive integer, received {name}={value!r}."
            )
        return int(value)

    # ------------------------------------------------------------------ build helpers
    def _input_channels(self, input_shape):
        ch = input_shape[cu.channel_axis(self.data_format)]
        if ch is None:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) needs a known channel dimension, "
                f"received input shape {tuple(input_shape)} with data_format='{self.data_format}'. "
                "Give the model an input_shape, or check data_format."
            )
        return ch

    def _add_bias(self, size):
        self.bias = (self.add_weight(shape=(size,), initializer=self.bias_initializer,
                                     regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                     name="bias")
                     if self.use_bias else None)

    def _lock_channels(self, channels):
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={cu.channel_axis(self.data_format): channels})

    # ------------------------------------------------------------------ shapes & config
    def _output_shape(self, input_shape, channels, spatial=None):
        """(batch, *spatial, channels) in the layer's data_format; ``spatial`` defaults to the
        convolution rule (checked to be positive)."""
        input_shape = tuple(input_shape)
        if spatial is None:
            axes = cu.spatial_axes(self.rank, self.data_format)
            spatial = [cu.conv_output_length(input_shape[a], k, self.padding, s, d)
                       for a, k, s, d in zip(axes, self.kernel_size, self.strides, self.dilation_rate)]
            cu.check_output_positive(self, input_shape, spatial)
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, channels)
        return (input_shape[0], channels, *spatial)

    def _window_config(self) -> dict:
        return {
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "bias_regularizer": cu.serialize_regularizer(self.bias_regularizer),
            "activity_regularizer": cu.serialize_regularizer(self.activity_regularizer),
            "bias_constraint": cu.serialize_constraint(self.bias_constraint),
        }
