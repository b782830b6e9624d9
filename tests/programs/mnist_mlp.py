"""A two-hidden-layer perceptron on MNIST digits, in the manner of Keras 2's mnist_mlp.py."""

import lamina as keras
from lamina.layers import Dense, Dropout
from lamina.models import Sequential
from lamina.optimizers import RMSprop
from tests.programs import _data

batch_size = 64
num_classes = 10


def main(epochs=4):
    (x_train, y_train), (x_test, y_test) = _data.mnist()
    x_train = x_train.reshape(-1, 784).astype("float32") / 255
    x_test = x_test.reshape(-1, 784).astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = Sequential()
    model.add(Dense(256, activation="relu", input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(256, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(num_classes, activation="softmax"))
    model.summary()
    model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2,
                        validation_data=(x_test, y_test))
    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])
    return history.history["loss"]


if __name__ == "__main__":
    main()
