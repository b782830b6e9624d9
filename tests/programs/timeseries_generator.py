"""Next-step forecasting of a noisy sine wave with Keras 2's TimeseriesGenerator feeding an LSTM
through fit_generator / evaluate_generator."""

import numpy as np

from lamina.layers import LSTM, Dense
from lamina.models import Sequential
from lamina.preprocessing.sequence import TimeseriesGenerator

look_back = 12


def main(epochs=4):
    rng = np.random.default_rng(0)
    t = np.arange(600, dtype="float32")
    series = (np.sin(t / 8.0) + 0.1 * rng.normal(size=t.shape)).astype("float32")[:, None]
    train, test = series[:480], series[480:]
    train_gen = TimeseriesGenerator(train, train, length=look_back, batch_size=32)
    test_gen = TimeseriesGenerator(test, test, length=look_back, batch_size=32)

    model = Sequential()
    model.add(LSTM(16, input_shape=(look_back, 1)))
    model.add(Dense(1))
    model.compile(loss="mean_squared_error", optimizer="adam")
    history = model.fit_generator(train_gen, epochs=epochs, verbose=0, shuffle=True)
    print("Test MSE:", model.evaluate_generator(test_gen, verbose=0))
    return history.history["loss"]


if __name__ == "__main__":
    main()
