"""Sentiment of IMDB reviews with an Embedding and an LSTM, as Keras 2's imdb_lstm.py."""

from lamina.layers import LSTM, Dense, Embedding
from lamina.models import Sequential
from lamina.preprocessing import sequence
from tests.programs import _data

max_features = 1000
maxlen = 40
batch_size = 32


def main(epochs=3):
    (x_train, y_train), (x_test, y_test) = _data.imdb(num_words=max_features)
    print(len(x_train), "train sequences", len(x_test), "test sequences")
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
    print("x_train shape:", x_train.shape)

    model = Sequential()
    model.add(Embedding(max_features, 32))
    model.add(LSTM(32, dropout=0.2, recurrent_dropout=0.2))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0,
                        validation_data=(x_test, y_test))
    score, acc = model.evaluate(x_test, y_test, batch_size=batch_size, verbose=0)
    print("Test score:", score, "Test accuracy:", acc)
    return history.history["loss"]


if __name__ == "__main__":
    main()
