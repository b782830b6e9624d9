import numpy as np
import pytest

import lamina
from lamina import ops
from lamina.utils import normalize, to_categorical
from tests.keras3 import keras3


def test_to_categorical_closed_form():
    y = np.array([0, 2, 1, 2])
    out = to_categorical(y, 4)
    assert out.dtype == np.float32 and out.shape == (4, 4)
    np.testing.assert_array_equal(out, np.eye(4, dtype="float32")[y])


@pytest.mark.parametrize("y,num_classes", [
    (3, 10), ([1, 0, 3], None), (np.array([[1], [2], [0]]), 3), (np.array([[1, 2], [0, 1]]), 4),
    (np.array([2.0, 1.0]), None), ([], 3),
])
def test_to_categorical_matches_keras(y, num_classes):
    keras = keras3()
    ours = to_categorical(y, num_classes)
    theirs = keras.utils.to_categorical(y, num_classes)
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_single_int_and_dtype():
    out = to_categorical(3, 10, dtype="int32")
    assert out.shape == (10,) and out.dtype == np.int32 and out.tolist() == [0, 0, 0, 1] + [0] * 6


def test_to_categorical_tensor_in_tensor_out():
    out = to_categorical(ops.convert_to_tensor(np.array([1, 0])), 2)
    assert ops.is_tensor(out)
    np.testing.assert_array_equal(ops.convert_to_numpy(out), [[0, 1], [1, 0]])


def test_to_categorical_bad_labels():
    with pytest.raises(ValueError, match=r"label 10 is out of range for num_classes=10"):
        to_categorical([1, 10, 3], num_classes=10)
    with pytest.raises(ValueError, match=r"label -1 is out of range for num_classes=3"):
        to_categorical([-1, 2], num_classes=3)
    with pytest.raises(ValueError, match="non-integer value 1.5"):
        to_categorical([1.5, 2.0])
    with pytest.raises(ValueError, match="dtype <U3.*numpy.unique"):
        to_categorical(["cat", "dog"])
    with pytest.raises(ValueError, match="num_classes must be a positive integer"):
        to_categorical([0], num_classes=0)
    with pytest.raises(ValueError, match="pass num_classes"):
        to_categorical([])


def test_np_utils_is_deprecated_but_works():
    from lamina.utils import np_utils

    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="lamina.utils.to_categorical"):
        out = np_utils.to_categorical([0, 1], 2)
    np.testing.assert_array_equal(out, np.eye(2))
    with pytest.warns(lamina.errors.LaminaDeprecationWarning) as rec:
        out = np_utils.to_categorical([1], nb_classes=3)
    assert out.shape == (1, 3)
    assert any("to_categorical(num_classes=...)" in str(w.message) for w in rec)
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="lamina.utils.normalize"):
        np.testing.assert_allclose(np_utils.normalize(np.array([3.0, 4.0])), [0.6, 0.8])


@pytest.mark.parametrize("axis,order", [(-1, 2), (0, 2), (1, 1), (-1, np.inf)])
def test_normalize_formula_and_keras(axis, order):
    x = np.random.default_rng(0).normal(size=(4, 5))
    x[1] = 0.0
    expected_norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    expected = x / np.where(expected_norm == 0, 1, expected_norm)
    out = normalize(x, axis=axis, order=order)
    np.testing.assert_allclose(out, expected)
    tensor_out = normalize(ops.convert_to_tensor(x.astype("float32")), axis=axis, order=order)
    np.testing.assert_allclose(ops.convert_to_numpy(tensor_out), expected, rtol=1e-5, atol=1e-6)
    if axis != 0:  # Keras turns axis=0 into -1 (`axis or -1`), a Keras bug
        keras = keras3()
        np.testing.assert_allclose(out, keras.utils.normalize(x, axis=axis, order=order))
