"""Hierarchical RNN on MNIST: an LSTM over each row, then an LSTM over the row encodings
(TimeDistributed), as in Keras 2's mnist_hierarchical_rnn.py."""

import lamina as keras
from lamina.layers import LSTM, Dense, Input, TimeDistributed
from lamina.models import Model
from tests.programs import _data

row_hidden = 16
col_hidden = 16


def main(epochs=3):
    (x_train, y_train), (x_test, y_test) = _data.mnist(n_train=128, n_test=32)
    x_train = x_train.reshape(-1, 14, 2, 14, 2).mean((2, 4))[..., None].astype("float32") / 255
    x_test = x_test.reshape(-1, 14, 2, 14, 2).mean((2, 4))[..., None].astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

    row, col, pixel = x_train.shape[1:]
    x = Input(shape=(row, col, pixel))
    encoded_rows = TimeDistributed(LSTM(row_hidden))(x)
    encoded_columns = LSTM(col_hidden)(encoded_rows)
    prediction = Dense(10, activation="softmax")(encoded_columns)
    model = Model(x, prediction)
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=0,
                        validation_data=(x_test, y_test))
    scores = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", scores[0], "Test accuracy:", scores[1])
    return history.history["loss"]


if __name__ == "__main__":
    main()
