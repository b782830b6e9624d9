"""Dot: per-sample dot product of two inputs along given axes."""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.layers.merging.base_merge import Merge, _fmt

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class Dot(Merge):
    """Per-sample dot product (Keras's ``batch_dot``) of two inputs: contracts ``axes[0]`` of
    the first with ``axes[1]`` of the second; the batch axis is kept. The output has the first
    input's remaining axes, then the second's; a result with no axis besides the batch gets a
    trailing axis of size 1 ((batch, 1)).

    Args:
        axes: an integer (the same axis in both inputs) or a pair of integers. Axis 0 is the
            batch and cannot be contracted.
        normalize: L2-normalise both inputs along the contracted axes first, giving cosine
            similarities.

    Example:
        >>> import lamina
        >>> x1 = lamina.ops.convert_to_tensor([[1.0, 2.0]])
        >>> x2 = lamina.ops.convert_to_tensor([[3.0, 4.0]])
        >>> lamina.layers.Dot(axes=1)([x1, x2]).tolist()
        [[11.0]]
    """

    _n_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError(
                    f"Dot: axes must be an integer or a pair of integers, received axes={axes!r}. "
                    "Example: Dot(axes=(1, 2))."
                )
            axes = list(axes)
        elif isinstance(axes, bool) or not isinstance(axes, int):
            raise TypeError(f"Dot: axes must be an integer or a pair of integers, received axes={axes!r}.")
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _usage(self):
        return "Dot(axes=1)([x1, x2])"

    def _axes(self, nd1, nd2):
        a = self.axes if isinstance(self.axes, list) else [self.axes, self.axes]
        return [a[0] % nd1 if a[0] < 0 else a[0], a[1] % nd2 if a[1] < 0 else a[1]]

    def _merged_shape(self, shapes):
        self._check_list(shapes)
        shapes = [tuple(s) for s in shapes]
        self._check_batch(shapes)
        s1, s2 = shapes
        a1, a2 = self._axes(len(s1), len(s2))
        problem = None
        if len(s1) < 2 or len(s2) < 2:
            problem = "both inputs need a batch axis and at least one more"
        elif not (0 < a1 < len(s1) and 0 < a2 < len(s2)):
            problem = (f"axes {self.axes} resolve to ({a1}, {a2}), outside the non-batch axes "
                       f"(axis 0 is the batch)")
        elif s1[a1] is not None and s2[a2] is not None and s1[a1] != s2[a2]:
            problem = f"the contracted sizes differ: {s1[a1]} (axis {a1}) != {s2[a2]} (axis {a2})"
        if problem:
            raise ValueError(
                f"Dot layer '{self.name}' (axes={self.axes}) cannot combine inputs of shapes "
                f"{_fmt(s1)} and {_fmt(s2)}: {problem}. Fix: choose axes whose sizes match, "
                "e.g. Dot(axes=(1, 1))."
            )
        out = [s1[0] if s1[0] is not None else s2[0]]
        out += [d for i, d in enumerate(s1) if i not in (0, a1)]
        out += [d for i, d in enumerate(s2) if i not in (0, a2)]
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            self._check_list(tuple(inputs.shape))
        if len(inputs) != 2:
            self._check_list([tuple(x.shape) for x in inputs])
        x1, x2 = inputs
        a1, a2 = self._axes(x1.ndim, x2.ndim)
        if (not (0 < a1 < x1.ndim and 0 < a2 < x2.ndim)) or x1.shape[a1] != x2.shape[a2]:
            self._merged_shape([tuple(x1.shape), tuple(x2.shape)])
        if self.normalize:
            x1 = ops.l2_normalize(x1, a1, 1e-7)
            x2 = ops.l2_normalize(x2, a2, 1e-7)
        n1, n2 = x1.ndim, x2.ndim
        l1 = _LETTERS[:n1]
        l2 = [_LETTERS[n1 + i] for i in range(n2)]
        l2[0], l2[a2] = l1[0], l1[a1]
        out = l1[0] + "".join(c for i, c in enumerate(l1) if i not in (0, a1)) + \
            "".join(c for i, c in enumerate(l2) if i not in (0, a2))
        y = ops.einsum(f"{l1},{''.join(l2)}->{out}", x1, x2)
        if y.ndim == 1:
            y = ops.expand_dims(y, -1)
        return y

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional form of ``Dot``: ``lamina.layers.dot([x1, x2], axes=1)``.

    Args:
        inputs: a list of two tensors.
        axes: the axes to contract (see ``Dot``).
        normalize: L2-normalise first (cosine similarity).
        **kwargs: layer arguments (e.g. ``name``).
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
