"""InputSpec: what a layer accepts, checked with a message that names the fix."""

from __future__ import annotations

from lamina.errors import ShapeError


class InputSpec:
    """Constraints on one input of a layer: ndim, min_ndim, max_ndim, axes {axis: size}, shape.

    ``allow_last_axis_squeeze=True`` also accepts inputs of rank ndim + 1 whose last axis is 1,
    and of rank ndim - 1 when the spec's last axis is 1 (Keras's rule).
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = bool(allow_last_axis_squeeze)
        self.name = name
        self.optional = optional

    def get_config(self) -> dict:
        """Keras 3's keys; ``allow_last_axis_squeeze`` and ``name`` only when set (Keras drops them)."""
        config = {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                  "min_ndim": self.min_ndim, "axes": self.axes, "optional": self.optional}
        if self.allow_last_axis_squeeze:
            config["allow_last_axis_squeeze"] = True
        if self.name is not None:
            config["name"] = self.name
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        parts = [f"{k}={v}" for k, v in (("ndim", self.ndim), ("min_ndim", self.min_ndim),
                 ("max_ndim", self.max_ndim), ("axes", self.axes or None), ("shape", self.shape)) if v]
        return f"InputSpec({', '.join(parts)})"


def check_input(layer, spec_or_specs, shapes) -> None:
    """Raise ShapeError if ``shapes`` (one shape or a list of shapes) break the layer's spec."""
    if spec_or_specs is None:
        return
    specs = spec_or_specs if isinstance(spec_or_specs, (list, tuple)) else [spec_or_specs]
    if len(specs) == 1 and not (shapes and isinstance(shapes[0], (list, tuple))):
        shapes = [shapes]
    for i, (spec, shape) in enumerate(zip(specs, shapes)):
        if spec is None or shape is None:
            continue
        problem = _problem(spec, tuple(shape))
        if problem:
            raise ShapeError(
                f'Input {i} of layer "{layer.name}" ({type(layer).__name__}) is incompatible with the '
                f"layer: {problem}, but received input with shape {format_shape(shape)}. "
                f"{_fix(layer, spec)}"
            )


def _problem(spec, shape):
    nd = len(shape)
    if spec.ndim is not None and nd != spec.ndim and not spec.allow_last_axis_squeeze:
        return f"expected ndim={spec.ndim}, found ndim={nd}"
    if spec.min_ndim is not None and nd < spec.min_ndim:
        return f"expected min_ndim={spec.min_ndim}, found ndim={nd}"
    if spec.max_ndim is not None and nd > spec.max_ndim:
        return f"expected max_ndim={spec.max_ndim}, found ndim={nd}"
    for axis, size in spec.axes.items():
        if size is None:
            continue
        a = axis if axis >= 0 else nd + axis
        if 0 <= a < nd and shape[a] is not None and shape[a] != size:
            return f"expected axis {axis} of input shape to have value {size}"
    if spec.shape is not None:
        wanted = spec.shape
        if spec.allow_last_axis_squeeze:
            shape = shape[:-1] if shape and shape[-1] == 1 else shape
            wanted = wanted[:-1] if wanted and wanted[-1] == 1 else wanted
        for want, got in zip(wanted, shape):
            if want is not None and got is not None and want != got:
                return f"expected shape={format_shape(spec.shape)}"
    return None


def format_shape(shape) -> str:
    """A shape as Keras prints it: ``(None, 3)``, ``(5,)``."""
    shape = tuple(shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _fix(layer, spec):
    if spec.axes:
        return ("Fix: make the data's feature size match what the layer was built for, or rebuild "
                "the model with the right input_shape.")
    if spec.ndim is not None or spec.min_ndim is not None:
        return ("Fix: reshape the data (e.g. add a channels axis with x[..., None], or use a "
                "Flatten/Reshape layer before this one) so it has the rank the layer expects.")
    return "Fix: pass data of the expected shape."
