"""Helpers shared by the normalization layers."""

from __future__ import annotations


def check_axes(layer, axes, input_shape):
    """Raise a ValueError naming the layer if an axis is out of range for ``input_shape``."""
    nd = len(input_shape)
    bad = [a for a in axes if not -nd <= a < nd]
    if bad:
        raise ValueError(
            f"{type(layer).__name__} layer '{layer.name}': axis {bad[0]} is out of bounds for input "
            f"shape {tuple(input_shape)} (rank {nd}). Received axis={layer.axis!r}; use an axis in "
            f"[{-nd}, {nd - 1}]."
        )


def normalize_axes(axes, ndim):
    """Sorted non-negative axes."""
    return sorted(a % ndim for a in axes)


def ser(module, obj):
    return None if obj is None else module.serialize(obj)


def init_affine(layer, center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                gamma_regularizer, beta_constraint, gamma_constraint):
    """Store the settings of the learned scale (gamma) and shift (beta), resolved from Keras specs."""
    from lamina import constraints, initializers, regularizers

    layer.center = bool(center)
    layer.scale = bool(scale)
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def build_affine(layer, shape, scale, center):
    """Create ``layer.gamma`` then ``layer.beta`` (Keras's order) of ``shape``, or set them None."""
    for name, wanted in (("gamma", scale), ("beta", center)):
        weight = None
        if wanted:
            weight = layer.add_weight(shape=shape, initializer=getattr(layer, f"{name}_initializer"),
                                      regularizer=getattr(layer, f"{name}_regularizer"),
                                      constraint=getattr(layer, f"{name}_constraint"), name=name)
        setattr(layer, name, weight)


def affine_config(layer) -> dict:
    """The config keys of the scale/shift settings."""
    from lamina import constraints, initializers, regularizers

    return {
        "center": layer.center,
        "scale": layer.scale,
        "beta_initializer": initializers.serialize(layer.beta_initializer),
        "gamma_initializer": initializers.serialize(layer.gamma_initializer),
        "beta_regularizer": ser(regularizers, layer.beta_regularizer),
        "gamma_regularizer": ser(regularizers, layer.gamma_regularizer),
        "beta_constraint": ser(constraints, layer.beta_constraint),
        "gamma_constraint": ser(constraints, layer.gamma_constraint),
    }
