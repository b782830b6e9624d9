"""Concatenate: join a list of inputs along one axis."""

from __future__ import annotations

from lamina import ops
from lamina.layers.merging.base_merge import Merge, _fmt, input_masks


class Concatenate(Merge):
    """Concatenates a list of inputs along ``axis``; all other axes must match.

    Masks: when some inputs carry a (timestep) mask, unmasked inputs count as all-valid and the
    masks are joined like the values (along a time axis) or OR-ed (along the feature axis).

    Args:
        axis: the axis to join along (-1 by default).

    Example:
        >>> import lamina
        >>> x1, x2 = lamina.ops.ones((2, 3)), lamina.ops.zeros((2, 1))
        >>> lamina.layers.Concatenate()([x1, x2]).shape
        torch.Size([2, 4])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _usage(self):
        return "Concatenate(axis=-1)([x1, x2])"

    def _merged_shape(self, shapes):
        self._check_list(shapes)
        shapes = [tuple(s) for s in shapes]
        self._check_batch(shapes)
        ranks = {len(s) for s in shapes}
        problem = None
        if len(ranks) > 1:
            problem = "they have different ranks"
        else:
            nd = ranks.pop()
            if not -nd <= self.axis < nd:
                problem = f"axis {self.axis} is out of range for rank {nd}"
            else:
                ax = self.axis % nd
                for d in range(nd):
                    sizes = {s[d] for s in shapes} - {None}
                    if d != ax and len(sizes) > 1:
                        problem = f"they differ on axis {d}"
                        break
        if problem:
            raise ValueError(
                f"Concatenate layer '{self.name}' (axis={self.axis}) needs inputs whose shapes match "
                f"except on the concatenation axis, but {problem}: received shapes "
                f"{', '.join(_fmt(s) for s in shapes)}. Fix: choose the axis to join along "
                "(Concatenate(axis=...)) or reshape the inputs so the other axes agree."
            )
        out = list(shapes[0])
        for d in range(len(out)):
            if d == self.axis % len(out):
                sizes = [s[d] for s in shapes]
                out[d] = None if None in sizes else sum(sizes)
            else:
                known = [s[d] for s in shapes if s[d] is not None]
                out[d] = known[0] if known else None
        return tuple(out)

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            self._check_list(tuple(inputs.shape))
        try:
            return ops.concatenate(list(inputs), axis=self.axis)
        except RuntimeError:
            self._merged_shape([tuple(x.shape) for x in inputs])
            raise

    def compute_mask(self, inputs, mask=None):
        masks = input_masks(inputs, mask)
        if masks is None:
            return None
        full = []
        for x, m in zip(inputs, masks):
            if m is None:
                full.append(ops.ones_like(x, dtype="bool"))
            elif m.ndim < x.ndim:
                full.append(ops.broadcast_to(ops.expand_dims(m, -1), tuple(x.shape)))
            else:
                full.append(m)
        return ops.any(ops.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of ``Concatenate``: ``lamina.layers.concatenate([x1, x2], axis=-1)``.

    Args:
        inputs: a list of tensors (symbolic or concrete).
        axis: the axis to join along.
        **kwargs: layer arguments (e.g. ``name``).
    """
    return Concatenate(axis=axis, **kwargs)(inputs)
