"""Regression: accuracy metrics on bool and int targets/predictions (addition_rnn's bool one-hots)."""

import numpy as np
import pytest

import lamina as keras
from lamina import layers

Y_TRUE = np.array([[True, False, False], [False, True, False], [False, False, True]])
Y_PRED = np.array([[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]], "float32")


@pytest.mark.parametrize("dtype", ["bool", "int32", "int64", "uint8"])
def test_categorical_accuracy_on_non_float_one_hots(dtype):
    m = keras.metrics.CategoricalAccuracy()
    m.update_state(Y_TRUE.astype(dtype), Y_PRED)
    expected = np.mean(Y_TRUE.argmax(-1) == Y_PRED.argmax(-1))
    assert float(m.result()) == pytest.approx(expected)
    m2 = keras.metrics.CategoricalAccuracy()
    m2.update_state(Y_TRUE.astype("float32"), Y_TRUE.astype(dtype))  # non-float predictions too
    assert float(m2.result()) == 1.0


def test_other_accuracies_on_bool_inputs():
    for cls, y_true, y_pred, expected in [
        (keras.metrics.Accuracy, Y_TRUE, Y_TRUE[[0, 2, 1]], np.mean(Y_TRUE == Y_TRUE[[0, 2, 1]])),
        (keras.metrics.BinaryAccuracy, Y_TRUE, Y_PRED, np.mean(Y_TRUE == (Y_PRED > 0.5))),
        (keras.metrics.SparseCategoricalAccuracy, np.array([0, 0, 2]), Y_TRUE, 2 / 3),
        (keras.metrics.TopKCategoricalAccuracy, Y_TRUE, Y_PRED, 1.0),
    ]:
        m = cls()
        m.update_state(y_true, y_pred)
        assert float(m.result()) == pytest.approx(expected), cls.__name__


def test_fit_with_bool_targets_and_accuracy():
    x = np.random.rand(16, 5, 4).astype("float32")
    y = np.zeros((16, 3, 4), dtype=bool)
    y[np.arange(16)[:, None], np.arange(3)[None], np.random.randint(0, 4, (16, 3))] = True
    model = keras.Sequential([layers.Input((5, 4)), layers.LSTM(8), layers.RepeatVector(3),
                              layers.LSTM(8, return_sequences=True),
                              layers.TimeDistributed(layers.Dense(4, activation="softmax"))])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=1, verbose=0).history
    assert 0.0 <= hist["accuracy"][0] <= 1.0
