"""A small convnet on MNIST digits, in the manner of Keras 2's mnist_cnn.py (Adadelta, channels last)."""

import lamina as keras
from lamina import backend as K
from lamina.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from lamina.models import Sequential
from tests.programs import _data

num_classes = 10
img_rows, img_cols = 28, 28


def main(epochs=3):
    (x_train, y_train), (x_test, y_test) = _data.mnist(n_train=192, n_test=64)
    if K.image_data_format() == "channels_first":
        shape = (1, img_rows, img_cols)
    else:
        shape = (img_rows, img_cols, 1)
    x_train = x_train.reshape((-1,) + shape).astype("float32") / 255
    x_test = x_test.reshape((-1,) + shape).astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = Sequential()
    model.add(Conv2D(16, kernel_size=(3, 3), activation="relu", input_shape=shape))
    model.add(Conv2D(32, (3, 3), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(64, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes, activation="softmax"))
    model.compile(loss=keras.losses.categorical_crossentropy,
                  optimizer=keras.optimizers.Adadelta(learning_rate=1.0), metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=0,
                        validation_data=(x_test, y_test))
    print("Test accuracy:", model.evaluate(x_test, y_test, verbose=0)[1])
    return history.history["loss"]


if __name__ == "__main__":
    main()
