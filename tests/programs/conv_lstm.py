"""Next-frame prediction of moving squares with stacked ConvLSTM2D layers, batch normalization and
a Conv3D output, as Keras 2's conv_lstm.py (imported through the Keras 2 path
``layers.convolutional_recurrent``)."""

import numpy as np

from lamina.layers import BatchNormalization, Conv3D
from lamina.layers.convolutional_recurrent import ConvLSTM2D
from lamina.models import Sequential

rows = cols = 16
frames = 6


def generate_movies(n_samples=48, seed=0):
    """Squares that move one pixel per frame; the target is the next frame."""
    rng = np.random.default_rng(seed)
    movies = np.zeros((n_samples, frames + 1, rows, cols, 1), dtype="float32")
    for i in range(n_samples):
        for _ in range(int(rng.integers(1, 3))):
            x, y = rng.integers(2, rows - 6, size=2)
            dx, dy = rng.integers(-1, 2, size=2)
            w = int(rng.integers(2, 4))
            for t in range(frames + 1):
                xt, yt = x + dx * t, y + dy * t
                movies[i, t, max(xt, 0):xt + w, max(yt, 0):yt + w, 0] = 1.0
    return movies[:, :-1], movies[:, 1:]


def main(epochs=3):
    noisy_movies, shifted_movies = generate_movies()
    seq = Sequential()
    seq.add(ConvLSTM2D(filters=8, kernel_size=(3, 3), input_shape=(None, rows, cols, 1),
                       padding="same", return_sequences=True))
    seq.add(BatchNormalization())
    seq.add(ConvLSTM2D(filters=8, kernel_size=(3, 3), padding="same", return_sequences=True))
    seq.add(BatchNormalization())
    seq.add(Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same",
                   data_format="channels_last"))
    seq.compile(loss="binary_crossentropy", optimizer="adam")
    history = seq.fit(noisy_movies[:40], shifted_movies[:40], batch_size=8, epochs=epochs,
                      validation_split=0.1, verbose=0)
    track = noisy_movies[40][:3][np.newaxis]
    for _ in range(2):  # predict two frames ahead, feeding the predictions back
        new_pos = seq.predict(track, verbose=0)
        track = np.concatenate((track, new_pos[:, -1:]), axis=1)
    print("predicted track shape:", track.shape)
    return history.history["loss"]


if __name__ == "__main__":
    main()
