"""IMDB sentiment with a 1D convnet over word embeddings, as Keras 2's imdb_cnn.py."""

from lamina.layers import Activation, Conv1D, Dense, Dropout, Embedding, GlobalMaxPooling1D
from lamina.models import Sequential
from lamina.preprocessing import sequence
from tests.programs import _data

max_features = 1000
maxlen = 100
embedding_dims = 32
filters = 32
kernel_size = 3
hidden_dims = 32


def main(epochs=3):
    (x_train, y_train), (x_test, y_test) = _data.imdb(num_words=max_features)
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)

    model = Sequential()
    model.add(Embedding(max_features, embedding_dims, input_length=maxlen))
    model.add(Dropout(0.2))
    model.add(Conv1D(filters, kernel_size, padding="valid", activation="relu", strides=1))
    model.add(GlobalMaxPooling1D())
    model.add(Dense(hidden_dims))
    model.add(Dropout(0.2))
    model.add(Activation("relu"))
    model.add(Dense(1))
    model.add(Activation("sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=0,
                        validation_data=(x_test, y_test))
    return history.history["loss"]


if __name__ == "__main__":
    main()
