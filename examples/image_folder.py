"""Training from a folder of image files with image_dataset_from_directory.

Writes the bundled digits as PNG files, one subfolder per class (digits/0/..., digits/9/...), the
layout of most image data sets, then streams them from disk: decoded and resized in background
threads, a few batches ahead of the model. The scaling to [0, 1] is done in ``.map``; put
augmentation layers (RandomFlip, RandomRotation, ...) in the model or in ``.map`` the same way.
Runs offline.
"""

import os
import tempfile

import numpy as np

import lamina as keras
from lamina import layers

keras.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
images = np.concatenate([x_train, x_test])
labels = np.concatenate([y_train, y_test])

folder = os.path.join(tempfile.mkdtemp(), "digits")
for i, (image, label) in enumerate(zip(images, labels)):
    os.makedirs(os.path.join(folder, str(label)), exist_ok=True)
    pixels = (image.astype("float32") * (255 / 16)).round()[..., None]  # 0..16 -> 0..255, one channel
    keras.utils.save_img(os.path.join(folder, str(label), f"{i:04d}.png"), pixels, scale=False)
print(f"Wrote {len(images)} PNG files to {folder}")

train, val = keras.utils.image_dataset_from_directory(
    folder, validation_split=0.2, subset="both", seed=1337,
    color_mode="grayscale", image_size=(16, 16), batch_size=32)
print("Classes:", train.class_names)


def scale(x, y):
    return x / 255.0, y


train = train.map(scale).prefetch(2)
val = val.map(scale).prefetch(2)

model = keras.Sequential([
    keras.Input(shape=(16, 16, 1)),
    layers.Conv2D(16, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(32, 3, activation="relu"),
    layers.Flatten(),
    layers.Dropout(0.2),
    layers.Dense(len(train.class_names), activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train, validation_data=val, epochs=5, verbose=2)
loss, accuracy = model.evaluate(val, verbose=0)
print(f"Validation accuracy: {accuracy:.4f}")
