"""Character-level text generation with an LSTM, sampling with a temperature from a
LambdaCallback at each epoch end, as Keras 2's lstm_text_generation.py."""

import numpy as np

from lamina.callbacks import LambdaCallback
from lamina.layers import LSTM, Dense
from lamina.models import Sequential
from lamina.optimizers import RMSprop
from tests.programs import _data

maxlen = 20
step = 3


def sample(preds, temperature=1.0):
    preds = np.log(np.asarray(preds).astype("float64") + 1e-9) / temperature
    probs = np.exp(preds) / np.sum(np.exp(preds))
    return int(np.argmax(np.random.multinomial(1, probs, 1)))


def main(epochs=3):
    text = _data.text(n_words=600)
    chars = sorted(set(text))
    char_indices = {c: i for i, c in enumerate(chars)}
    indices_char = dict(enumerate(chars))
    sentences = [text[i: i + maxlen] for i in range(0, len(text) - maxlen, step)]
    next_chars = [text[i + maxlen] for i in range(0, len(text) - maxlen, step)]
    print("nb sequences:", len(sentences))
    x = np.zeros((len(sentences), maxlen, len(chars)), dtype=bool)
    y = np.zeros((len(sentences), len(chars)), dtype=bool)
    for i, sentence in enumerate(sentences):
        for t, char in enumerate(sentence):
            x[i, t, char_indices[char]] = 1
        y[i, char_indices[next_chars[i]]] = 1

    model = Sequential()
    model.add(LSTM(64, input_shape=(maxlen, len(chars))))
    model.add(Dense(len(chars), activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=RMSprop(learning_rate=0.01))

    def on_epoch_end(epoch, _logs):
        start = np.random.randint(0, len(text) - maxlen - 1)
        for diversity in [0.5, 1.0]:
            sentence = text[start: start + maxlen]
            generated = sentence
            for _ in range(20):
                x_pred = np.zeros((1, maxlen, len(chars)))
                for t, char in enumerate(sentence):
                    x_pred[0, t, char_indices[char]] = 1.0
                next_char = indices_char[sample(model.predict(x_pred, verbose=0)[0], diversity)]
                sentence = sentence[1:] + next_char
                generated += next_char
            print(f"epoch {epoch} diversity {diversity}: {generated!r}")

    history = model.fit(x, y, batch_size=64, epochs=epochs, verbose=0,
                        callbacks=[LambdaCallback(on_epoch_end=on_epoch_end)])
    return history.history["loss"]


if __name__ == "__main__":
    main()
