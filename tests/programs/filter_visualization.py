"""Gradient ascent on the input image to maximise one convolution filter, the way Keras 2's
conv_filter_visualization did it: the layer's symbolic output, K.mean of one channel,
K.gradients with respect to the model input, normalised by its RMS, and K.function to iterate.

The classifier is trained briefly first, then two of its filters are visualised; the program
checks that the ascent raises each filter's activation and returns the training losses."""

import numpy as np

import lamina as keras
from lamina import backend as K
from lamina.layers import Conv2D, Dense, Flatten, MaxPooling2D
from lamina.models import Sequential
from tests.programs import _data

img_width = img_height = 28


def normalize(x):
    # utility function to normalize a tensor by its L2 norm
    return x / (K.sqrt(K.mean(K.square(x))) + K.epsilon())


def main(epochs=2, ascent_steps=8):
    keras.utils.set_random_seed(0)
    (x_train, y_train), _ = _data.mnist()
    x_train = (x_train.astype("float32") / 255)[..., None]
    y_train = keras.utils.to_categorical(y_train, 10)
    model = Sequential([
        Conv2D(8, (3, 3), activation="relu", input_shape=(img_height, img_width, 1),
               name="block1_conv1"),
        MaxPooling2D(),
        Conv2D(16, (3, 3), activation="relu", name="block2_conv1"),
        Flatten(),
        Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    losses = model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0).history["loss"]

    input_img = model.input
    layer_dict = {layer.name: layer for layer in model.layers}
    layer_output = layer_dict["block2_conv1"].output
    activations = []
    for filter_index in range(16):
        if len(activations) == 2:
            break
        loss = K.mean(layer_output[:, :, :, filter_index])
        grads = normalize(K.gradients(loss, input_img)[0])
        iterate = K.function([input_img], [loss, grads])
        rng = np.random.default_rng(filter_index)
        image = (rng.random((1, img_height, img_width, 1)) * 0.2 + 0.4).astype("float32")
        step = 0.5
        values = []
        for _ in range(ascent_steps):
            loss_value, grads_value = iterate([image])
            if float(loss_value) <= 0.0:
                break  # some filters stay at 0 (dead ReLUs): skip them, as the example did
            image += grads_value * step
            values.append(float(loss_value))
        if len(values) < ascent_steps:
            continue
        print("filter", filter_index, "activation", values[0], "->", values[-1])
        activations.append(values)
    # the ascent must raise every visualised filter's activation
    assert len(activations) == 2 and all(v[-1] > v[0] for v in activations), activations
    return losses


if __name__ == "__main__":
    main()
