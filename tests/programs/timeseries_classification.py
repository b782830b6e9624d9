"""Timeseries classification from scratch as in Keras 3's gallery (FordA-shaped data): a fully
convolutional Conv1D/BatchNormalization/ReLU network with global average pooling, trained with
ModelCheckpoint, ReduceLROnPlateau and EarlyStopping callbacks, then reloaded from the checkpoint."""

import os
import tempfile

import numpy as np

import lamina as keras
from tests.programs import _data


def make_model(input_shape, num_classes):
    input_layer = keras.layers.Input(input_shape)
    x = input_layer
    for _ in range(3):
        x = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
    gap = keras.layers.GlobalAveragePooling1D()(x)
    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
    return keras.models.Model(inputs=input_layer, outputs=output_layer)


def main(epochs=5):
    x_train, y_train = _data.timeseries(n=128)
    x_test, y_test = _data.timeseries(n=32, seed=1)
    num_classes = len(np.unique(y_train))
    idx = np.random.permutation(len(x_train))
    x_train, y_train = x_train[idx], y_train[idx]

    model = make_model(input_shape=x_train.shape[1:], num_classes=num_classes)
    path = os.path.join(tempfile.mkdtemp(), "best_model.keras")
    callbacks = [
        keras.callbacks.ModelCheckpoint(path, save_best_only=True, monitor="val_loss"),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=20, min_lr=0.0001),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=50, verbose=1),
    ]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, callbacks=callbacks,
                        validation_split=0.2, verbose=0)
    best = keras.models.load_model(path)
    test_loss, test_acc = best.evaluate(x_test, y_test, verbose=0)
    print("Test accuracy", test_acc, "Test loss", test_loss)
    return history.history["loss"]


if __name__ == "__main__":
    main()
