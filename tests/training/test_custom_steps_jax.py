"""Keras 3's JAX form of a custom step: train_step(self, state, data) -> (logs, state).

Runs under LAMINA_BACKEND=jax only (the form uses jax.value_and_grad); the torch form is tested in
test_custom_steps.py.
"""

import numpy as np
import pytest

import lamina as keras
from lamina import layers, ops

if keras.backend.backend() != "jax":
    pytest.skip("Keras 3's JAX step form: run with LAMINA_BACKEND=jax", allow_module_level=True)

import jax  # noqa: E402

TRACES = []


class JaxGuideModel(keras.Model):
    """The JAX version of Keras's 'Customizing what happens in fit()' guide."""

    def compute_loss_and_updates(self, trainable, non_trainable, x, y, training=False):
        y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x, training=training)
        return self.compute_loss(x, y, y_pred), (y_pred, non_trainable)

    def train_step(self, state, data):
        TRACES.append(type(data[0]).__name__)
        trainable, non_trainable, optimizer_vars, metrics_vars = state
        x, y = data
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable)), grads = grad_fn(trainable, non_trainable, x, y, training=True)
        trainable, optimizer_vars = self.optimizer.stateless_apply(optimizer_vars, grads, trainable)
        logs, new_metrics_vars = {}, []
        for metric in self.metrics:
            n = len(metric.variables)
            mine = metrics_vars[len(new_metrics_vars):len(new_metrics_vars) + n]
            if metric.name == "loss":
                mine = metric.stateless_update_state(mine, loss)
            else:
                mine = metric.stateless_update_state(mine, y, y_pred)
            logs[metric.name] = metric.stateless_result(mine)
            new_metrics_vars += mine
        return logs, (trainable, non_trainable, optimizer_vars, new_metrics_vars)


def _data(n=32):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, x @ np.array([[1.0], [-2.0], [0.5], [0.0]], "float32")


def _functional(cls=keras.Model, dropout=False):
    inputs = keras.Input((4,))
    h = layers.Dense(3, activation="tanh", kernel_initializer="glorot_uniform")(inputs)
    if dropout:
        h = layers.Dropout(0.3)(h)
    h = layers.BatchNormalization()(h)
    return cls(inputs, layers.Dense(1, kernel_initializer="ones")(h))


@pytest.mark.parametrize("mode, optimizer", [("jit", "Adam"), ("jit", "Nadam"), ("jit", "accumulating_SGD"),
                                             ("run_eagerly", "Adam"), ("jit_compile_false", "Nadam")])
def test_jax_form_train_step_matches_the_builtin_step(mode, optimizer):
    x, y = _data()
    models = []
    for cls in (JaxGuideModel, keras.Model):
        keras.utils.set_random_seed(1)
        m = _functional(cls)
        opt = (keras.optimizers.SGD(0.1, momentum=0.9, gradient_accumulation_steps=2)
               if optimizer == "accumulating_SGD" else getattr(keras.optimizers, optimizer)(0.05))
        kw = {"run_eagerly": True} if mode == "run_eagerly" and cls is JaxGuideModel else {}
        kw = {"jit_compile": False} if mode == "jit_compile_false" and cls is JaxGuideModel else kw
        m.compile(optimizer=opt, loss="mse", metrics=["mae"], **kw)
        models.append(m)
    custom, plain = models
    for a, b in zip(custom.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)
    TRACES.clear()
    hc = custom.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    hp = plain.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hc["loss"], hp["loss"], rtol=1e-5)
    np.testing.assert_allclose(hc["mae"], hp["mae"], rtol=1e-5)
    assert hc["loss"][-1] < hc["loss"][0]
    for a, b in zip(custom.get_weights(), plain.get_weights()):  # incl. BatchNorm's statistics
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert custom.optimizer.iterations == plain.optimizer.iterations == (6 if optimizer == "accumulating_SGD" else 12)
    for a, b in zip(custom.optimizer.variables, plain.optimizer.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
    # jitted: traced once, with tracers; eager: one Python call per batch, on arrays
    if mode == "jit":
        assert len(TRACES) == 1 and "Tracer" in TRACES[0]
    else:
        assert len(TRACES) == 12 and "Tracer" not in TRACES[0]


def test_train_on_batch_and_callbacks_see_the_new_weights():
    x, y = _data()
    model = _functional(JaxGuideModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = model.get_weights()
    seen = []
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[
        keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen.append(model.get_weights()[0].copy()))])
    assert len(seen) == 4 and not np.array_equal(seen[0], seen[1])
    loss = model.train_on_batch(x[:8], y[:8])
    assert np.isfinite(loss) and model.optimizer.iterations == 5
    assert not np.array_equal(model.get_weights()[0], before[0])


def test_dropout_masks_change_from_step_to_step_inside_the_jitted_step():
    x, y = _data(8)
    model = _functional(JaxGuideModel, dropout=True)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")  # lr 0: only the mask varies
    losses = [model.train_on_batch(x, y) for _ in range(3)]
    assert len(set(np.round(losses, 6))) == 3


def test_jax_form_test_step_and_predict_step():
    class Stateful(keras.Model):
        def test_step(self, state, data):
            trainable, non_trainable, metrics_vars = state
            x, y = data
            y_pred, non_trainable = self.stateless_call(trainable, non_trainable, x, training=False)
            return {"double_mae": 2 * ops.mean(ops.abs(y - y_pred))}, (trainable, non_trainable, metrics_vars)

        def predict_step(self, state, data):
            trainable, non_trainable = state
            y_pred, non_trainable = self.stateless_call(trainable, non_trainable, data, training=False)
            return {"y": y_pred, "twice": 2 * y_pred}, non_trainable

    x, y = _data(10)
    model = _functional(Stateful)
    model.compile("sgd", "mse")
    out = model.predict(x, batch_size=4, verbose=0)
    np.testing.assert_allclose(out["y"], _functional_reference(model, x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["twice"], 2 * out["y"], rtol=1e-6)
    logs = model.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["double_mae"], 2 * np.abs(y - out["y"]).mean(), rtol=1e-5)


def _functional_reference(model, x):
    plain = _functional()
    plain.set_weights(model.get_weights())
    return plain.predict(x, verbose=0)


def test_one_argument_train_step_says_how_to_write_the_jax_form():
    class TorchStyle(keras.Model):
        def train_step(self, data):
            x, y = data
            loss = self.compute_loss(y=y, y_pred=self(x, training=True))
            loss.backward()
            return {"loss": loss}

    x, y = _data(8)
    model = _functional(TorchStyle)
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match=r"(?s)TorchStyle.train_step\(self, data\) cannot run under the JAX "
                                        r"backend: JAX has no gradient tape.*def train_step\(self, state, data\).*"
                                        r"stateless_apply.*torch backend"):
        model.fit(x, y, verbose=0)
