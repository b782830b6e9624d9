"""Text classification from scratch as in Keras 3's gallery: integer token ids, an Embedding,
a strided Conv1D stack, global max pooling and a sigmoid output; plus the simpler
Embedding + GlobalAveragePooling1D bag-of-embeddings model."""

import numpy as np

import lamina as keras
from lamina import layers
from tests.programs import _data

max_features = 1000
sequence_length = 100
embedding_dim = 32


def conv_model():
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(max_features, embedding_dim)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(32, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.Conv1D(32, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(32, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    return keras.Model(inputs, predictions)


def pooling_model():
    return keras.Sequential([
        keras.Input(shape=(sequence_length,), dtype="int32"),
        layers.Embedding(max_features, 16),
        layers.GlobalAveragePooling1D(),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])


def main(epochs=4):
    (x_train, y_train), (x_test, y_test) = _data.imdb(num_words=max_features)
    x_train = keras.utils.pad_sequences(x_train, maxlen=sequence_length)
    x_test = keras.utils.pad_sequences(x_test, maxlen=sequence_length)
    y_train, y_test = y_train.astype("float32"), y_test.astype("float32")

    model = conv_model()
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, validation_data=(x_test, y_test), epochs=epochs,
                        batch_size=32, verbose=0)
    model.evaluate(x_test, y_test, verbose=0)

    simple = pooling_model()
    simple.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    h = simple.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    probabilities = simple.predict(x_test[:4], verbose=0)
    assert probabilities.shape == (4, 1) and np.all((probabilities >= 0) & (probabilities <= 1))
    return history.history["loss"]


if __name__ == "__main__":
    main()
