"""fastText-style IMDB classifier: bigram features, an Embedding and average pooling, as Keras 2's
imdb_fasttext.py."""

import numpy as np

from lamina.layers import Dense, Embedding, GlobalAveragePooling1D
from lamina.models import Sequential
from lamina.preprocessing import sequence
from tests.programs import _data

ngram_range = 2
max_features = 1000
maxlen = 150


def ngram_set(ids, n):
    return set(zip(*[ids[i:] for i in range(n)]))


def add_ngram(sequences, token_indice, n):
    out = []
    for ids in sequences:
        extra = [token_indice[g] for k in range(2, n + 1) for g in zip(*[ids[i:] for i in range(k)])
                 if g in token_indice]
        out.append(list(ids) + extra)
    return out


def main(epochs=4):
    (x_train, y_train), (x_test, y_test) = _data.imdb(num_words=max_features)
    grams = set()
    for ids in x_train:
        grams |= ngram_set(ids, ngram_range)
    token_indice = {g: max_features + i for i, g in enumerate(sorted(grams))}
    vocab = max(token_indice.values()) + 1
    x_train = sequence.pad_sequences(add_ngram(x_train, token_indice, ngram_range), maxlen=maxlen)
    x_test = sequence.pad_sequences(add_ngram(x_test, token_indice, ngram_range), maxlen=maxlen)
    print("Average train sequence length:", np.mean([len(s) for s in x_train]))

    model = Sequential()
    model.add(Embedding(vocab, 16, input_length=maxlen))
    model.add(GlobalAveragePooling1D())
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=0,
                        validation_data=(x_test, y_test))
    return history.history["loss"]


if __name__ == "__main__":
    main()
