"""A custom layer, the antirectifier (centre, L2-normalise, then concatenate the positive and the
negative parts), in a Sequential MNIST model, as Keras 2's antirectifier.py and the Keras 3
recipe; written with keras.ops and with get_config, compute_output_shape."""

import lamina as keras
from lamina import layers, ops
from tests.programs import _data


class Antirectifier(layers.Layer):
    def __init__(self, initializer="he_normal", **kwargs):
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        dim = input_shape[-1]
        self.kernel = self.add_weight(shape=(dim * 2, dim), initializer=self.initializer,
                                      name="kernel", trainable=True)

    def call(self, inputs):
        inputs -= ops.mean(inputs, axis=-1, keepdims=True)
        pos = ops.relu(inputs)
        neg = ops.relu(-inputs)
        concatenated = ops.concatenate([pos, neg], axis=-1)
        return ops.matmul(concatenated, self.kernel)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["initializer"] = keras.initializers.serialize(self.initializer)
        return config


def main(epochs=4):
    (x_train, y_train), (x_test, y_test) = _data.mnist()
    x_train = x_train.reshape(-1, 784).astype("float32") / 255
    x_test = x_test.reshape(-1, 784).astype("float32") / 255
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(64),
        Antirectifier(),
        layers.Dense(64),
        Antirectifier(),
        layers.Dropout(0.3),
        layers.Dense(10),
    ])
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.RMSprop(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    history = model.fit(x_train, y_train, batch_size=64, epochs=epochs, validation_split=0.15,
                        verbose=0)
    model.evaluate(x_test, y_test, verbose=0)
    clone = Antirectifier.from_config(model.layers[1].get_config())
    assert clone.get_config()["initializer"] == model.layers[1].get_config()["initializer"]
    return history.history["loss"]


if __name__ == "__main__":
    main()
