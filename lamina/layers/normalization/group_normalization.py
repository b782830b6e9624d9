"""GroupNormalization: normalise groups of features within each sample."""

from __future__ import annotations

from lamina import constraints, initializers, ops, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.normalization._common import check_axes, ser


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
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
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
        if self.scale:
            self.gamma = self.add_weight(
                shape=(dim,),
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                name="gamma")
        else:
            self.gamma = None
        if self.center:
            self.beta = self.add_weight(
                shape=(dim,),
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                name="beta")
        else:
            self.beta = None
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
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": ser(regularizers, self.beta_regularizer),
            "gamma_regularizer": ser(regularizers, self.gamma_regularizer),
            "beta_constraint": ser(constraints, self.beta_constraint),
            "gamma_constraint": ser(constraints, self.gamma_constraint),
        })
        return config
