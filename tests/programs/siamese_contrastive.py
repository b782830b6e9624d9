"""A siamese network with a contrastive loss as in Keras 3's gallery: one tower shared by two
inputs, a Lambda computing the Euclidean distance with keras.ops, BatchNormalization and a
sigmoid on the distance, trained on pairs of MNIST-shaped digits."""

import numpy as np

import lamina as keras
from lamina import layers, ops
from tests.programs import _data

margin = 1


def make_pairs(x, y):
    rng = np.random.default_rng(0)
    by_class = [np.where(y == i)[0] for i in range(10)]
    pairs, labels = [], []
    for i in range(len(x)):
        same = rng.choice(by_class[y[i]])
        other_class = (y[i] + rng.integers(1, 10)) % 10
        other = rng.choice(by_class[other_class])
        pairs += [[x[i], x[same]], [x[i], x[other]]]
        labels += [0, 1]
    return np.array(pairs), np.array(labels).astype("float32")


def euclidean_distance(vects):
    x, y = vects
    sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
    return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))


def loss(margin=1):
    def contrastive_loss(y_true, y_pred):
        square_pred = ops.square(y_pred)
        margin_square = ops.square(ops.maximum(margin - y_pred, 0))
        return ops.mean((1 - y_true) * square_pred + y_true * margin_square)

    return contrastive_loss


def main(epochs=4):
    (x_train, y_train), _ = _data.mnist(n_train=128, n_test=1)
    x_train = x_train.astype("float32") / 255
    pairs, labels = make_pairs(x_train, y_train)
    x1, x2 = pairs[:, 0], pairs[:, 1]

    input = layers.Input((28, 28, 1))
    x = layers.BatchNormalization()(input)
    x = layers.Conv2D(4, (5, 5), activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = layers.Conv2D(16, (5, 5), activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.BatchNormalization()(x)
    x = layers.Dense(10, activation="tanh")(x)
    embedding_network = keras.Model(input, x)

    input_1 = layers.Input((28, 28, 1))
    input_2 = layers.Input((28, 28, 1))
    tower_1 = embedding_network(input_1)
    tower_2 = embedding_network(input_2)
    merge_layer = layers.Lambda(euclidean_distance, output_shape=(1,))([tower_1, tower_2])
    normal_layer = layers.BatchNormalization()(merge_layer)
    output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
    siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)
    siamese.compile(loss=loss(margin=margin), optimizer="RMSprop", metrics=["accuracy"])
    history = siamese.fit([x1[..., None], x2[..., None]], labels, batch_size=32, epochs=epochs,
                          validation_split=0.1, verbose=0)
    return history.history["loss"]


if __name__ == "__main__":
    main()
