"""Dense: y = activation(x @ kernel + bias)."""

from __future__ import annotations

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.output_checks import warn_if_softmax_over_one
from lamina.ops import _internal as ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class Dense(Layer):
    """A densely connected layer: ``activation(dot(x, kernel) + bias)``.

    The kernel has shape (input_dim, units), as in Keras. Inputs of rank > 2 are multiplied on
    their last axis.

    Args:
        units: the output size (Keras 1: ``output_dim``).
        activation: name or callable; None means linear.
        use_bias: whether to add a bias (Keras 1: ``bias``).
        kernel_initializer, bias_initializer: 'glorot_uniform' and 'zeros' by default
            (Keras 1: ``init``).
        kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: as in Keras (Keras 1: ``W_regularizer`` ...).

    Input shape: (batch, ..., input_dim). Output shape: (batch, ..., units).

    Example:
        >>> import lamina
        >>> layer = lamina.layers.Dense(3)
        >>> layer(lamina.ops.ones((2, 4))).shape
        torch.Size([2, 3])
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"Dense: units must be a positive integer, received units={units!r}. "
                "Example: Dense(64)."
            )
        if lora_rank or lora_alpha or quantization_config:
            raise NotImplementedError(
                f"Dense layer: LoRA and quantization (lora_rank={lora_rank!r}, "
                f"quantization_config={quantization_config!r}) are not supported by lamina yet; "
                "leave them unset."
            )
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    @property
    def _linear(self) -> bool:  # read per call: a changed `activation` attribute counts
        return self.activation is activations.linear

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Dense layer '{self.name}' needs a known last input dimension, received input "
                f"shape {tuple(input_shape)}. Give the model an input_shape."
            )
        warn_if_softmax_over_one(self, self.activation, self.units)
        self.kernel = self.add_weight(shape=(input_dim, self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs):
        if self.bias is not None and inputs.ndim == 2:
            x = ops.addmm(self.bias, inputs, self.kernel)
        else:
            x = ops.matmul(inputs, self.kernel)
            if self.bias is not None:
                x = x + self.bias
        return x if self._linear else self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _ser(regularizers, self.kernel_regularizer),
            "bias_regularizer": _ser(regularizers, self.bias_regularizer),
            "kernel_constraint": _ser(constraints, self.kernel_constraint),
            "bias_constraint": _ser(constraints, self.bias_constraint),
            "quantization_config": None,
        })
        return config


def _ser(module, obj):
    return None if obj is None else module.serialize(obj)
