"""Customizing what happens in fit() with the torch backend, as Keras 3's guide does it: a Model
subclass built functionally with its own train_step (zero_grad, backward, optimizer.apply), a
variant that tracks its own metrics, and an overridden test_step."""

import numpy as np
import torch

import lamina as keras
from lamina import layers


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class LowLevelModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.loss_fn(y, y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        # Listed here so that fit() resets them before each epoch.
        return [self.loss_tracker, self.mae_metric]


def build(cls):
    inputs = keras.Input(shape=(32,))
    hidden = layers.Dense(32, activation="relu")(inputs)
    return cls(inputs, layers.Dense(1)(hidden))


def main(epochs=5):
    x = np.random.random((256, 32)).astype("float32")
    y = (x[:, :4].sum(axis=1, keepdims=True) - 2.0).astype("float32")

    model = build(CustomModel)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=epochs, verbose=0)
    loss, mae = model.evaluate(x, y, verbose=0)
    print(f"custom train_step: loss {loss:.4f} mae {mae:.4f}")

    low = build(LowLevelModel)
    low.compile(optimizer="adam")
    low_history = low.fit(x, y, epochs=epochs, verbose=0)
    assert low_history.history["loss"][-1] < low_history.history["loss"][0]
    return history.history["loss"]


if __name__ == "__main__":
    main()
