"""The classic Keras mnist_cnn example, on the bundled 8x8 handwritten digits (offline).

Same network as Keras's examples/mnist_cnn.py: two 3x3 convolutions (32 and 64 filters), 2x2 max
pooling, dropout, a 128-unit dense layer and a softmax. The digits are 8x8 rather than 28x28, so
the convolutions use padding='same' to keep the maps at 8x8 (4x4 after pooling). Prints the test
accuracy (about 0.98).

    python examples/mnist_cnn.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import lamina as keras  # noqa: E402
from lamina import layers  # noqa: E402

batch_size = 32
num_classes = 10
epochs = 40
img_rows, img_cols = 8, 8

keras.utils.set_random_seed(1)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()

if keras.backend.image_data_format() == "channels_first":
    x_train = x_train.reshape(x_train.shape[0], 1, img_rows, img_cols)
    x_test = x_test.reshape(x_test.shape[0], 1, img_rows, img_cols)
    input_shape = (1, img_rows, img_cols)
else:
    x_train = x_train.reshape(x_train.shape[0], img_rows, img_cols, 1)
    x_test = x_test.reshape(x_test.shape[0], img_rows, img_cols, 1)
    input_shape = (img_rows, img_cols, 1)
x_train = x_train.astype("float32") / 16.0
x_test = x_test.astype("float32") / 16.0
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")

y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = keras.Sequential()
model.add(layers.Conv2D(32, kernel_size=(3, 3), padding="same", activation="relu", input_shape=input_shape))
model.add(layers.Conv2D(64, (3, 3), padding="same", activation="relu"))
model.add(layers.MaxPooling2D(pool_size=(2, 2)))
model.add(layers.Dropout(0.25))
model.add(layers.Flatten())
model.add(layers.Dense(128, activation="relu"))
model.add(layers.Dropout(0.5))
model.add(layers.Dense(num_classes, activation="softmax"))

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2, validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", round(float(score[0]), 4))
print("Test accuracy:", round(float(score[1]), 4))
