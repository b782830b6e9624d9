"""Pixel-by-pixel MNIST with an identity-initialised ReLU RNN (IRNN), as Keras 2's mnist_irnn.py."""

import lamina as keras
from lamina.initializers import Identity, RandomNormal
from lamina.layers import Activation, Dense, SimpleRNN
from lamina.models import Sequential
from lamina.optimizers import RMSprop
from tests.programs import _data

hidden_units = 32
learning_rate = 1e-5


def main(epochs=3):
    (x_train, y_train), (x_test, y_test) = _data.mnist(n_train=128, n_test=32)
    # 7x7 images pooled from the 28x28 ones keep the sequence short: 49 steps of one pixel.
    x_train = x_train.reshape(-1, 7, 4, 7, 4).mean((2, 4)).reshape(-1, 49, 1).astype("float32") / 255
    x_test = x_test.reshape(-1, 7, 4, 7, 4).mean((2, 4)).reshape(-1, 49, 1).astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

    model = Sequential()
    model.add(SimpleRNN(hidden_units,
                        kernel_initializer=RandomNormal(stddev=0.001),
                        recurrent_initializer=Identity(gain=1.0),
                        activation="relu",
                        input_shape=x_train.shape[1:]))
    model.add(Dense(10))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=RMSprop(learning_rate=learning_rate * 100),
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=0,
                        validation_data=(x_test, y_test))
    print("IRNN test accuracy:", model.evaluate(x_test, y_test, verbose=0)[1])
    return history.history["loss"]


if __name__ == "__main__":
    main()
