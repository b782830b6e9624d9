"""LayerNormalization: normalise each sample over its feature axes."""

from __future__ import annotations

import warnings

from lamina.ops import _internal as ops
from lamina.errors import LaminaDeprecationWarning
from lamina.layers.layer import Layer
from lamina.layers.normalization._common import (
    affine_config,
    build_affine,
    check_axes,
    init_affine,
    normalize_axes,
)


class LayerNormalization(Layer):
    """Normalises each sample to zero mean and unit variance over ``axis``, then scales by
    ``gamma`` and shifts by ``beta`` (per feature). No statistics are kept between calls.

    Equivalent to ``torch.nn.LayerNorm`` over the trailing axes, with Keras's default
    ``epsilon=1e-3`` (torch: 1e-5). Weights: ``gamma``, ``beta``, each of the normalised axes'
    shape.

    Args:
        axis: an integer or a list of integers: the axes to normalise over (-1 by default).
        epsilon: added to the variance before the square root.
        center, scale: whether to learn ``beta`` / ``gamma``.
        rms_scaling: deprecated Keras option: divide by sqrt(variance + epsilon) without
            centering (not a true RMS norm; use ``RMSNormalization`` for that).
        beta_initializer, gamma_initializer: 'zeros' and 'ones' by default.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as in Keras.

    Input shape: any; output shape: the same.

    Example:
        >>> import lamina
        >>> ln = lamina.layers.LayerNormalization(epsilon=0.0)
        >>> ln(lamina.ops.convert_to_tensor([[1.0, 3.0]])).tolist()
        [[-1.0, 1.0]]
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = list(axis)
        elif isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                f"LayerNormalization: axis must be an integer or a list of integers, received "
                f"axis={axis!r}."
            )
        if rms_scaling:
            warnings.warn(
                "LayerNormalization(rms_scaling=True) is deprecated in Keras 3: it divides by the "
                "standard deviation, not the root mean square. Use RMSNormalization() for RMS "
                "normalisation.", LaminaDeprecationWarning, stacklevel=3)
        self.axis = axis
        self.epsilon = float(epsilon)
        self.rms_scaling = bool(rms_scaling)
        init_affine(self, center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                    gamma_regularizer, beta_constraint, gamma_constraint)
        self.supports_masking = True

    def _axes_list(self):
        return self.axis if isinstance(self.axis, list) else [self.axis]

    def build(self, input_shape):
        axes = self._axes_list()
        check_axes(self, axes, input_shape)
        self._axes = normalize_axes(axes, len(input_shape))
        shape = tuple(input_shape[a] for a in self._axes)
        if None in shape:
            raise ValueError(
                f"LayerNormalization layer '{self.name}' needs known sizes on axes {self.axis}, "
                f"received input shape {tuple(input_shape)}."
            )
        build_affine(self, shape, scale=self.scale or self.rms_scaling,
                     center=self.center and not self.rms_scaling)

    def call(self, inputs):
        if self.rms_scaling:
            return ops.variance_scaling_norm(inputs, self.gamma, self._axes, self.epsilon)
        return ops.layer_norm(inputs, self.gamma, self.beta, self._axes, self.epsilon)

    def compute_output_shape(self, input_shape):
        check_axes(self, self._axes_list(), input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "epsilon": self.epsilon,
            **affine_config(self),
            "rms_scaling": self.rms_scaling,
        })
        return config
