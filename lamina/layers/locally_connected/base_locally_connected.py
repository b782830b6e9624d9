"""BaseLocallyConnected: what LocallyConnected1D and 2D share (Keras 2's three weight layouts)."""

from __future__ import annotations

import math

import numpy as np

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.locally_connected import connectivity as lc
from lamina import ops


class BaseLocallyConnected(Layer):
    """A convolution whose weights differ at every output position (Keras 2, removed in Keras 3).

    The weights keep the layout Keras 2 used for the chosen ``implementation``, so Keras 2
    HDF5 files load unchanged:

    - 1: kernel ``(output_positions, prod(kernel_size) * channels, filters)``, patches ordered
      (kernel..., channel) for channels_last and (channel, kernel...) for channels_first;
      padding 'valid' only. Computed as one gather of the patches and one batched matmul.
    - 2: kernel ``(*input_spatial, channels, *output_spatial, filters)`` (channels_last) or
      ``(channels, *input_spatial, filters, *output_spatial)`` (channels_first), masked to the
      connected pairs; one dense matmul.
    - 3: kernel ``(connections,)``: the nonzero entries of the (output, input) matrix in
      Keras 2's sorted index order; one dense matmul after a scatter.

    The bias is ``(*output_spatial, filters)``; with channels_first it is *reshaped* (not
    transposed) to ``(filters, *output_spatial)``, as Keras 2's ``bias_add`` did.

    Args:
        rank: 1 or 2. filters, kernel_size, strides, padding ('valid', or 'same' with
        implementation 2 or 3), data_format, activation, use_bias, kernel_initializer,
        bias_initializer, kernel/bias/activity regularizers, kernel/bias constraints: as Conv.
        implementation: 1, 2 or 3 (the weight layout; see above).
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 implementation=1, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        if not cu.is_int(filters) or filters <= 0:
            raise ValueError(f"{owner}: filters must be a positive integer, received filters={filters!r}.")
        if implementation not in (1, 2, 3):
            raise ValueError(
                f"{owner}: implementation must be 1, 2 or 3, received implementation={implementation!r} "
                "(1: one matmul per position, 2: a masked dense kernel, 3: a sparse kernel)."
            )
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = cu.standardize_tuple(strides, rank, "strides", owner)
        self.padding = cu.standardize_padding(padding, owner)
        if self.padding != "valid" and implementation == 1:
            raise ValueError(
                f"{owner}: implementation=1 supports only padding='valid', received padding={padding!r}. "
                "Use implementation=2 or 3 for padding='same'."
            )
        self.data_format = cu.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.implementation = implementation
        self.input_spec = InputSpec(ndim=rank + 2)

    # ------------------------------------------------------------------ shapes
    def _split(self, shape):
        if self.data_format == "channels_first":
            return tuple(shape[2:]), shape[1]
        return tuple(shape[1:-1]), shape[-1]

    def _out_spatial(self, spatial):
        return tuple(None if n is None else lc.output_length(n, k, self.padding, s)
                     for n, k, s in zip(spatial, self.kernel_size, self.strides))

    def compute_output_shape(self, input_shape):
        out = self._out_spatial(self._split(tuple(input_shape))[0])
        if self.data_format == "channels_first":
            return (input_shape[0], self.filters) + out
        return (input_shape[0],) + out + (self.filters,)

    # ------------------------------------------------------------------ build
    def build(self, input_shape):
        spatial, channels = self._split(tuple(input_shape))
        if channels is None or None in spatial:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' needs fully known spatial and channel sizes, "
                f"received input shape {tuple(input_shape)}. Give the model a full input_shape."
            )
        out = self._out_spatial(spatial)
        cu.check_output_positive(self, input_shape, out)
        self._in_spatial, self._channels, self._out = spatial, channels, out
        first = self.data_format == "channels_first"
        if self.implementation == 1:
            shape = (math.prod(out), math.prod(self.kernel_size) * channels, self.filters)
            self._index = lc.patch_indices(spatial, channels, self.kernel_size, self.strides, out,
                                           self.data_format)
        elif self.implementation == 2:
            shape = ((channels,) + spatial + (self.filters,) + out if first
                     else spatial + (channels,) + out + (self.filters,))
            mask = lc.kernel_mask(spatial, self.kernel_size, self.strides, self.padding)
            r = self.rank
            mask = (np.expand_dims(np.expand_dims(mask, 0), r + 1) if first
                    else np.expand_dims(np.expand_dims(mask, r), -1))
            self._mask = mask.astype("float32")
        else:
            self._index = lc.sparse_indices(spatial, channels, self.kernel_size, self.strides,
                                            self.padding, self.filters, self.data_format)
            shape = (len(self._index),)
        self.kernel = self.add_weight(shape=shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=out + (self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        else:
            self.bias = None
        axis = 1 if first else -1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})

    # ------------------------------------------------------------------ call
    def call(self, inputs):
        batch = inputs.shape[0]
        flat = ops.reshape(inputs, (batch, -1))
        first = self.data_format == "channels_first"
        if self.implementation == 1:
            patches = ops.take(flat, ops.convert_to_tensor(self._index), axis=1)  # (b, positions, feat)
            out = ops.einsum("bpf,pfo->bpo", patches, self.kernel)
            out = ops.reshape(out, (batch,) + self._out + (self.filters,))
            if first:
                out = ops.transpose(out, (0, self.rank + 1) + tuple(range(1, self.rank + 1)))
        else:
            n_in = math.prod(self._in_spatial) * self._channels
            n_out = math.prod(self._out) * self.filters
            if self.implementation == 2:
                mask = ops.convert_to_tensor(self._mask, dtype=self.kernel.dtype)
                w = ops.reshape(self.kernel * mask, (n_in, n_out))
            else:
                idx = ops.convert_to_tensor(self._index)
                w = ops.transpose(ops.scatter(idx, self.kernel, (n_out, n_in)))
            out = ops.matmul(flat, w)
            shape = ((self.filters,) + self._out) if first else (self._out + (self.filters,))
            out = ops.reshape(out, (batch,) + shape)
        if self.bias is not None:
            # Keras 2's bias_add: a (*spatial, filters) bias reshaped (not transposed) for channels_first
            b = ops.reshape(self.bias, ((self.filters,) + self._out) if first else (self._out + (self.filters,)))
            out = out + b
        return self.activation(out)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": cu.serialize_regularizer(self.kernel_regularizer),
            "bias_regularizer": cu.serialize_regularizer(self.bias_regularizer),
            "activity_regularizer": cu.serialize_regularizer(self.activity_regularizer),
            "kernel_constraint": cu.serialize_constraint(self.kernel_constraint),
            "bias_constraint": cu.serialize_constraint(self.bias_constraint),
            "implementation": self.implementation,
        })
        return config
