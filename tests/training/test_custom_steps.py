"""Keras 3's customizing-fit contract: train_step/test_step/predict_step/compute_loss/metrics."""

import numpy as np
import pytest

import lamina as keras
from lamina import layers, ops
from lamina.errors import LaminaDeprecationWarning


# A train_step(self, data) override takes gradients eagerly (loss.backward()); under JAX a step is
# written in Keras 3's JAX form instead (tests/training/test_custom_steps_jax.py).
TORCH_FORM = pytest.mark.skipif(keras.backend.backend() != "torch",
                                reason="train_step(self, data) needs a gradient tape: torch form")


def _data(n=32):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, x @ np.array([[1.0], [-2.0], [0.5], [0.0]], "float32")


def _functional(cls=keras.Model):
    inputs = keras.Input((4,))
    return cls(inputs, layers.Dense(1, kernel_initializer="ones")(inputs))


class TorchGuideModel(keras.Model):
    """The torch-backend pattern of Keras's 'Customizing what happens in fit()' guide."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        weights = [v for v in self.trainable_weights]
        self.optimizer.apply([v.value.grad for v in weights], weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_a_model_subclass_called_functionally_keeps_its_class_and_methods():
    model = _functional(TorchGuideModel)
    assert isinstance(model, TorchGuideModel) and isinstance(model, keras.models.Functional)
    assert type(model).__name__ == "TorchGuideModel"
    assert model.output_shape == (None, 1)


@TORCH_FORM
def test_train_step_override_runs_and_matches_the_builtin_step_exactly():
    x, y = _data()
    custom, plain = _functional(TorchGuideModel), _functional()
    for m in (custom, plain):
        m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    hc = custom.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    hp = plain.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    # The logs are the last batch's running means (Keras), the built-in loop's are epoch means:
    # both are means over the epoch's batches, so they agree.
    np.testing.assert_allclose(hc["loss"], hp["loss"], rtol=1e-5)
    np.testing.assert_allclose(hc["mae"], hp["mae"], rtol=1e-5)
    for a, b in zip(custom.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert hc["loss"][-1] < hc["loss"][0]


@TORCH_FORM
def test_a_train_step_override_is_called_once_per_batch():
    calls = []

    class Counting(keras.Model):
        def train_step(self, data):
            calls.append(data)
            return super().train_step(data)

    x, y = _data(20)
    model = _functional(Counting)
    model.compile("sgd", "mse")
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert len(calls) == 6
    assert isinstance(calls[0], tuple) and len(calls[0]) == 2 and tuple(calls[0][0].shape) == (8, 4)


@TORCH_FORM
def test_low_level_pattern_with_own_metrics_and_no_compiled_loss():
    class LowLevel(keras.Model):
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
            weights = self.trainable_weights
            self.optimizer.apply_gradients(zip([v.value.grad for v in weights], weights))
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    x, y = _data()
    model = _functional(LowLevel)
    model.compile(optimizer="adam")
    hist = model.fit(x, y, batch_size=8, epochs=4, verbose=0).history
    assert sorted(hist) == ["loss", "mae"] and hist["loss"][-1] < hist["loss"][0]
    # Metrics are reset before each epoch: the epoch-2 mae is not averaged with epoch 1's.
    model.mae_metric.reset_state()
    model.mae_metric.update_state(y, model.predict(x, verbose=0))
    assert abs(float(model.mae_metric.result()) - hist["mae"][-1]) < 0.5


def test_default_metrics_order_is_keras3s():
    model = _functional()
    model.tracked = keras.metrics.Mean(name="tracked")
    model.compile("sgd", "mse", metrics=["mae"])
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics", "tracked"]


def test_compute_loss_override_is_used_by_fit_and_evaluate():
    class L1Model(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return ops.mean(ops.abs(y - y_pred))

    x, y = _data()
    model = _functional(L1Model)
    model.compile("sgd", metrics=["mse"])
    hist = model.fit(x, y, epochs=3, verbose=0).history
    assert hist["loss"][-1] < hist["loss"][0]
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    pred = model.predict(x, verbose=0)
    np.testing.assert_allclose(logs["loss"], np.abs(y - pred).mean(), rtol=1e-4)
    np.testing.assert_allclose(logs["mse"], ((y - pred) ** 2).mean(), rtol=1e-4)


def test_compute_loss_without_the_training_argument_still_works():
    class Old(keras.Model):  # Keras < 3.3 signature
        def compute_loss(self, x, y, y_pred, sample_weight):
            return ops.mean(ops.square(y - y_pred))

    x, y = _data()
    model = _functional(Old)
    model.compile("sgd")
    hist = model.fit(x, y, epochs=2, verbose=0).history
    assert hist["loss"][1] < hist["loss"][0]


def test_test_step_and_predict_step_overrides():
    class Steps(keras.Model):
        def test_step(self, data):
            x, y = data
            return {"double_mae": 2 * ops.mean(ops.abs(y - self(x, training=False)))}

        def predict_step(self, data):
            return {"y": self(data, training=False), "twice": 2 * self(data, training=False)}

    x, y = _data(10)
    model = _functional(Steps)
    model.compile("sgd", "mse")
    out = model.predict(x, batch_size=4, verbose=0)
    assert out["y"].shape == (10, 1)
    np.testing.assert_allclose(out["twice"], 2 * out["y"], rtol=1e-6)
    logs = model.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["double_mae"], 2 * np.abs(y - out["y"]).mean(), rtol=1e-5)


@TORCH_FORM
def test_gan_style_compile_override_with_two_optimizers():
    class Pair(keras.Model):
        def __init__(self):
            super().__init__()
            self.gen = keras.Sequential([layers.Input((2,)), layers.Dense(4)])
            self.disc = keras.Sequential([layers.Input((4,)), layers.Dense(1)])

        def compile(self, g_optimizer, d_optimizer, loss_fn):
            super().compile()
            self.g_optimizer, self.d_optimizer, self.loss_fn = g_optimizer, d_optimizer, loss_fn

        def train_step(self, real):
            noise = ops.convert_to_tensor(np.random.normal(size=(real.shape[0], 2)).astype("float32"))
            self.zero_grad()
            fake = self.gen(noise)
            d_loss = self.loss_fn(ops.ones((real.shape[0], 1)), self.disc(real)) + self.loss_fn(
                ops.zeros((real.shape[0], 1)), self.disc(ops.stop_gradient(fake)))
            d_loss.backward()
            dw = self.disc.trainable_weights
            self.d_optimizer.apply([v.value.grad for v in dw], dw)
            self.zero_grad()
            g_loss = self.loss_fn(ops.ones((real.shape[0], 1)), self.disc(self.gen(noise)))
            g_loss.backward()
            gw = self.gen.trainable_weights
            self.g_optimizer.apply([v.value.grad for v in gw], gw)
            return {"d_loss": d_loss, "g_loss": g_loss}

    gan = Pair()
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                keras.losses.BinaryCrossentropy(from_logits=True))
    before = [w.copy() for w in gan.gen.get_weights() + gan.disc.get_weights()]
    hist = gan.fit(np.random.rand(16, 4).astype("float32"), batch_size=8, epochs=2, verbose=0).history
    assert sorted(hist) == ["d_loss", "g_loss"]
    after = gan.gen.get_weights() + gan.disc.get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(before, after))
    assert gan.d_optimizer.iterations == 4 and gan.g_optimizer.iterations == 4


def test_add_loss_in_a_layer_trains_a_model_compiled_without_loss():
    class Penalty(layers.Layer):
        def call(self, x):
            self.add_loss(ops.mean(ops.square(x - 3.0)))
            return x

    inputs = keras.Input((4,))
    model = keras.Model(inputs, Penalty()(layers.Dense(2)(inputs)))
    model.compile(keras.optimizers.SGD(0.05))
    x, _ = _data()
    hist = model.fit(x, epochs=5, verbose=0).history
    assert hist["loss"][-1] < hist["loss"][0]
    np.testing.assert_allclose(model.evaluate(x, verbose=0),
                               ((model.predict(x, verbose=0) - 3.0) ** 2).mean(), rtol=1e-4)


def test_add_loss_adds_to_the_compiled_loss():
    class Model(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            y = self.dense(x)
            self.add_loss(10.0 * ops.mean(y))
            return y

    x, y = _data()
    model = Model()
    model.compile("sgd", "mse")
    model(x[:1])
    loss = model.evaluate(x, y, batch_size=32, verbose=0)
    pred = model.predict(x, verbose=0)
    np.testing.assert_allclose(loss, ((pred - y) ** 2).mean() + 10 * pred.mean(), rtol=1e-4)


def test_fit_without_any_loss_says_how_to_fix_it():
    model = _functional()
    model.compile("sgd")
    with pytest.raises(ValueError, match="needs a loss.*add_loss"):
        model.fit(*_data(), verbose=0)


@TORCH_FORM
def test_train_step_must_return_a_dict():
    class Bad(keras.Model):
        def train_step(self, data):
            return 1.0

    model = _functional(Bad)
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match="must return a dict"):
        model.fit(*_data(), verbose=0)


@TORCH_FORM
def test_keras2_compiled_loss_and_metrics_warn_and_work():
    class K2(keras.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            loss.backward()
            self.optimizer.apply([v.value.grad for v in self.trainable_weights], self.trainable_weights)
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    model = _functional(K2)
    model.compile("sgd", "mse", metrics=["mae"])
    with pytest.warns(LaminaDeprecationWarning, match="Keras 1/2 spelling") as record:
        hist = model.fit(*_data(), epochs=2, verbose=0).history
    assert any("compute_loss" in str(w.message) for w in record)
    assert any("compute_metrics" in str(w.message) for w in record)
    assert sorted(hist) == ["loss", "mae"] and hist["loss"][1] < hist["loss"][0]


def test_pack_and_unpack_follow_keras():
    from lamina.utils import pack_x_y_sample_weight, unpack_x_y_sample_weight

    x = np.ones(3)
    assert pack_x_y_sample_weight(x) is x
    assert unpack_x_y_sample_weight(x)[0] is x and unpack_x_y_sample_weight((x,))[1:] == (None, None)
    assert len(pack_x_y_sample_weight(x, x, x)) == 3
    with pytest.raises(ValueError, match="tuple of 4"):
        unpack_x_y_sample_weight((x, x, x, x))


def test_symbolic_add_loss_on_a_functional_model_keras2_vae_style():
    inputs = keras.Input((4,))
    hidden = layers.Dense(3, name="hidden")(inputs)
    outputs = layers.Dense(4, name="out")(hidden)
    model = keras.Model(inputs, outputs)
    squared = (outputs - inputs) * (outputs - inputs)
    model.add_loss(layers.Lambda(lambda t: ops.mean(t))(squared))
    model.compile(keras.optimizers.Adam(0.01))
    x, _ = _data()
    hist = model.fit(x, epochs=4, verbose=0).history
    assert hist["loss"][-1] < hist["loss"][0]
    pred = model.predict(x, verbose=0)
    assert pred.shape == (32, 4)
    np.testing.assert_allclose(model.evaluate(x, verbose=0), ((pred - x) ** 2).mean(), rtol=1e-4)
    assert [l.name for l in model.layers] == ["input_layer", "hidden", "out"]
