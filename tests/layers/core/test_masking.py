"""Masking: zeroed outputs and (batch, time) masks, vs Keras 3 and vs a NumPy formula."""

import numpy as np

import lamina
from tests.layers.neutral import mask_of, to_np

L = lamina.layers


def _data():
    x = np.arange(24, dtype="float32").reshape(2, 4, 3) + 1
    x[0, 1] = -1.0
    x[1, 3] = -1.0
    x[1, 0, 0] = -1.0  # only one feature equals mask_value: not masked
    return x


def test_mask_and_output_follow_the_formula():
    x = _data()
    out = L.Masking(mask_value=-1.0)(x)
    keep = (x != -1.0).any(-1)
    np.testing.assert_array_equal(mask_of(out), keep)
    np.testing.assert_array_equal(to_np(out), x * keep[..., None])


def test_matches_keras(keras):
    x = _data()
    lam, ker = L.Masking(-1.0), keras.layers.Masking(-1.0)
    np.testing.assert_array_equal(to_np(lam(x)), to_np(ker(x)))
    np.testing.assert_array_equal(to_np(lam.compute_mask(x)),
                                  to_np(ker.compute_mask(x)))
    assert lam.get_config().keys() == ker.get_config().keys()


def test_mask_reaches_the_next_layer():
    x = _data()
    seen = {}

    class Probe(L.Layer):
        def call(self, inputs, mask=None):
            seen["mask"] = mask
            return inputs

    lamina.Sequential([L.Masking(-1.0), Probe()])(x)
    np.testing.assert_array_equal(to_np(seen["mask"]), (x != -1.0).any(-1))


def test_config_round_trip_and_shape():
    layer = L.Masking(mask_value=2.5)
    assert L.Masking.from_config(layer.get_config()).mask_value == 2.5
    assert layer.compute_output_shape((None, 4, 3)) == (None, 4, 3)
