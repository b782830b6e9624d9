"""Reshape and Permute: rearrange the non-batch dimensions."""

from __future__ import annotations

import math

from lamina import ops
from lamina.layers.layer import Layer


class Reshape(Layer):
    """Reshapes the input (batch excluded) to ``target_shape``; one entry may be -1.

    Example:
        >>> import lamina
        >>> lamina.layers.Reshape((3, 2))(lamina.ops.ones((4, 6))).shape
        torch.Size([4, 3, 2])
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(f"Reshape: at most one -1 is allowed in target_shape, received {self.target_shape}.")

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if any(d is None for d in rest):
                return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
            total = math.prod(rest)
            if total % known:
                raise ValueError(self._msg(input_shape))
            return (input_shape[0],) + tuple(total // known if d == -1 else d for d in self.target_shape)
        if not any(d is None for d in rest) and math.prod(rest) != known:
            raise ValueError(self._msg(input_shape))
        return (input_shape[0],) + self.target_shape

    def _msg(self, input_shape):
        return (f"Reshape layer '{self.name}': cannot reshape input of shape {tuple(input_shape)} "
                f"({math.prod(input_shape[1:])} values per sample) to target_shape {self.target_shape}. "
                "The number of values must stay the same.")

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


class Permute(Layer):
    """Permutes the non-batch dimensions; ``dims`` is 1-indexed, e.g. (2, 1) swaps them."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Permute: dims must be a permutation of 1..{len(self.dims)} (1-indexed, batch "
                f"excluded), received {self.dims}."
            )

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config
