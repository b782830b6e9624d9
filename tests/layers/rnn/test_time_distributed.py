"""TimeDistributed vs Keras 3 and vs a loop over time steps."""

import numpy as np
import pytest

import lamina

L = lamina.layers


def test_dense_matches_keras_and_per_step_loop(keras, rng, h):
    x = rng.standard_normal((3, 6, 5)).astype("float32")
    lam, ker = L.TimeDistributed(L.Dense(4, activation="relu")), keras.layers.TimeDistributed(
        keras.layers.Dense(4, activation="relu"))
    a, b = h.keras_pair(keras, lam, ker, x, rng)
    h.close(a, b)
    per_step = np.stack([h.to_numpy(lam.layer(x[:, t])) for t in range(6)], axis=1)
    h.close(a, per_step)
    assert [w.shape for w in lam.weights] == [(5, 4), (4,)]


def test_higher_rank_steps_and_shapes(rng):
    x = rng.standard_normal((2, 3, 4, 5)).astype("float32")
    td = L.TimeDistributed(L.Dense(7))
    assert tuple(td(x).shape) == (2, 3, 4, 7) == td.compute_output_shape((2, 3, 4, 5))
    sym = td(lamina.Input((3, 4, 5)))
    assert sym.shape == (None, 3, 4, 7)


def test_mask_passes_through_to_lstm(keras, rng, h, ids):
    models = [mod.Sequential([mod.layers.Embedding(20, 3, mask_zero=True),
                              mod.layers.TimeDistributed(mod.layers.Dense(4)),
                              mod.layers.LSTM(2)]) for mod in (lamina, keras)]
    a, b = h.keras_pair(keras, models[0], models[1], ids, rng)
    h.close(a, b)


def test_errors_and_config(keras):
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        L.TimeDistributed(L.Dense(2))(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="lamina layer instance"):
        L.TimeDistributed(lambda x: x)
    td = L.TimeDistributed(L.Dense(2, name="inner"))
    config = td.get_config()
    again = L.TimeDistributed.from_config(config)
    assert again.layer.units == 2 and config["layer"]["class_name"] == "Dense"
    assert set(config) == set(keras.layers.TimeDistributed(keras.layers.Dense(2)).get_config())
