"""Single steps of LSTMCell, GRUCell and SimpleRNNCell vs Keras 3 and NumPy; configs."""

import numpy as np
import pytest

import lamina

L = lamina.layers
CELLS = [("LSTMCell", {}), ("GRUCell", {}), ("GRUCell", {"reset_after": False}), ("SimpleRNNCell", {})]


@pytest.mark.parametrize("name,kw", CELLS)
def test_one_step_matches_keras(keras, rng, h, name, kw):
    x = rng.standard_normal((3, 5)).astype("float32")
    lam, ker = getattr(L, name)(4, **kw), getattr(keras.layers, name)(4, **kw)
    lam_states = lam.get_initial_state(3)
    ker_states = ker.get_initial_state(3)
    lam(x, lam_states), ker(x, ker_states)
    w = h.random_weights(lam, rng)
    lam.set_weights(w), ker.set_weights(w)
    states = [rng.standard_normal((3, 4)).astype("float32") for _ in lam_states]
    out, new = lam(x, states)
    k_out, k_new = ker(x, states)
    h.close(h.to_numpy([out] + list(new)), h.to_numpy([k_out] + list(k_new)))


def test_lstm_cell_step_matches_numpy(rng, h):
    cell = L.LSTMCell(4)
    x = rng.standard_normal((3, 5)).astype("float32")
    states = [rng.standard_normal((3, 4)).astype("float32") for _ in range(2)]
    cell(x, states)
    w = h.random_weights(cell, rng)
    cell.set_weights(w)
    out, (hn, cn) = cell(x, states)
    ref, (ref_h, ref_c) = h.lstm_step(x, states, *w)
    h.close(h.to_numpy([out, hn, cn]), [ref, ref_h, ref_c])


@pytest.mark.parametrize("name,kw", CELLS)
def test_config_round_trip_and_keras_keys(keras, name, kw):
    cell = getattr(L, name)(3, dropout=0.1, kernel_regularizer="l1", **kw)
    config = cell.get_config()
    assert getattr(L, name).from_config(config).get_config() == config
    assert set(config) == set(getattr(keras.layers, name)(3).get_config())


def test_state_and_output_sizes():
    assert L.LSTMCell(5).state_size == [5, 5] and L.LSTMCell(5).output_size == 5
    assert L.GRUCell(5).state_size == 5 and L.SimpleRNNCell(5).state_size == 5


def test_invalid_units():
    with pytest.raises(ValueError, match=r"GRUCell: units must be a positive integer, received units=-2"):
        L.GRUCell(-2)
