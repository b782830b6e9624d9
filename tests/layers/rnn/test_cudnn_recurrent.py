"""Keras 2's CuDNNLSTM / CuDNNGRU: LSTM / GRU with cuDNN's settings, and Keras 2 files holding
their cuDNN-layout weights."""

import h5py
import numpy as np
import pytest

import lamina
from lamina.errors import LaminaDeprecationWarning
from lamina.layers.cudnn_recurrent import CuDNNGRU, CuDNNLSTM, from_cudnn_weights


def _to_cudnn_input_kernel(kernel, n_gates):
    # The inverse of Keras 2's conversion: per gate, cuDNN's (units, input) buffer seen as (input, units).
    units = kernel.shape[1] // n_gates
    return np.concatenate([k.reshape((units, k.shape[0]), order="F").T
                           for k in np.split(kernel, n_gates, axis=1)], axis=1)


def test_cudnn_layers_are_lstm_and_gru_with_cudnn_settings():
    with pytest.warns(LaminaDeprecationWarning, match="Write `lamina.layers.LSTM"):
        lstm = CuDNNLSTM(4, return_sequences=True)
    assert isinstance(lstm, lamina.layers.LSTM)
    config = lstm.get_config()
    assert (config["activation"], config["recurrent_activation"], config["use_bias"]) == ("tanh", "sigmoid", True)
    with pytest.warns(LaminaDeprecationWarning, match="Write `lamina.layers.GRU"):
        gru = CuDNNGRU(3)
    assert gru.get_config()["reset_after"] is True and gru.get_config()["recurrent_activation"] == "sigmoid"
    x = np.random.rand(2, 5, 6).astype("float32")
    assert tuple(lstm(x).shape) == (2, 5, 4) and tuple(gru(x).shape) == (2, 3)
    with pytest.warns(LaminaDeprecationWarning):
        again = CuDNNLSTM.from_config(lstm.get_config())
    assert again.units == 4 and again.return_sequences
    with pytest.warns(LaminaDeprecationWarning), pytest.raises(ValueError, match="cuDNN supports only dropout=0.0"):
        CuDNNLSTM(4, dropout=0.5)


def test_lstm_weights_in_cudnn_layout_are_translated():
    rng = np.random.default_rng(0)
    inputs, units = 3, 2
    kernel = rng.normal(size=(inputs, 4 * units))
    recurrent = rng.normal(size=(units, 4 * units))
    b_in, b_rec = rng.normal(size=4 * units), rng.normal(size=4 * units)
    cudnn = [_to_cudnn_input_kernel(kernel, 4),
             np.concatenate([k.T for k in np.split(recurrent, 4, axis=1)], axis=1),
             np.concatenate([b_in, b_rec])]
    out = from_cudnn_weights(lamina.layers.LSTM(units), cudnn)
    np.testing.assert_allclose(out[0], kernel)
    np.testing.assert_allclose(out[1], recurrent)
    np.testing.assert_allclose(out[2], b_in + b_rec)  # cuDNN adds both biases
    plain = [kernel, recurrent, b_in]
    assert from_cudnn_weights(lamina.layers.LSTM(units), plain) is plain  # Keras layout: untouched


def test_gru_weights_in_cudnn_layout_are_translated():
    rng = np.random.default_rng(1)
    kernel, recurrent, bias = rng.normal(size=(4, 9)), rng.normal(size=(3, 9)), rng.normal(size=(2, 9))
    cudnn = [_to_cudnn_input_kernel(kernel, 3),
             np.concatenate([k.T for k in np.split(recurrent, 3, axis=1)], axis=1), bias.reshape(-1)]
    out = from_cudnn_weights(lamina.layers.GRU(3), cudnn)
    for got, want in zip(out, [kernel, recurrent, bias]):
        np.testing.assert_allclose(got, want)


def test_a_keras2_file_with_cudnn_weights_loads_into_lstm(tmp_path):
    x = np.random.default_rng(2).random((2, 5, 3)).astype("float32")
    reference = lamina.Sequential([lamina.Input((5, 3)), lamina.layers.LSTM(4, name="lstm")])
    path = str(tmp_path / "w.h5")
    reference.save_weights(path)
    with h5py.File(path, "r+") as f:  # rewrite the LSTM weights as Keras 2's CuDNNLSTM stored them
        group = f["lstm"]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        kernel, recurrent, bias = (np.asarray(group[n]) for n in names)
        half = np.random.default_rng(3).normal(size=bias.shape)
        cudnn = [_to_cudnn_input_kernel(kernel, 4),
                 np.concatenate([k.T for k in np.split(recurrent, 4, axis=1)], axis=1),
                 np.concatenate([half, bias - half])]
        for n, a in zip(names, cudnn):
            del group[n]
            group[n] = a
    with pytest.warns(LaminaDeprecationWarning):
        model = lamina.Sequential([lamina.Input((5, 3)), CuDNNLSTM(4, name="lstm")])
    model.load_weights(path)
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(model(x)),
                               lamina.ops.convert_to_numpy(reference(x)), rtol=1e-5, atol=1e-6)


def test_a_keras2_model_config_with_cudnn_layers_loads():
    import json

    cudnn = {"name": "cu", "trainable": True, "batch_input_shape": [None, 5, 3], "dtype": "float32",
             "units": 4, "unit_forget_bias": True, "return_sequences": True, "return_state": False,
             "go_backwards": False, "stateful": False, "kernel_regularizer": None}
    gru = {"name": "cg", "trainable": True, "units": 2, "return_sequences": False}
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "CuDNNLSTM", "config": cudnn}, {"class_name": "CuDNNGRU", "config": gru}]},
        "keras_version": "2.2.4", "backend": "tensorflow"}
    with pytest.warns(LaminaDeprecationWarning):
        model = lamina.models.model_from_json(json.dumps(config))
    assert [type(layer).__name__ for layer in model.layers] == ["CuDNNLSTM", "CuDNNGRU"]
    assert tuple(model(np.zeros((2, 5, 3), "float32")).shape) == (2, 2)
