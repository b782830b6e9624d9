"""EinsumDense: a dense layer whose product is any einsum equation."""

from __future__ import annotations

import math

from lamina import activations, constraints, initializers, regularizers
from lamina.initializers import VarianceScaling
from lamina.layers.core.einsum_shapes import analyze
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.ops import _internal as ops


def _ser(module, obj):
    return None if obj is None else module.serialize(obj)


def _by_axes(initializer, in_axes, out_axes):
    """A VarianceScaling initializer whose fans are the kernel's input / output axes (as Keras 3):
    drawn as a (fan_in, fan_out) matrix, then laid out in the kernel's axis order."""

    def init(shape, dtype=None):
        shape = tuple(shape)
        order = list(in_axes) + list(out_axes)
        fan_in = math.prod(shape[a] for a in in_axes)
        fan_out = math.prod(shape[a] for a in out_axes)
        flat = initializer((fan_in, fan_out), dtype=dtype)
        x = ops.reshape(ops.convert_to_tensor(flat, dtype), tuple(shape[a] for a in order))
        return ops.transpose(x, [order.index(a) for a in range(len(shape))])

    return init


class EinsumDense(Layer):
    """``activation(einsum(equation, inputs, kernel) + bias)``: Dense for any axes.

    The kernel's shape follows from the equation, the input shape and ``output_shape``
    (Keras 3's rules): e.g. ``EinsumDense("abc,cde->abde", output_shape=(None, 4, 8))`` maps
    (batch, seq, 16) to (batch, seq, 4, 8) with a (16, 4, 8) kernel, the projections of
    multi-head attention. Glorot/He/Lecun initializers use the kernel's input axes as fan-in
    and its output axes as fan-out.

    Args:
        equation: 'X,Y->Z', '...X,Y->...Z' or 'X...,Y->Z...' (inputs, kernel -> output).
        output_shape: the output shape without the batch axis (an int for rank 2); None for
            an axis of the input's size.
        activation: None (linear) or an activation.
        bias_axes: letters of the output axes that get a bias (None: no bias).
        kernel_initializer, bias_initializer, kernel/bias/activity regularizers,
        kernel/bias constraints: as Dense.
        lora_rank, lora_alpha, gptq_unpacked_column_size, quantization_config: accepted at
            their defaults (lamina has no LoRA or quantization yet).

    Example:
        >>> import lamina
        >>> layer = lamina.layers.EinsumDense("abc,cd->abd", output_shape=(None, 6), bias_axes="d")
        >>> tuple(layer(lamina.ops.ones((2, 3, 4))).shape), tuple(layer.kernel.shape)
        ((2, 3, 6), (4, 6))
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        if lora_rank or quantization_config or gptq_unpacked_column_size:
            raise NotImplementedError(
                f"EinsumDense: LoRA and quantization (lora_rank={lora_rank!r}, "
                f"quantization_config={quantization_config!r}) are not supported by lamina yet; "
                "leave them unset."
            )
        if not isinstance(equation, str):
            raise TypeError(f"EinsumDense: equation must be a string such as 'ab,bc->ac', "
                            f"received {equation!r}.")
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank = None
        self.lora_alpha = None
        self.quantization_config = None

    def build(self, input_shape):
        kernel_shape, bias_shape, _, in_axes, out_axes = analyze(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.input_spec = InputSpec(ndim=len(input_shape))
        init = self.kernel_initializer
        if isinstance(init, VarianceScaling) and in_axes and out_axes:
            init = _by_axes(init, in_axes, out_axes)
        self.kernel = self.add_weight(shape=tuple(kernel_shape), initializer=init,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        if bias_shape is not None:
            self.bias = self.add_weight(shape=tuple(bias_shape), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        else:
            self.bias = None

    def call(self, inputs):
        x = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(analyze(self.equation, self.bias_axes, input_shape, self.partial_output_shape)[2])

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _ser(regularizers, self.kernel_regularizer),
            "bias_regularizer": _ser(regularizers, self.bias_regularizer),
            "activity_regularizer": _ser(regularizers, self.activity_regularizer),
            "kernel_constraint": _ser(constraints, self.kernel_constraint),
            "bias_constraint": _ser(constraints, self.bias_constraint),
            "quantization_config": None,
        })
        return config
