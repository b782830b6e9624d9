"""Transfer learning on MNIST: train a convnet on digits 0-4, freeze its feature layers and train
a new head on digits 5-9, as Keras 2's mnist_transfer_cnn.py."""

import lamina as keras
from lamina.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from lamina.models import Sequential
from tests.programs import _data

num_classes = 5
input_shape = (28, 28, 1)


def train(model, train, test, epochs):
    x_train = train[0].reshape((-1,) + input_shape).astype("float32") / 255
    x_test = test[0].reshape((-1,) + input_shape).astype("float32") / 255
    y_train = keras.utils.to_categorical(train[1], num_classes)
    y_test = keras.utils.to_categorical(test[1], num_classes)
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adadelta(learning_rate=1.0),
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=0,
                        validation_data=(x_test, y_test))
    print("Test accuracy:", model.evaluate(x_test, y_test, verbose=0)[1])
    return history.history["loss"]


def main(epochs=3):
    (x_train, y_train), (x_test, y_test) = _data.mnist(n_train=256, n_test=64)
    lt5, lt5_test = y_train < 5, y_test < 5
    train_lt5 = (x_train[lt5], y_train[lt5])
    test_lt5 = (x_test[lt5_test], y_test[lt5_test])
    train_gte5 = (x_train[~lt5], y_train[~lt5] - 5)
    test_gte5 = (x_test[~lt5_test], y_test[~lt5_test] - 5)

    feature_layers = [
        Conv2D(8, 3, padding="valid", input_shape=input_shape), Activation("relu"),
        Conv2D(8, 3), Activation("relu"), MaxPooling2D(pool_size=2), Dropout(0.25), Flatten(),
    ]
    classification_layers = [
        Dense(32), Activation("relu"), Dropout(0.5), Dense(num_classes), Activation("softmax"),
    ]
    model = Sequential(feature_layers + classification_layers)
    losses = train(model, train_lt5, test_lt5, epochs)
    for layer in feature_layers:
        layer.trainable = False
    frozen = [w.copy() for w in model.layers[0].get_weights()]
    losses += train(model, train_gte5, test_gte5, epochs)
    assert all((a == b).all() for a, b in zip(frozen, model.layers[0].get_weights()))
    return losses[:epochs]


if __name__ == "__main__":
    main()
