"""GroupNormalization: normalise groups of features within each sample."""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.normalization._common import affine_config, build_affine, check_axes, init_affine


class GroupNormalization(Layer):
    """Splits the features (``axis``) into ``groups`` groups and normalises each group of each
    sample over the group's features and all other non-batch axes; then applies a per-feature
    ``gamma`` and ``beta``.

    ``groups=1`` normalises over everything but the batch (like LayerNormalization over all
    axes); ``groups=-1`` (one group per feature) is instance normalisation. Same numbers as
    ``torch.nn.GroupNorm`` on channels_first data, with Keras's default ``epsilon=1e-3``.

    Args:
        groups: number of groups; must divide the number of features (-1: one per feature).
        axis: the features axis (-1: channels_last).
        epsilon: added to the variance before the square root.
        center, scale: whether to learn ``beta`` / ``gamma``.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: as in Keras.

    Input shape: (batch, ..., features); output shape: the same.

    Example:
        >>> import lamina
        >>> gn = lamina.layers.GroupNormalization(groups=2, epsilon=0.0)
        >>> gn(lamina.ops.convert_to_tensor([[1.0, 3.0, 10.0, 30.0]])).tolist()
        [[-1.0, 1.0, -1.0, 1.0]]
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(
                f"GroupNormalization: groups must be a positive integer (or -1 for instance "
                f"normalization), received groups={groups!r}."
            )
        super().__init__(**kwargs)
        self.groups = groups
        self.axis = axis
        self.epsilon = float(epsilon)
        init_affine(self, center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                    gamma_regularizer, beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        check_axes(self, [self.axis], input_shape)
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"GroupNormalization layer '{self.name}' needs a known size on axis {self.axis}, "
                f"received input shape {tuple(input_shape)}."
            )
        groups = dim if self.groups == -1 else self.groups
        if dim < groups or dim % groups:
            raise ValueError(
                f"GroupNormalization layer '{self.name}': groups={groups} must divide the number of "
                f"features {dim} (axis {self.axis} of input shape {tuple(input_shape)}). Choose "
                f"groups among the divisors of {dim}, e.g. "
                f"{[g for g in range(1, dim + 1) if dim % g == 0][-3:]}."
            )
        self._groups = groups
        build_affine(self, (dim,), scale=self.scale, center=self.center)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})

    def call(self, inputs):
        return ops.group_norm(inputs, self._groups, self.gamma, self.beta, self.axis, self.epsilon)

    def compute_output_shape(self, input_shape):
        check_axes(self, [self.axis], input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            **affine_config(self),
        })
        return config
