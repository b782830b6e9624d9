"""Topic classification of Reuters newswires with a bag-of-words MLP, as Keras 2's
reuters_mlp.py (binary word matrices, 46 classes)."""

import numpy as np

import lamina as keras
from lamina.layers import Activation, Dense, Dropout
from lamina.models import Sequential
from tests.programs import _data

max_words = 1000
batch_size = 32


def binary_matrix(sequences, num_words):
    out = np.zeros((len(sequences), num_words), "float32")
    for i, ids in enumerate(sequences):
        out[i, [w for w in ids if w < num_words]] = 1.0
    return out


def main(epochs=4):
    (x_train, y_train), (x_test, y_test) = _data.reuters(num_words=max_words)
    num_classes = int(np.max(y_train)) + 1
    x_train = binary_matrix(x_train, max_words)
    x_test = binary_matrix(x_test, max_words)
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = Sequential()
    model.add(Dense(128, input_shape=(max_words,)))
    model.add(Activation("relu"))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0,
                        validation_split=0.1)
    score = model.evaluate(x_test, y_test, batch_size=batch_size, verbose=0)
    print("Test score:", score[0], "Test accuracy:", score[1])
    return history.history["loss"]


if __name__ == "__main__":
    main()
