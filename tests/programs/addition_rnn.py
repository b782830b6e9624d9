"""Learning to add two numbers given as strings: an LSTM encoder, RepeatVector and an LSTM decoder
with a per-step softmax, as Keras 2's addition_rnn.py (bool one-hot arrays and 'accuracy')."""

import numpy as np

from lamina import layers
from lamina.models import Sequential

DIGITS = 2
MAXLEN = DIGITS + 1 + DIGITS
CHARS = "0123456789+ "


class CharacterTable:
    """One-hot encode strings over a fixed alphabet, and decode probabilities back."""

    def __init__(self, chars):
        self.chars = sorted(set(chars))
        self.char_indices = {c: i for i, c in enumerate(self.chars)}
        self.indices_char = dict(enumerate(self.chars))

    def encode(self, text, num_rows):
        x = np.zeros((num_rows, len(self.chars)), dtype=bool)
        for i, c in enumerate(text):
            x[i, self.char_indices[c]] = True
        return x

    def decode(self, x, calc_argmax=True):
        if calc_argmax:
            x = x.argmax(axis=-1)
        return "".join(self.indices_char[int(i)] for i in x)


def make_questions(n, rng):
    questions, expected, seen = [], [], set()
    while len(questions) < n:
        a, b = (int(rng.integers(0, 10 ** DIGITS)) for _ in range(2))
        if (a, b) in seen:
            continue
        seen.add((a, b))
        q = f"{a}+{b}"
        questions.append(q + " " * (MAXLEN - len(q)))
        ans = str(a + b)
        expected.append(ans + " " * (DIGITS + 1 - len(ans)))
    return questions, expected


def main(epochs=4):
    ctable = CharacterTable(CHARS)
    questions, expected = make_questions(512, np.random.default_rng(0))
    x = np.zeros((len(questions), MAXLEN, len(CHARS)), dtype=bool)
    y = np.zeros((len(questions), DIGITS + 1, len(CHARS)), dtype=bool)
    for i, sentence in enumerate(questions):
        x[i] = ctable.encode(sentence, MAXLEN)
    for i, sentence in enumerate(expected):
        y[i] = ctable.encode(sentence, DIGITS + 1)
    split = len(x) - len(x) // 10
    (x_train, x_val), (y_train, y_val) = (x[:split], x[split:]), (y[:split], y[split:])

    model = Sequential()
    model.add(layers.LSTM(64, input_shape=(MAXLEN, len(CHARS))))
    model.add(layers.RepeatVector(DIGITS + 1))
    model.add(layers.LSTM(64, return_sequences=True))
    model.add(layers.TimeDistributed(layers.Dense(len(CHARS), activation="softmax")))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    losses = []
    for iteration in range(epochs):
        h = model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0,
                      validation_data=(x_val, y_val))
        losses += h.history["loss"]
        row = x_val[:1]
        guess = ctable.decode(model.predict(row, verbose=0)[0])
        print(f"Iteration {iteration}: Q {ctable.decode(row[0])} T {ctable.decode(y_val[0])} guess {guess}")
    return losses


if __name__ == "__main__":
    main()
