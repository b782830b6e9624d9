"""Type promotion and coverage: lamina.ops against Keras 3's rules and Keras's ``ops`` names."""

import itertools
import types

import numpy as np
import pytest

import lamina
from lamina import ops
from lamina.backend.common.dtypes import result_type
from tests.keras3 import keras3

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "bfloat16", "float16", "float32", "float64"]


def test_result_type_matches_keras_on_every_pair_and_triple():
    keras = keras3()
    kinds = DTYPES + [int, float]
    cases = [(a,) for a in kinds] + list(itertools.product(kinds, kinds)) + \
        list(itertools.product(["int8", "uint8", "float16", int], ["bfloat16", "int32", float], kinds))
    wrong = [(c, result_type(*c), keras.backend.result_type(*c)) for c in cases
             if result_type(*c) != keras.backend.result_type(*c)]
    assert not wrong, wrong[:5]


def test_result_type_weak_scalars_and_errors():
    assert result_type("int8", int) == "int8"
    assert result_type("float16", float) == "float16"
    assert result_type("int32", float) == "float32"
    assert result_type() == lamina.config.floatx()
    with pytest.raises(ValueError, match="'string'"):
        result_type("string", "int32")


# Binary ops whose dtype follows the same rule on every pair in Keras 3.15 (torch).
PROMOTING = ["add", "subtract", "multiply", "maximum", "minimum", "arctan2", "logaddexp", "divide",
             "true_divide", "where", "floor_divide", "hypot", "equal", "concatenate_pair", "matmul"]
PAIRS = [("int8", "uint8"), ("int32", "float16"), ("int32", "int32"), ("int64", "float32"), ("float16", "float32"),
         ("bfloat16", "float16"), ("int16", "int32"), ("uint8", "float32"), ("float32", "float64")]


def _binary(mod, name):
    if name == "where":
        return lambda a, b: mod.where(np.ones((2,), bool), a, b)
    if name == "concatenate_pair":
        return lambda a, b: mod.concatenate([a, b])
    if name == "matmul":
        return lambda a, b: mod.matmul(mod.reshape(a, (1, 2)), mod.reshape(b, (2, 1)))
    return getattr(mod, name)


# Keras 3.15 on torch makes the Python float strong in these ops (float16 + 2.5 -> float32);
# lamina keeps it weak, as Keras's own result_type and its other ops do.
WEAK_IGNORED = {"arctan2", "logaddexp", "hypot"}


def _tensor(dtype, fill=1):
    """A lamina tensor of ``dtype`` (under JAX without x64, 64-bit dtypes come back as 32-bit)."""
    return ops.convert_to_tensor(np.full((2,), fill), dtype)


def _torch_twin(x):
    """The same values as a torch tensor of the dtype lamina holds, for Keras (which runs on torch).

    Keras on JAX with x64 off (what a JAX user gets) holds the same 32-bit arrays as lamina, so
    Keras is asked about the dtypes lamina actually holds."""
    import torch

    d = ops.dtype(x)
    arr = ops.convert_to_numpy(x)
    return torch.from_numpy(arr.astype("float32")).to(getattr(torch, d)) if d == "bfloat16" else \
        torch.from_numpy(np.ascontiguousarray(arr))


def _kept_wide(got, want, inputs):
    """lamina keeps a 64-bit input's width where some Keras ops narrow it (float32 + float64)."""
    return {"float32": "float64", "int32": "int64"}.get(want) == got and got in inputs


@pytest.mark.parametrize("name", PROMOTING)
def test_binary_dtypes_match_keras(name):
    keras = keras3()

    wrong = []
    for a, b in PAIRS:
        if name in ("floor_divide", "hypot") and "bool" in (a, b):
            continue
        x, y = _tensor(a), _tensor(b, 2)
        try:
            want = keras.backend.standardize_dtype(_binary(keras.ops, name)(_torch_twin(x), _torch_twin(y)).dtype)
        except Exception:  # Keras on torch refuses the pair (e.g. bfloat16 matmul on CPU)
            continue
        got = ops.dtype(_binary(ops, name)(x, y))
        if got != want and not _kept_wide(got, want, (ops.dtype(x), ops.dtype(y))):
            wrong.append((a, b, got, want))
    for scalar in (2, 2.5):
        for a in ("int8", "int32", "float16", "float32"):
            x = _tensor(a)
            try:
                want = keras.backend.standardize_dtype(_binary(keras.ops, name)(_torch_twin(x), scalar).dtype)
            except Exception:
                continue
            got = ops.dtype(_binary(ops, name)(x, scalar))
            if name in WEAK_IGNORED and a == "float16" and isinstance(scalar, float):
                want = result_type(a, float)  # Keras makes the Python float a float32 tensor here
            if got != want:
                wrong.append((a, scalar, got, want))
    assert not wrong, f"{name}: (x1, x2, lamina, keras) {wrong}"


UNARY = ["sqrt", "exp", "sin", "tanh", "log1p", "sigmoid", "relu", "abs", "square", "mean", "sum", "var", "std",
         "argmax", "cumsum", "logsumexp", "erf", "rsqrt", "max", "all", "isnan", "sort"]


# Where Keras 3 on JAX gives another dtype than Keras 3 on torch, lamina matches the Keras of its
# backend: Keras on JAX sums uint8 with jax.numpy's rule (uint32); its torch backend has no uint32.
KERAS_ON_JAX = {("sum", "uint8"): "uint32"}


@pytest.mark.parametrize("name", UNARY)
def test_unary_dtypes_match_keras(name):
    keras = keras3()

    wrong = []
    for d in ("bool", "uint8", "int8", "int32", "float16", "float32", "float64"):
        x = _tensor(d)
        try:
            want = keras.backend.standardize_dtype(getattr(keras.ops, name)(_torch_twin(x)).dtype)
        except Exception:
            continue
        if lamina.backend.backend() == "jax":
            want = KERAS_ON_JAX.get((name, d), want)
        got = ops.dtype(getattr(ops, name)(x))
        if got != want and not (ops.dtype(x) == "float64" and want == "float32"):  # Keras narrows a few float64 results
            wrong.append((d, got, want))
    assert not wrong, f"{name}: (input, lamina, keras) {wrong}"


def test_inputs_may_be_tensors_numpy_or_python_numbers():
    t = ops.convert_to_tensor(np.array([1.0, 2.0], "float32"))
    for a, b in [(t, t), (np.array([1.0, 2.0], "float32"), t), ([1.0, 2.0], 1), (1.5, t), (3, 4)]:
        out = ops.add(a, b)
        assert ops.is_tensor(out)
        np.testing.assert_allclose(ops.convert_to_numpy(out), np.add(np.asarray(a, "float32"), np.asarray(b)))
    assert ops.dtype(ops.add(3, 4)) == "int32"  # Python ints are int32, as in Keras
    assert ops.dtype(ops.multiply(np.ones(2, "int8"), 3)) == "int8"  # a Python number stays weak


def test_coverage_of_keras_ops_names_is_at_least_90_percent():
    keras = keras3()
    names = sorted(n for n in dir(keras.ops) if not n.startswith("_")
                   and not isinstance(getattr(keras.ops, n), types.ModuleType))
    have = [n for n in names if n in ops.__all__ and callable(getattr(ops, n))]
    missing = sorted(set(names) - set(have))
    image = [n for n in dir(keras.ops.image) if not n.startswith("_")]
    image_have = [n for n in image if hasattr(ops.image, n)]
    print(f"\nlamina.ops covers {len(have)}/{len(names)} keras.ops names ({len(have) / len(names):.1%}); "
          f"missing: {missing}")
    print(f"lamina.ops.image covers {len(image_have)}/{len(image)} keras.ops.image names; "
          f"missing: {sorted(set(image) - set(image_have))}")
    assert len(have) / len(names) >= 0.9
    for sub in ("numpy", "nn", "linalg", "math", "core"):
        kmod = getattr(keras.src.ops, sub)
        knames = [n for n in names if getattr(getattr(keras.ops, n), "__module__", "") == kmod.__name__]
        assert set(knames) <= set(getattr(ops, sub).__all__), (sub, set(knames) - set(getattr(ops, sub).__all__))


def test_public_namespace_is_explicit_and_internals_are_private():
    assert "addmm" not in ops.__all__ and "state_add" not in ops.__all__ and "fused_rnn" not in ops.__all__
    assert not hasattr(ops.numpy, "addmm")
    assert ops._internal.addmm is not None and ops._internal.fused_rnn is not None
    with pytest.raises(AttributeError, match="no attribute 'addmm'"):
        ops.addmm  # noqa: B018
    for name in ops.__all__:
        assert callable(getattr(ops, name)), name
