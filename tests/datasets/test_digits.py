import numpy as np
import pytest

from lamina.datasets import digits

# Samples per digit 0..9 in the UCI test set (and sklearn's load_digits).
CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_shapes_dtypes_and_ranges():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    for a in (x_train, y_train, x_test, y_test):
        assert a.dtype == np.uint8
    assert x_train.min() == 0 and x_train.max() == 16
    assert set(np.unique(y_test)) == set(range(10))


def test_totals_and_class_counts():
    (_, y_train), (_, y_test) = digits.load_data()
    assert len(y_train) + len(y_test) == 1797
    assert np.bincount(np.concatenate([y_train, y_test])).tolist() == CLASS_COUNTS


def test_deterministic_shuffle_and_split():
    a = digits.load_data(seed=7)
    b = digits.load_data(seed=7)
    c = digits.load_data(seed=8)
    for (xa, ya), (xb, yb) in zip(a, b):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a[0][1], c[0][1])
    (x_train, _), (x_test, _) = digits.load_data(test_split=0.5)
    assert len(x_train) == 898 and len(x_test) == 899
    (x_train, _), (x_test, _) = digits.load_data(test_split=0)
    assert len(x_train) == 1797 and len(x_test) == 0


def test_bad_split():
    with pytest.raises(ValueError, match=r"test_split must be a fraction in \[0, 1\); received 1.5"):
        digits.load_data(test_split=1.5)


def test_same_data_as_sklearn():
    datasets = pytest.importorskip("sklearn.datasets")
    ref = datasets.load_digits()
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    ours = np.concatenate([np.concatenate([x_train, x_test]).reshape(-1, 64),
                           np.concatenate([y_train, y_test])[:, None]], axis=1).astype(np.int64)
    theirs = np.concatenate([ref.data.astype(np.int64), ref.target[:, None]], axis=1)
    order = lambda t: t[np.lexsort(t.T[::-1])]  # noqa: E731
    np.testing.assert_array_equal(order(ours), order(theirs))
    np.testing.assert_array_equal(ref.images.reshape(-1, 64), ref.data)  # same 8x8 row-major layout


def test_licence_file_ships_with_the_data():
    import os

    text = open(os.path.join(os.path.dirname(digits.DATA_PATH), "DIGITS_LICENSE.txt")).read()
    assert "CC BY 4.0" in text and "Alpaydin" in text
