"""The quickstart's MLP learns the bundled digits data (>= 0.95 test accuracy)."""

import lamina
from lamina import layers


def test_mlp_on_digits_reaches_95_percent():
    lamina.utils.set_random_seed(1)
    (x_train, y_train), (x_test, y_test) = lamina.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
    model = lamina.Sequential([
        lamina.Input(shape=(64,)),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, lamina.utils.to_categorical(y_train, 10), batch_size=32, epochs=30, verbose=0)
    _, acc = model.evaluate(x_test, lamina.utils.to_categorical(y_test, 10), verbose=0)
    assert acc >= 0.95
