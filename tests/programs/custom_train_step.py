"""Customizing what happens in fit(), as Keras 3's guide does it for the backend in use: a Model
subclass built functionally with its own train_step, a variant that tracks its own metrics, and an
overridden test_step. Under torch the step takes gradients with backward() and applies them with
optimizer.apply; under JAX it is the guide's pure function of the state (jax.value_and_grad,
optimizer.stateless_apply, the metrics' stateless updates)."""

import numpy as np

import lamina as keras
from lamina import layers


def _test_step(self, data):
    x, y = data
    y_pred = self(x, training=False)
    loss = self.compute_loss(y=y, y_pred=y_pred)
    for metric in self.metrics:
        if metric.name == "loss":
            metric.update_state(loss)
        else:
            metric.update_state(y, y_pred)
    return {m.name: m.result() for m in self.metrics}


class TorchCustomModel(keras.Model):
    def train_step(self, data):
        import torch

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

    test_step = _test_step


class TorchLowLevelModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        import torch

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


class JaxCustomModel(keras.Model):
    def compute_loss_and_updates(self, trainable, non_trainable, x, y, training=False):
        y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x, training=training)
        return self.compute_loss(x, y, y_pred), (y_pred, non_trainable)

    def train_step(self, state, data):
        import jax

        trainable, non_trainable, optimizer_vars, metrics_vars = state
        x, y = data
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable)), grads = grad_fn(trainable, non_trainable, x, y, training=True)
        trainable, optimizer_vars = self.optimizer.stateless_apply(optimizer_vars, grads, trainable)
        logs, new_metrics_vars = {}, []
        for metric in self.metrics:
            mine = metrics_vars[len(new_metrics_vars):len(new_metrics_vars) + len(metric.variables)]
            if metric.name == "loss":
                mine = metric.stateless_update_state(mine, loss)
            else:
                mine = metric.stateless_update_state(mine, y, y_pred)
            logs[metric.name] = metric.stateless_result(mine)
            new_metrics_vars += mine
        return logs, (trainable, non_trainable, optimizer_vars, new_metrics_vars)

    test_step = _test_step


class JaxLowLevelModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def compute_loss_and_updates(self, trainable, non_trainable, x, y, training=False):
        y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x, training=training)
        return self.loss_fn(y, y_pred), (y_pred, non_trainable)

    def train_step(self, state, data):
        import jax

        trainable, non_trainable, optimizer_vars, metrics_vars = state
        x, y = data
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable)), grads = grad_fn(trainable, non_trainable, x, y, training=True)
        trainable, optimizer_vars = self.optimizer.stateless_apply(optimizer_vars, grads, trainable)
        n = len(self.loss_tracker.variables)
        loss_vars = self.loss_tracker.stateless_update_state(metrics_vars[:n], loss)
        mae_vars = self.mae_metric.stateless_update_state(metrics_vars[n:], y, y_pred)
        logs = {"loss": self.loss_tracker.stateless_result(loss_vars),
                "mae": self.mae_metric.stateless_result(mae_vars)}
        return logs, (trainable, non_trainable, optimizer_vars, list(loss_vars) + list(mae_vars))

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


JAX = keras.backend.backend() == "jax"
CustomModel = JaxCustomModel if JAX else TorchCustomModel
LowLevelModel = JaxLowLevelModel if JAX else TorchLowLevelModel


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
