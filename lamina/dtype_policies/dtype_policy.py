"""DTypePolicy: which dtype a layer computes in and which dtype its variables are stored in."""

from __future__ import annotations

from lamina import config
from lamina.ops import _internal as ops

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


class DTypePolicy:
    """A layer's dtype policy, Keras 3's ``keras.dtype_policies.DTypePolicy``.

    A plain dtype name ('float32', 'bfloat16', 'float64', ...) makes a layer compute in and
    store its variables in that dtype. 'mixed_float16' and 'mixed_bfloat16' keep the variables
    in float32 and compute in the lower precision: under the torch backend the layer's call runs
    inside ``torch.autocast`` for that dtype, so matrix products and convolutions run in 16 bits
    while reductions such as softmax, normalisation statistics and losses stay in float32
    (torch's autocast op lists), and gradients reach the float32 variables.

    Args:
        name: a dtype name or 'mixed_float16' / 'mixed_bfloat16' (default: floatx).

    Example:

    >>> import lamina
    >>> p = lamina.dtype_policies.DTypePolicy("mixed_bfloat16")
    >>> p.compute_dtype, p.variable_dtype
    ('bfloat16', 'float32')
    """

    def __init__(self, name=None):
        if name is None:
            name = config.floatx()
        if not isinstance(name, str):
            raise TypeError(
                f"DTypePolicy: name must be a string such as 'float32' or 'mixed_bfloat16'; "
                f"received {name!r} of type {type(name).__name__}."
            )
        if name in _MIXED:
            self._compute, self._variable = _MIXED[name], "float32"
        elif name.startswith("mixed_"):
            raise ValueError(
                f"DTypePolicy: unknown mixed-precision policy {name!r}. Use 'mixed_float16' or "
                "'mixed_bfloat16'."
            )
        else:
            try:
                name = ops.standardize_dtype(name)
            except (ValueError, TypeError) as e:
                raise ValueError(
                    f"DTypePolicy: {name!r} is neither a dtype nor a mixed-precision policy. Use "
                    "a dtype such as 'float32' or 'bfloat16', or 'mixed_float16' / 'mixed_bfloat16'."
                ) from e
            self._compute = self._variable = name
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype of the layer's computations and outputs."""
        return self._compute

    @property
    def variable_dtype(self) -> str:
        """The dtype the layer's variables are stored in."""
        return self._variable

    @property
    def is_mixed(self) -> bool:
        return self._compute != self._variable

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __eq__(self, other) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'


FloatDTypePolicy = DTypePolicy  # Keras 3.0-3.5 name
