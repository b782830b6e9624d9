"""The projection sub-layers of MultiHeadAttention (Keras uses EinsumDense for them)."""

from __future__ import annotations

import math

from lamina import activations, constraints, initializers, regularizers
from lamina.ops import _internal as ops
from lamina.layers.layer import Layer


class HeadProjection(Layer):
    """Contracts the last ``in_axes`` axes of the input with the first axes of ``kernel``:
    ``y[..., out_dims] = x[..., in_dims] . kernel[in_dims, out_dims] + bias[out_dims]``.

    MultiHeadAttention's query/key/value projections have kernels (features, heads, key_dim)
    and biases (heads, key_dim); its output projection has a kernel (heads, value_dim,
    features) and a bias (features,): the shapes Keras's EinsumDense sub-layers use. The work
    is one matrix multiply on flattened views.
    """

    def __init__(self, in_axes, out_dims, use_bias=True, activation=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.in_axes = int(in_axes)
        self.out_dims = tuple(int(d) for d in out_dims)
        self.use_bias = use_bias
        self.activation = activations.get(activation) if activation is not None else None
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        in_dims = tuple(input_shape[len(input_shape) - self.in_axes:])
        if None in in_dims:
            raise ValueError(
                f"Layer '{self.name}' needs known sizes on its last {self.in_axes} input axes, "
                f"received input shape {tuple(input_shape)}."
            )
        self.kernel = self.add_weight(shape=in_dims + self.out_dims, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.bias = self.add_weight(shape=self.out_dims, initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                    name="bias") if self.use_bias else None
        self._k_in = math.prod(in_dims)
        self._k_out = math.prod(self.out_dims)

    def call(self, inputs):
        lead = tuple(inputs.shape[: inputs.ndim - self.in_axes])
        x = ops.reshape(inputs, (-1, self._k_in))
        w = ops.reshape(self.kernel, (self._k_in, self._k_out))
        if self.bias is not None:
            y = ops.addmm(ops.reshape(self.bias, (self._k_out,)), x, w)
        else:
            y = ops.matmul(x, w)
        y = ops.reshape(y, lead + self.out_dims)
        return y if self.activation is None else self.activation(y)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[: len(input_shape) - self.in_axes]) + self.out_dims

    def get_config(self):
        config = super().get_config()
        config.update({
            "in_axes": self.in_axes,
            "out_dims": list(self.out_dims),
            "use_bias": self.use_bias,
            "activation": None if self.activation is None else activations.serialize(self.activation),
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return config
