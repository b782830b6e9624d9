"""PReLU: leaky ReLU with a learned slope per element (or per shared axes)."""

from __future__ import annotations

from lamina import constraints, initializers, regularizers
from lamina.ops import _internal as ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class PReLU(Layer):
    """``f(x) = x if x > 0 else alpha * x`` with a learned ``alpha``.

    ``alpha`` has the input's shape without the batch axis; axes listed in ``shared_axes`` get
    size 1 (one slope shared along them). For images (batch, h, w, channels),
    ``shared_axes=[1, 2]`` gives one slope per channel, like ``torch.nn.PReLU(channels)``.

    Args:
        alpha_initializer: 'zeros' by default (Keras 1: ``init``).
        alpha_regularizer, alpha_constraint: as in Keras.
        shared_axes: an axis or list of axes (1-based: 0 is the batch) sharing one slope.

    Example:
        >>> import lamina
        >>> layer = lamina.layers.PReLU(alpha_initializer=lamina.initializers.Constant(0.25))
        >>> layer(lamina.ops.convert_to_tensor([[-4.0, 2.0]])).tolist()
        [[-1.0, 2.0]]
    """

    _legacy_kwargs = {"init": ("alpha_initializer", None)}

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]
        self.supports_masking = True

    def build(self, input_shape):
        nd = len(input_shape)
        shared = set()
        for a in self.shared_axes or ():
            if not 1 <= a < nd:
                raise ValueError(
                    f"PReLU layer '{self.name}': shared_axes entries must be in [1, {nd - 1}] for "
                    f"input shape {tuple(input_shape)} (axis 0 is the batch), received "
                    f"shared_axes={self.shared_axes}."
                )
            shared.add(a)
        shape = tuple(1 if i in shared else input_shape[i] for i in range(1, nd))
        if None in shape:
            raise ValueError(
                f"PReLU layer '{self.name}' needs known sizes for its non-shared axes, received input "
                f"shape {tuple(input_shape)}. Share the variable-length axes, e.g. shared_axes=[1]."
            )
        self.alpha = self.add_weight(shape=shape, initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint, name="alpha")
        axes = {i: input_shape[i] for i in range(1, nd) if i not in shared}
        self.input_spec = InputSpec(ndim=nd, axes=axes)

    def call(self, inputs):
        return ops.prelu(inputs, self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config
