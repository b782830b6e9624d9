"""Newswire topics from raw text with Keras 2's Tokenizer: fit_on_texts, texts_to_sequences,
sequences_to_matrix(mode='binary') into an MLP, and to_categorical labels."""

import numpy as np

import lamina as keras
from lamina.layers import Activation, Dense, Dropout
from lamina.models import Sequential
from lamina.preprocessing.text import Tokenizer
from tests.programs import _data

max_words = 200


def main(epochs=4):
    texts, labels = _data.newswires()
    split = int(0.8 * len(texts))
    tokenizer = Tokenizer(num_words=max_words, oov_token="<unk>")
    tokenizer.fit_on_texts(texts[:split])
    print("Found", len(tokenizer.word_index), "unique tokens")
    sequences = tokenizer.texts_to_sequences(texts)
    x = tokenizer.sequences_to_matrix(sequences, mode="binary")
    num_classes = int(np.max(labels)) + 1
    y = keras.utils.to_categorical(labels, num_classes)
    x_train, y_train, x_test, y_test = x[:split], y[:split], x[split:], y[split:]

    model = Sequential()
    model.add(Dense(64, input_shape=(max_words,)))
    model.add(Activation("relu"))
    model.add(Dropout(0.3))
    model.add(Dense(num_classes))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=0)
    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test score:", score[0], "Test accuracy:", score[1])
    return history.history["loss"]


if __name__ == "__main__":
    main()
