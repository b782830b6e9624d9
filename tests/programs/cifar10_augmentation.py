"""A small CIFAR-10 convnet trained on augmented batches from Keras 2's ImageDataGenerator
(feature-wise centering fitted on the data, shifts, flips, rotation), with fit_generator."""

import lamina as keras
from lamina.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from lamina.models import Sequential
from lamina.preprocessing.image import ImageDataGenerator
from tests.programs import _data

batch_size = 32
num_classes = 10


def main(epochs=3):
    (x_train, y_train), (x_test, y_test) = _data.cifar10()
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255

    model = Sequential()
    model.add(Conv2D(16, (3, 3), padding="same", input_shape=x_train.shape[1:]))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Conv2D(32, (3, 3)))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(64))
    model.add(Activation("relu"))
    model.add(Dense(num_classes))
    model.add(Activation("softmax"))
    opt = keras.optimizers.RMSprop(lr=0.001, decay=1e-6)
    model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])

    datagen = ImageDataGenerator(
        featurewise_center=True,
        rotation_range=10,
        width_shift_range=0.1,
        height_shift_range=0.1,
        horizontal_flip=True,
        fill_mode="nearest")
    datagen.fit(x_train)
    history = model.fit_generator(datagen.flow(x_train, y_train, batch_size=batch_size, seed=1),
                                  steps_per_epoch=len(x_train) // batch_size, epochs=epochs,
                                  verbose=0)
    test_gen = ImageDataGenerator(featurewise_center=True)
    test_gen.mean = datagen.mean
    scores = model.evaluate(test_gen.flow(x_test, y_test, batch_size=batch_size, shuffle=False),
                            verbose=0)
    print("Test loss:", scores[0], "Test accuracy:", scores[1])
    return history.history["loss"]


if __name__ == "__main__":
    main()
