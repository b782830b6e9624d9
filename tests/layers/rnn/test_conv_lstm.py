"""ConvLSTM1D/2D/3D and their cells against Keras 3 (torch backend): outputs, gradients,
configs both ways, Keras-written files."""

import warnings

import numpy as np
import pytest

import lamina
from lamina import layers

CASES = [
    ("ConvLSTM1D", dict(filters=3, kernel_size=3, padding="same", return_sequences=True), (2, 4, 6, 2)),
    ("ConvLSTM1D", dict(filters=2, kernel_size=2, strides=2, use_bias=False), (2, 3, 7, 2)),
    ("ConvLSTM2D", dict(filters=3, kernel_size=(3, 2), strides=(2, 1), return_state=True), (2, 3, 7, 6, 2)),
    ("ConvLSTM2D", dict(filters=2, kernel_size=3, padding="same", dilation_rate=2,
                        data_format="channels_first", go_backwards=True,
                        recurrent_activation="hard_sigmoid"), (2, 3, 2, 5, 5)),
    ("ConvLSTM3D", dict(filters=2, kernel_size=2, padding="same", return_sequences=True,
                        data_format="channels_first"), (1, 2, 2, 4, 3, 3)),
]


@pytest.mark.parametrize("name,kwargs,shape", CASES)
def test_outputs_and_gradients_match_keras(keras, parity, name, kwargs, shape):
    rng = np.random.default_rng(len(shape) + kwargs["filters"])
    x = rng.standard_normal(shape).astype("float32")
    k, lam = getattr(keras.layers, name)(**kwargs), getattr(layers, name)(**kwargs)
    parity.compare(k, lam, x, rng)
    assert [w.path.split("/", 1)[1] for w in k.weights] == [
        "conv_lstm_cell/kernel", "conv_lstm_cell/recurrent_kernel", "conv_lstm_cell/bias"][:len(k.weights)]
    assert tuple(lam.compute_output_shape(shape)[0] if kwargs.get("return_state")
                 else lam.compute_output_shape(shape)) == tuple(
        k.compute_output_shape(shape)[0] if kwargs.get("return_state") else k.compute_output_shape(shape))


@pytest.mark.parametrize("name,kwargs,shape", CASES[::2])
def test_config_round_trips_both_ways(keras, parity, name, kwargs, shape):
    k, lam = getattr(keras.layers, name)(**kwargs), getattr(layers, name)(**kwargs)
    lam_copy, _ = parity.config_both_ways(keras, k, lam)
    assert lam_copy.get_config() == lam.get_config() | {"name": lam_copy.name}


def test_cell_in_rnn_matches_keras_cell(keras, parity):
    from keras.src.layers.rnn.conv_lstm import ConvLSTMCell as KerasCell

    x = np.random.default_rng(3).standard_normal((2, 3, 5, 5, 2)).astype("float32")
    k = keras.layers.RNN(KerasCell(2, filters=3, kernel_size=3, padding="same"), return_sequences=True)
    lam = layers.RNN(layers.ConvLSTM2DCell(filters=3, kernel_size=3, padding="same"), return_sequences=True)
    parity.compare(k, lam, x)
    config = lam.cell.get_config()
    assert "rank" not in config and layers.ConvLSTM2DCell.from_config(config).rank == 2
    assert layers.ConvLSTMCell.from_config(parity.strip_axes(k.cell.get_config()) | {"rank": 2}).filters == 3


def test_cell_call_is_one_step(parity):
    cell = layers.ConvLSTM1DCell(filters=2, kernel_size=3, padding="same")
    seq = layers.RNN(cell, return_state=True)
    x = np.random.default_rng(0).standard_normal((2, 1, 5, 3)).astype("float32")
    out, h, c = seq(x)
    h1, (h2, c2) = cell(x[:, 0], cell.get_initial_state(2))
    np.testing.assert_allclose(parity.np(h1), parity.np(out), atol=1e-6)
    np.testing.assert_allclose(parity.np(c2), parity.np(c), atol=1e-6)


def test_keras_written_file_loads(keras, tmp_path):
    inp = keras.Input((3, 6, 6, 2))
    y = keras.layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True)(inp)
    y = keras.layers.ConvLSTM2D(2, 2, name="second")(y)
    model = keras.Model(inp, y)
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6, 2)).astype("float32")
    expected = keras.ops.convert_to_numpy(model(x))
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    loaded = lamina.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(loaded(x)), expected, atol=1e-5)
    twin = lamina.models.Model.from_config(loaded.get_config())
    twin.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(twin(x)), expected, atol=1e-5)


def test_lamina_file_round_trip_and_fit(tmp_path):
    model = lamina.Sequential([lamina.Input((3, 5, 5, 1)),
                               layers.ConvLSTM2D(2, 3, padding="same", dropout=0.2, recurrent_dropout=0.2),
                               layers.Flatten(), layers.Dense(1)])
    model.compile("adam", "mse")
    x = np.random.default_rng(0).standard_normal((4, 3, 5, 5, 1)).astype("float32")
    model.fit(x, np.ones((4, 1)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    again = lamina.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(again.predict(x, verbose=0)),
                               lamina.ops.convert_to_numpy(model.predict(x, verbose=0)), atol=1e-6)


def test_mask_keeps_states_on_padded_steps():
    layer = layers.ConvLSTM1D(2, 2, padding="same", return_sequences=True)
    x = np.random.default_rng(0).standard_normal((2, 4, 3, 1)).astype("float32")
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    out = lamina.ops.convert_to_numpy(layer(x, mask=mask))
    np.testing.assert_array_equal(out[0, 2], out[0, 1])
    short = lamina.ops.convert_to_numpy(layer(x[:, :2]))
    np.testing.assert_allclose(out[0, 1], short[0, 1], atol=1e-6)


def test_errors_name_the_fix():
    with pytest.raises(ValueError, match="strides > 1 cannot be combined with dilation_rate > 1"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="filters must be a positive integer"):
        layers.ConvLSTM1D(0, 3)
    with pytest.raises(ValueError, match="needs known spatial and channel sizes"):
        layers.ConvLSTM2D(2, 3).build((None, 3, None, 4, 1))


def test_keras2_module_path():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from lamina.layers.convolutional_recurrent import ConvLSTM2D, ConvLSTM2DCell
    assert ConvLSTM2D is layers.ConvLSTM2D and ConvLSTM2DCell is layers.ConvLSTM2DCell
    assert any("from lamina.layers import ConvLSTM2D" in str(w.message) for w in caught)


def test_stateful_continues_the_sequence(parity):
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 1)).astype("float32")
    whole = layers.ConvLSTM1D(2, 3, padding="same", return_sequences=True)
    parts = layers.ConvLSTM1D(2, 3, padding="same", return_sequences=True, stateful=True)
    whole(x)
    parts(x[:, :2])
    parts.set_weights(whole.get_weights())
    parts.reset_states()
    out = np.concatenate([parity.np(parts(x[:, :2])), parity.np(parts(x[:, 2:]))], axis=1)
    np.testing.assert_allclose(out, parity.np(whole(x)), atol=1e-6)


def test_keras2_hdf5_file_loads(tmp_path, parity):
    """A tf.keras 2.x HDF5 file (written by hand in its layout, as no Keras 2 is installed)."""
    import importlib.util
    import pathlib

    spec = importlib.util.spec_from_file_location(
        "make_keras_files", pathlib.Path(__file__).parents[2] / "fixtures" / "make_keras_files.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    ref = layers.ConvLSTM2D(3, (3, 3), padding="same", return_sequences=False)
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5, 2)).astype("float32")
    ref(x)
    weights = [(np.random.default_rng(i).standard_normal(w.shape) * 0.3).astype("float32")
               for i, w in enumerate(ref.get_weights())]
    ref.set_weights(weights)
    cfg = {"name": "conv_lst_m2d", "trainable": True, "dtype": "float32",
           "batch_input_shape": [None, 3, 5, 5, 2], "return_sequences": False, "return_state": False,
           "go_backwards": False, "stateful": False, "unroll": False, "time_major": False,
           "filters": 3, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same",
           "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "tanh",
           "recurrent_activation": "hard_sigmoid", "use_bias": True,
           "kernel_initializer": mk._init("GlorotUniform"), "recurrent_initializer": mk._init("Orthogonal"),
           "bias_initializer": mk._init("Zeros"), "unit_forget_bias": True, "kernel_regularizer": None,
           "recurrent_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
           "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None,
           "dropout": 0.0, "recurrent_dropout": 0.0}
    config = {"class_name": "Sequential", "config": {"name": "seq", "layers": [
        mk.input2("input_1", [None, 3, 5, 5, 2]), {"class_name": "ConvLSTM2D", "config": cfg}]}}
    names = ["kernel", "recurrent_kernel", "bias"]
    mk.write_keras2_model(tmp_path / "k2.h5", config, [
        ("conv_lst_m2d", [(f"conv_lst_m2d/{n}:0", w) for n, w in zip(names, weights)])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = lamina.models.load_model(tmp_path / "k2.h5", compile=False)
    hard = layers.ConvLSTM2D(3, (3, 3), padding="same", recurrent_activation="hard_sigmoid")
    hard(x)
    hard.set_weights(weights)
    np.testing.assert_allclose(parity.np(model(x)), parity.np(hard(x)), atol=1e-6)
    assert model.layers[0].get_config()["recurrent_activation"] == "hard_sigmoid"
