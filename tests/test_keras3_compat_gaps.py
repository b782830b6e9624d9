"""Keras 3 behaviours the torch backend once missed, each checked against Keras 3 itself.

- a layer weight read as an attribute (``layer.kernel``) speaks Keras 3's Variable API;
- ``lamina.random`` draws default to floatx;
- ``ops.prod``/``sum``/``cumsum``/``cumprod`` of small ints give Keras 3's result dtypes;
- ``ops.convert_to_tensor``/``ops.array`` of Python lists give Keras 3's dtypes (int -> int32).
"""

import copy

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from tests.keras3 import keras3


def _dtype(x):
    """A tensor's dtype name, for lamina and Keras tensors alike ('int32', 'float32', ...)."""
    return str(x.dtype).replace("torch.", "")


# ------------------------------------------------------------------ 1. weights as Keras Variables
def _dense_pair(keras):
    ours = layers.Dense(3, name="probe")
    ours.build((None, 2))
    theirs = keras.layers.Dense(3, name="probe")
    theirs.build((None, 2))
    return ours, theirs


def test_layer_weight_attribute_has_keras_variable_api():
    keras = keras3()
    ours, theirs = _dense_pair(keras)
    for attr in ("kernel", "bias"):
        v, k = getattr(ours, attr), getattr(theirs, attr)
        assert (v.path, v.name, v.trainable) == (k.path, k.name, k.trainable)
        assert tuple(v.shape) == tuple(k.shape)
        assert str(v.dtype).replace("torch.", "") == k.dtype


def test_assign_add_and_assign_sub_on_a_layer_weight_update_it_in_place():
    ours = layers.Dense(3)
    ours.build((None, 2))
    k = ours.kernel
    start = k.numpy()
    delta = np.arange(6, dtype="float32").reshape(2, 3)
    k.assign_add(delta)
    np.testing.assert_allclose(ours.kernel.numpy(), start + delta, rtol=1e-6)
    ours.kernel.assign_sub(2 * delta)
    np.testing.assert_allclose(ours.kernel.numpy(), start - delta, rtol=1e-6, atol=1e-6)
    ours.kernel.assign(np.ones((2, 3), "float32"))
    np.testing.assert_allclose(ops.convert_to_numpy(ours.kernel.value), np.ones((2, 3)))
    # the layer computes with the updated value, and the weights list sees the same storage
    y = ours(np.ones((1, 2), "float32"))
    np.testing.assert_allclose(ops.convert_to_numpy(y), np.full((1, 3), 2.0) + ours.bias.numpy())
    np.testing.assert_allclose(ours.weights[0].numpy(), np.ones((2, 3)))


def test_weight_updates_match_keras_numerically():
    keras = keras3()
    ours, theirs = _dense_pair(keras)
    theirs.kernel.assign(ours.kernel.numpy())
    delta = np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3)
    for v in (ours.kernel, theirs.kernel):
        v.assign_add(delta)
        v.assign_sub(0.5 * delta)
    np.testing.assert_allclose(ours.kernel.numpy(), keras.ops.convert_to_numpy(theirs.kernel.value))


def test_non_trainable_weight_attribute_has_the_variable_api_too():
    keras = keras3()
    ours = layers.BatchNormalization(name="bn_probe")
    ours.build((None, 4))
    theirs = keras.layers.BatchNormalization(name="bn_probe")
    theirs.build((None, 4))
    v, k = ours.moving_mean, theirs.moving_mean
    assert (v.path, v.name, v.trainable) == (k.path, k.name, k.trainable)
    v.assign_add(np.full(4, 2.0, "float32"))
    v.assign_sub(np.full(4, 0.5, "float32"))
    np.testing.assert_allclose(ours.moving_mean.numpy(), np.full(4, 1.5))
    ours.moving_variance.assign(np.full(4, 3.0, "float32"))
    np.testing.assert_allclose(ours.non_trainable_weights[1].numpy(), np.full(4, 3.0))


def test_setting_trainable_on_the_weight_moves_it_out_of_trainable_weights():
    keras = keras3()
    ours, theirs = _dense_pair(keras)
    ours.kernel.trainable = False
    theirs.kernel.trainable = False
    assert [w.path for w in ours.trainable_weights] == [w.path for w in theirs.trainable_weights]
    assert [w.path for w in ours.non_trainable_weights] == [w.path for w in theirs.non_trainable_weights]
    assert ours.kernel.trainable is False


def test_a_deep_copied_layer_keeps_its_weight_paths():
    ours = layers.Dense(3, name="copied")
    ours.build((None, 2))
    twin = copy.deepcopy(ours)
    assert twin.kernel.path == "copied/kernel"
    twin.kernel.assign_add(np.ones((2, 3), "float32"))
    np.testing.assert_allclose(twin.kernel.numpy(), ours.kernel.numpy() + 1)


# ------------------------------------------------------------------ 2. random draws follow floatx
DRAWS = {
    "uniform": lambda r: r.uniform((3,), seed=1),
    "normal": lambda r: r.normal((3,), seed=1),
    "truncated_normal": lambda r: r.truncated_normal((3,), seed=1),
    "gamma": lambda r: r.gamma((3,), alpha=2.0, seed=1),
    "beta": lambda r: r.beta((3,), alpha=2.0, beta=3.0, seed=1),
    "binomial": lambda r: r.binomial((3,), counts=5, probabilities=0.5, seed=1),
    "uniform_unseeded": lambda r: r.uniform((3,)),
    "normal_unseeded": lambda r: r.normal((3,)),
    "truncated_normal_unseeded": lambda r: r.truncated_normal((3,)),
}


@pytest.fixture
def floatx():
    saved = lamina.config.floatx()
    yield lamina.config.set_floatx
    lamina.config.set_floatx(saved)


def _widest_float():
    """float64 where the backend computes in it (JAX only with x64 enabled), else float32."""
    return _dtype(ops.convert_to_tensor(np.zeros(1), dtype="float64"))


@pytest.mark.parametrize("name", sorted(DRAWS))
@pytest.mark.parametrize("x", ["float16", "float64"])
def test_random_draws_default_to_floatx(name, x, floatx):
    keras = keras3()
    floatx(x)
    expected = x if x != "float64" else _widest_float()
    assert _dtype(DRAWS[name](lamina.random)) == expected
    keras.config.set_floatx(x)
    try:
        theirs = DRAWS[name](keras.random)
    except NotImplementedError:  # Keras 3 on torch/CPU has no float16 gamma/beta/binomial
        return
    finally:
        keras.config.set_floatx("float32")
    assert _dtype(theirs) == x  # what Keras 3 does


# ------------------------------------------------------------------ 3. reductions of small ints
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32"])
@pytest.mark.parametrize("op", ["prod", "sum", "cumsum", "cumprod"])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_integer_reduction_dtypes_match_keras(op, dtype, axis):
    keras = keras3()
    x = (np.arange(6).reshape(2, 3) % 3 + 1).astype(dtype)
    ours = getattr(ops, op)(ops.convert_to_tensor(x), axis=axis)
    theirs = getattr(keras.ops, op)(keras.ops.convert_to_tensor(x), axis=axis)
    expected = _dtype(theirs)
    if lamina.backend.backend() == "jax" and (op, dtype) == ("sum", "uint8"):
        # Keras 3 on JAX sums uint8 in uint32 (jnp.sum); on torch, which has no uint32 sums, in
        # int32 (keras/src/ops/numpy_test.py says the same)
        expected = "uint32"
    assert _dtype(ours) == expected
    np.testing.assert_array_equal(np.asarray(ours), keras.ops.convert_to_numpy(theirs))


def test_prod_over_several_axes_keeps_int32():
    keras = keras3()
    x = np.arange(1, 25, dtype="int32").reshape(2, 3, 4) % 5 + 1
    for axis, keepdims in [((0, 2), False), ((0, 2), True), ((1,), True)]:
        ours = ops.prod(ops.convert_to_tensor(x), axis=axis, keepdims=keepdims)
        theirs = keras.ops.prod(keras.ops.convert_to_tensor(x), axis=axis, keepdims=keepdims)
        assert _dtype(ours) == _dtype(theirs) == "int32"
        np.testing.assert_array_equal(np.asarray(ours), keras.ops.convert_to_numpy(theirs))


# ------------------------------------------------------------------ 4. Python values to tensors
PY_VALUES = {
    "ints": [1, 2], "int": 3, "tuple": (1, 2), "nested": [[1, 2], [3, 4]], "floats": [1.0, 2.5],
    "float": 2.5, "mixed": [1, 2.5], "nested_mixed": [[1, 2], [3.0, 4]], "bools": [True, False],
    "bool": True, "bool_and_int": [True, 2], "numpy_int64_scalars": [np.int64(1), np.int64(2)],
    "numpy_int32_array": np.array([1, 2], "int32"), "numpy_int64_array": np.array([1, 2], "int64"),
}


@pytest.mark.parametrize("fn", ["convert_to_tensor", "array"])
@pytest.mark.parametrize("name", sorted(PY_VALUES))
def test_python_values_convert_to_keras_dtypes(fn, name, floatx):
    keras = keras3()
    value = PY_VALUES[name]
    expected = _dtype(getattr(keras.ops, fn)(value))
    if expected == "int64":
        expected = _dtype(ops.convert_to_tensor(np.zeros(1, "int64")))  # JAX without x64: int32
    ours = getattr(ops, fn)(value)
    assert _dtype(ours) == expected
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(value))


@pytest.mark.parametrize("fn", ["convert_to_tensor", "array"])
def test_python_numbers_under_another_floatx_follow_the_documented_rule(fn, floatx):
    # Keras 3's documented rule: Python ints -> int32, Python floats -> floatx. (Keras 3.15 on
    # torch derives the dtype of a *list* of Python ints from floatx, int16 under float16; its
    # single numbers follow the rule, and so does lamina, lists included.)
    floatx("float16")
    assert _dtype(getattr(ops, fn)([1.0, 2.0])) == "float16"
    assert _dtype(getattr(ops, fn)([[1], [2.0]])) == "float16"
    assert _dtype(getattr(ops, fn)(2.0)) == "float16"
    assert _dtype(getattr(ops, fn)([1, 2])) == "int32"
    assert _dtype(getattr(ops, fn)(3)) == "int32"


def test_python_ints_beyond_int32_keep_int64_rather_than_overflow():
    big = [2**40, 1]
    out = ops.convert_to_tensor(big)
    if _dtype(ops.convert_to_tensor(np.zeros(1, "int64"))) == "int64":  # not JAX without x64
        assert _dtype(out) == "int64"
        np.testing.assert_array_equal(np.asarray(out), np.asarray(big))
