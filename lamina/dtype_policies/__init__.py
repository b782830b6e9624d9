"""Dtype policies (``lamina.dtype_policies``): Keras 3's mixed precision, per layer or global.

``set_dtype_policy('mixed_bfloat16')`` makes every layer created afterwards keep float32
variables and compute in bfloat16; ``Dense(..., dtype='float32')`` opts one layer out. A
policy is written into layer configs as Keras 3.15 writes it (a ``DTypePolicy`` object).
"""

from __future__ import annotations

from lamina.dtype_policies.dtype_policy import DTypePolicy, FloatDTypePolicy

_GLOBAL = [None]  # None: DTypePolicy(floatx())


def set_dtype_policy(policy) -> None:
    """Set the policy of the layers created from now on: a name, a ``DTypePolicy`` or None
    (back to floatx).

    Example:

    >>> import lamina
    >>> lamina.dtype_policies.set_dtype_policy("mixed_bfloat16")
    >>> lamina.layers.Dense(2).compute_dtype
    'bfloat16'
    >>> lamina.dtype_policies.set_dtype_policy(None)
    """
    _GLOBAL[0] = None if policy is None else get(policy)


def dtype_policy() -> DTypePolicy:
    """The global policy (default: ``DTypePolicy(floatx())``)."""
    return _GLOBAL[0] or DTypePolicy()


def get(identifier) -> DTypePolicy:
    """A ``DTypePolicy`` from a name, a policy, or a Keras config dict."""
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    from lamina.ops import _internal as ops

    return DTypePolicy(ops.standardize_dtype(identifier))  # a NumPy / torch dtype object


def serialize(policy) -> dict:
    """A policy as Keras 3.15 writes it in configs."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config(),
            "registered_name": None}


def deserialize(config) -> DTypePolicy:
    """A policy from ``serialize``'s dict (or Keras's); 'FloatDTypePolicy' and 'Policy' too."""
    if isinstance(config, str):
        return DTypePolicy(config)
    name = config.get("class_name")
    if name not in ("DTypePolicy", "FloatDTypePolicy", "Policy"):
        raise ValueError(
            f"lamina.dtype_policies.deserialize: unsupported policy class {name!r}. lamina reads "
            "'DTypePolicy' (and its older names 'FloatDTypePolicy', 'Policy'); quantized policies "
            "are not supported."
        )
    return DTypePolicy(**config.get("config", {}))


__all__ = ["DTypePolicy", "FloatDTypePolicy", "dtype_policy", "set_dtype_policy", "get",
           "serialize", "deserialize"]
