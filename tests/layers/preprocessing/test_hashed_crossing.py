"""HashedCrossing against TensorFlow's tf.sparse.cross_hashed (what Keras 3 calls): Keras needs
TensorFlow for this layer, so the references are the values that Keras's and TensorFlow's own
tests pin (computed by TensorFlow)."""

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.layers.preprocessing.hashed_crossing import _HASH_KEY, fingerprint_cat64

pytest.importorskip("farmhash")

FEAT1 = np.array(["A", "B", "A", "B", "A"])
FEAT2 = np.array([101, 101, 101, 102, 102])


def test_fingerprint_cat_matches_tensorflow_sparse_cross_tests():
    import farmhash

    def cross(values, key=_HASH_KEY, bins=0):
        h = key
        for v in values:
            h = fingerprint_cat64(h, farmhash.fingerprint64(v.encode()))
        return h % bins if bins else h % (2 ** 63 - 1)

    values = ["batch1-FC1-F1", "batch1-FC2-F1", "batch1-FC3-F1"]  # sparse_cross_op_test.py
    assert cross(values) == 1971693436396284976
    assert cross(values, _HASH_KEY + 1) == 4847552627144134031
    assert cross(values, bins=100) == 83
    assert cross(values, _HASH_KEY + 1, 100) == 31


@pytest.mark.parametrize("f1,f2,shape", [(FEAT1, FEAT2, (5,)), (FEAT1[:, None], FEAT2[:, None], (5, 1)),
                                         (list(FEAT1.astype(object)), FEAT2.tolist(), (5,))])
def test_int_bins_match_keras_documented_example(f1, f2, shape):
    out = layers.HashedCrossing(num_bins=5)((f1, f2))
    # int64, as the backend stores it (int32 under JAX without jax_enable_x64, as Keras 3 there)
    int64 = str(np.asarray(lamina.ops.zeros((), "int64")).dtype)
    assert np.asarray(out).shape == shape and str(np.asarray(out).dtype) == int64
    assert np.asarray(out).ravel().tolist() == [1, 4, 1, 1, 3]
    bytes_in = np.array([s.encode() for s in FEAT1], dtype=object)
    assert np.asarray(layers.HashedCrossing(5)((bytes_in, FEAT2))).tolist() == [1, 4, 1, 1, 3]


def test_one_hot_scalar_dtype_and_config():
    layer = layers.HashedCrossing(num_bins=5, output_mode="one_hot")
    want = np.eye(5, dtype="float32")[[1, 4, 1, 1, 3]]
    np.testing.assert_array_equal(np.asarray(layer((FEAT1[:, None], FEAT2[:, None]))), want)
    assert layer.compute_output_shape(((None, 1), (None, 1))) == (None, 5)
    assert int(np.asarray(layers.HashedCrossing(10)((np.array("A"), np.array(101))))) == 1  # Keras test
    assert str(np.asarray(layers.HashedCrossing(2, dtype="int32")((np.array([1]), np.array([1])))).dtype) == "int32"
    config = layer.get_config()
    assert set(config) == {"num_bins", "output_mode", "sparse", "name", "dtype"}  # Keras's keys
    clone = layers.HashedCrossing.from_config(config)
    np.testing.assert_array_equal(np.asarray(clone((FEAT1, FEAT2))), want)
    three = layers.HashedCrossing(1000)((FEAT1, FEAT2, np.array(["x", "y", "x", "y", "x"])))
    assert np.asarray(three).tolist() != np.asarray(layers.HashedCrossing(1000)((FEAT1, FEAT2))).tolist()


def test_errors_name_the_input_and_the_fix():
    with pytest.raises(ValueError, match="list or tuple of inputs"):
        layers.HashedCrossing(10)(np.array(1))
    with pytest.raises(ValueError, match="at least two inputs"):
        layers.HashedCrossing(10)([np.array(1)])
    with pytest.raises(ValueError, match=r"shape \(\), \(batch_size,\) or \(batch_size, 1\)"):
        layers.HashedCrossing(10)((np.array([[[1]]]), np.array([[[1]]])))
    with pytest.raises(ValueError, match="integer or string dtype.*float64"):
        layers.HashedCrossing(10)((np.array([1.0]), np.array([1.0])))
    with pytest.raises(ValueError, match="equal shape"):
        layers.HashedCrossing(10)((np.array([1, 2]), np.array([1])))
    with pytest.raises(ValueError, match="unknown output_mode='multi_hot'"):
        layers.HashedCrossing(10, output_mode="multi_hot")
