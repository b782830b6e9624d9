"""Keras 1/2 module path `keras.layers.merge`: a deprecated spelling of `lamina.layers`.

Also holds Keras 1's ``merge(inputs, mode=...)`` function, mapped onto the modern merging
layers with a deprecation warning, and a ``Merge`` that explains what replaced it.
"""

from lamina.errors import deprecated
from lamina.layers.legacy_paths import module_getattr

__getattr__ = module_getattr("lamina.layers.merge")

_MODES = {
    "sum": "add", "mul": "multiply", "ave": "average", "max": "maximum", "concat": "concatenate",
    "dot": "dot", "cos": "dot",
}


def merge(inputs, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
          arguments=None, node_indices=None, tensor_indices=None, name=None):
    """Keras 1's functional merge. Deprecated: use ``lamina.layers.add / multiply / average /
    maximum / concatenate / dot``.

    Args:
        inputs: a list of tensors.
        mode: 'sum', 'mul', 'ave', 'max', 'concat', 'dot' or 'cos' (dot of L2-normalised
            inputs).
        concat_axis: the axis for mode='concat'.
        dot_axes: the axes for mode='dot' / 'cos'.
        name: the layer's name.
    """
    import lamina.layers as layers

    if callable(mode) or mode not in _MODES:
        from lamina.errors import unknown_identifier

        if callable(mode):
            raise ValueError(
                "merge(mode=<function>) is a Keras 1 feature that no longer exists. Use "
                "lamina.layers.Lambda(lambda xs: ...)(inputs) to combine tensors with your own function."
            )
        raise unknown_identifier("merge mode", mode, _MODES)
    unsupported = {k: v for k, v in (("output_shape", output_shape), ("output_mask", output_mask),
                                     ("arguments", arguments), ("node_indices", node_indices),
                                     ("tensor_indices", tensor_indices)) if v is not None}
    if unsupported:
        raise ValueError(
            f"merge(): the Keras 1 arguments {sorted(unsupported)} are not supported. Use "
            f"lamina.layers.{_MODES[mode]}(...) directly."
        )
    fn = _MODES[mode]
    kwargs = {} if name is None else {"name": name}
    if mode == "concat":
        deprecated(f"merge(inputs, mode='concat', concat_axis={concat_axis})",
                   f"lamina.layers.concatenate(inputs, axis={concat_axis})")
        return layers.concatenate(inputs, axis=concat_axis, **kwargs)
    if mode in ("dot", "cos"):
        normalize = mode == "cos"
        deprecated(f"merge(inputs, mode='{mode}', dot_axes={dot_axes})",
                   f"lamina.layers.dot(inputs, axes={dot_axes}{', normalize=True' if normalize else ''})")
        return layers.dot(inputs, axes=dot_axes, normalize=normalize, **kwargs)
    deprecated(f"merge(inputs, mode='{mode}')", f"lamina.layers.{fn}(inputs)")
    return getattr(layers, fn)(inputs, **kwargs)


def Merge(*args, **kwargs):  # noqa: N802  (the Keras 1 class name)
    """Keras 1's ``Merge`` layer (merging Sequential models) no longer exists."""
    raise TypeError(
        "Merge([...], mode=...) is a Keras 1 layer that merged Sequential models; it no longer "
        "exists. Build a functional model instead: outputs = lamina.layers.concatenate([model_a.output, "
        "model_b.output]) (or add / multiply / average / maximum / dot), then "
        "lamina.Model(inputs=[model_a.input, model_b.input], outputs=...)."
    )
