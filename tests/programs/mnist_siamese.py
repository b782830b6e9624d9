"""A siamese MLP on pairs of MNIST digits with a contrastive loss, in Keras 2's style
(examples/mnist_siamese.py): the distance is a Lambda of K.* functions with an output-shape
function, and the loss and the accuracy are K.* functions of tensors."""

import numpy as np

from lamina import backend as K
from lamina.layers import Dense, Dropout, Flatten, Input, Lambda
from lamina.models import Model
from lamina.optimizers import RMSprop
from tests.programs import _data


def euclidean_distance(vects):
    x, y = vects
    sum_square = K.sum(K.square(x - y), axis=1, keepdims=True)
    return K.sqrt(K.maximum(sum_square, K.epsilon()))


def eucl_dist_output_shape(shapes):
    shape1, _ = shapes
    return (shape1[0], 1)


def contrastive_loss(y_true, y_pred):
    margin = 1
    square_pred = K.square(y_pred)
    margin_square = K.square(K.maximum(margin - y_pred, 0))
    return K.mean(y_true * square_pred + (1 - y_true) * margin_square)


def accuracy(y_true, y_pred):
    return K.mean(K.equal(y_true, K.cast(y_pred < 0.5, y_true.dtype)))


def create_pairs(x, digit_indices):
    pairs, labels = [], []
    n = min(len(d) for d in digit_indices) - 1
    for d in range(10):
        for i in range(n):
            z1, z2 = digit_indices[d][i], digit_indices[d][i + 1]
            pairs += [[x[z1], x[z2]]]
            dn = (d + np.random.randint(1, 10)) % 10
            z1, z2 = digit_indices[d][i], digit_indices[dn][i]
            pairs += [[x[z1], x[z2]]]
            labels += [1, 0]
    return np.array(pairs), np.array(labels).astype("float32")


def create_base_network(input_shape):
    input = Input(shape=input_shape)
    x = Flatten()(input)
    x = Dense(64, activation="relu")(x)
    x = Dropout(0.1)(x)
    x = Dense(64, activation="relu")(x)
    return Model(input, x)


def main(epochs=4):
    (x_train, y_train), _ = _data.mnist(n_train=512, n_test=1)
    x_train = x_train.astype("float32") / 255
    digit_indices = [np.where(y_train == i)[0] for i in range(10)]
    tr_pairs, tr_y = create_pairs(x_train, digit_indices)

    base_network = create_base_network(x_train.shape[1:])
    input_a = Input(shape=x_train.shape[1:])
    input_b = Input(shape=x_train.shape[1:])
    processed_a = base_network(input_a)
    processed_b = base_network(input_b)
    distance = Lambda(euclidean_distance, output_shape=eucl_dist_output_shape)([processed_a, processed_b])
    model = Model([input_a, input_b], distance)
    model.compile(loss=contrastive_loss, optimizer=RMSprop(), metrics=[accuracy])
    history = model.fit([tr_pairs[:, 0], tr_pairs[:, 1]], tr_y, batch_size=32, epochs=epochs,
                        verbose=0)
    return history.history["loss"]


if __name__ == "__main__":
    main()
