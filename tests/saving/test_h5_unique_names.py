"""Regression: every weight of a saved .h5 model gets its own dataset (lstm_seq2seq's 's2s.h5')."""

import numpy as np

import lamina as keras
from lamina import layers


def _seq2seq():
    enc_in = keras.Input((None, 5))
    _, h, c = layers.LSTM(8, return_state=True)(enc_in)
    dec_in = keras.Input((None, 6))
    seq, _, _ = layers.LSTM(8, return_sequences=True, return_state=True)(dec_in, initial_state=[h, c])
    model = keras.Model([enc_in, dec_in], layers.Dense(6, activation="softmax")(seq))
    model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
    return model


def test_seq2seq_with_optimizer_state_saves_and_loads(tmp_path):
    import h5py

    model = _seq2seq()
    rng = np.random.default_rng(0)
    x = [rng.random((8, 4, 5)), rng.random((8, 3, 6))]
    y = np.eye(6)[rng.integers(0, 6, (8, 3))]
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "s2s.h5")
    model.save(path)
    with h5py.File(path) as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["optimizer_weights"].attrs["weight_names"]]
    assert len(names) == len(set(names)) == len(model.optimizer.variables)
    loaded = keras.models.load_model(path)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_allclose(model.predict(x, verbose=0), loaded.predict(x, verbose=0), rtol=1e-6)


def test_shared_weight_names_nested_models_and_cells(tmp_path):
    class TwoW(layers.Layer):
        def build(self, shape):
            self.a = self.add_weight(shape=(shape[-1], 2), name="w")
            self.b = self.add_weight(shape=(2,), name="w")

        def call(self, x):
            return x @ self.a + self.b

    inner = keras.Sequential([layers.Input((2,)), layers.Dense(2), layers.Dense(2)], name="inner")
    seq_in = keras.Input((4, 3))
    cells = layers.RNN([layers.LSTMCell(2), layers.LSTMCell(2)])(seq_in)
    both = layers.Bidirectional(layers.GRU(2))(seq_in)
    out = layers.Concatenate()([inner(TwoW()(cells)), both])
    model = keras.Model(seq_in, out)
    model.compile("adam", "mse")
    model.fit(np.ones((4, 4, 3)), np.ones((4, 6)), verbose=0)
    path = str(tmp_path / "m.h5")
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"TwoW": TwoW})
    assert len(loaded.get_weights()) == len(model.get_weights())
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
