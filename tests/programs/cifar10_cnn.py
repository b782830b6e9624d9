"""A VGG-like convnet on CIFAR-10 images, as Keras 2's cifar10_cnn.py (RMSprop with decay, model
saved at the end)."""

import os
import tempfile

import lamina as keras
from lamina.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from lamina.models import Sequential
from tests.programs import _data

batch_size = 32
num_classes = 10


def main(epochs=3):
    (x_train, y_train), (x_test, y_test) = _data.cifar10()
    print("x_train shape:", x_train.shape)
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = Sequential()
    model.add(Conv2D(16, (3, 3), padding="same", input_shape=x_train.shape[1:]))
    model.add(Activation("relu"))
    model.add(Conv2D(16, (3, 3)))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Conv2D(32, (3, 3), padding="same"))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(64))
    model.add(Activation("relu"))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes))
    model.add(Activation("softmax"))

    opt = keras.optimizers.RMSprop(learning_rate=0.0005, decay=1e-6)
    model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0,
                        validation_data=(x_test, y_test), shuffle=True)

    save_dir = tempfile.mkdtemp()
    model_path = os.path.join(save_dir, "keras_cifar10_trained_model.h5")
    model.save(model_path)
    print("Saved trained model at", model_path)
    reloaded = keras.models.load_model(model_path)
    scores = reloaded.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", scores[0], "Test accuracy:", scores[1])
    return history.history["loss"]


if __name__ == "__main__":
    main()
