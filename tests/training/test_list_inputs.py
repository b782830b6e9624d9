"""Regression: Python lists as fit/evaluate/predict data (imdb_bidirectional_lstm's lists)."""

import numpy as np
import pytest

import lamina as keras
from lamina import layers


def _model():
    model = keras.Sequential([layers.Input((3,), dtype="int32"), layers.Embedding(10, 4),
                              layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


X = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]]
Y = [0, 1, 1, 0]


@pytest.mark.parametrize("x, y", [(X, Y), (X, np.array(Y)), (np.array(X), Y)])
def test_rectangular_lists_are_arrays(x, y):
    model = _model()
    model.fit(x, y, epochs=1, batch_size=2, verbose=0)
    as_list = model.evaluate(x, y, verbose=0)
    as_array = model.evaluate(np.array(X), np.array(Y), verbose=0)
    np.testing.assert_allclose(as_list, as_array, rtol=1e-6)
    np.testing.assert_allclose(model.predict(X, verbose=0), model.predict(np.array(X), verbose=0))
    assert model.train_on_batch(X, Y) is not None


def test_ragged_lists_are_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"x is a ragged Python list.*\[2, 3\].*pad_sequences"):
        _model().fit([[1, 2], [1, 2, 3]], [0, 1], verbose=0)


def test_a_list_of_arrays_is_still_several_inputs():
    a, b = keras.Input((2,)), keras.Input((3,))
    model = keras.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    model.compile("sgd", "mse")
    model.fit([np.ones((4, 2)), np.ones((4, 3))], [[1.0], [2.0], [3.0], [4.0]], verbose=0)
