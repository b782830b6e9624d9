"""The functional API: two inputs, two outputs, a shared layer, per-output losses and metrics.

Input 1 is the 8x8 digit image, input 2 its row and column ink profiles; the model predicts the
digit (softmax) and whether it is even (sigmoid). Runs offline on the bundled digits.
"""

import numpy as np

import lamina as keras
from lamina import layers

keras.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()


def features(x):
    img = x.astype("float32")[..., None] / 16.0
    profile = np.concatenate([img.sum(axis=(2, 3)), img.sum(axis=(1, 3))], axis=1) / 8.0
    return {"image": img, "profile": profile}


def targets(y):
    return {"digit": y, "even": (y % 2 == 0).astype("float32")[:, None]}


image = keras.Input(shape=(8, 8, 1), name="image")
profile = keras.Input(shape=(16,), name="profile")
x = layers.Conv2D(16, 3, padding="same", activation="relu")(image)
x = layers.Flatten()(x)
shared = layers.Dense(32, activation="relu", name="shared")
h = layers.concatenate([shared(layers.Dense(16)(x)), shared(layers.Dense(16)(profile))])
digit = layers.Dense(10, activation="softmax", name="digit")(h)
even = layers.Dense(1, activation="sigmoid", name="even")(h)
model = keras.Model(inputs={"image": image, "profile": profile}, outputs={"digit": digit, "even": even})
model.summary()
model.compile(optimizer="adam",
              loss={"digit": "sparse_categorical_crossentropy", "even": "binary_crossentropy"},
              loss_weights={"digit": 1.0, "even": 0.5},
              metrics={"digit": ["accuracy"], "even": ["accuracy"]})
model.fit(features(x_train), targets(y_train), batch_size=32, epochs=20, verbose=2, validation_split=0.1)
results = model.evaluate(features(x_test), targets(y_test), verbose=0, return_dict=True)
print({k: round(v, 4) for k, v in results.items()})
