"""IMDB sentiment with a bidirectional LSTM, as Keras 2's imdb_bidirectional_lstm.py; the labels
stay Python lists, as they do when a script forgets np.array()."""

from lamina.layers import LSTM, Bidirectional, Dense, Dropout, Embedding
from lamina.models import Sequential
from lamina.preprocessing import sequence
from tests.programs import _data

max_features = 1000
maxlen = 50


def main(epochs=3):
    (x_train, y_train), (x_test, y_test) = _data.imdb(num_words=max_features)
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen).tolist()
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
    y_train = [int(v) for v in y_train]

    model = Sequential()
    model.add(Embedding(max_features, 32, input_length=maxlen))
    model.add(Bidirectional(LSTM(16)))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation="sigmoid"))
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=0,
                        validation_data=(x_test, y_test))
    return history.history["loss"]


if __name__ == "__main__":
    main()
