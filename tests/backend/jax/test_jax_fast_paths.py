"""The JAX backend's fast paths keep their meaning (run in a subprocess with LAMINA_BACKEND=jax):
the one-sample predict's cached variable list and jitted function follow set_weights, new layers
and trainable flips, and trace once; the abstract warm-up (jax.eval_shape) leaves the first fit
with a handful of compiles instead of one per eager op, and still builds lazily built metrics
(AUC, a user metric creating its variables on the first update); the jitted metrics result
matches NumPy."""

import textwrap

import pytest

pytest.importorskip("jax")

from tests.backend.jax._subprocess import run  # noqa: E402

PREDICT = textwrap.dedent("""
    import json, numpy as np
    import lamina
    from lamina import layers
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 5)).astype("float32")
    model = lamina.Sequential([layers.Dense(4, activation="relu", input_shape=(5,)), layers.Dense(3)])

    def numpy_forward(m, x):
        h = x
        for i, layer in enumerate(m.layers):
            w, b = layer.get_weights()
            h = h @ w + b
            if i < len(m.layers) - 1:
                h = np.maximum(h, 0)
        return h

    out = {}
    p = model.predict(x, verbose=0)
    out["first"] = float(np.abs(p - numpy_forward(model, x)).max())
    steps = model._get_steps()
    fn = steps._pred[2]
    for _ in range(5):
        model.predict(x, verbose=0)
        model.predict_on_batch(x)
    out["same_fn"] = steps._pred[2] is fn
    out["traces"] = fn._cache_size()
    model.set_weights([w + 1.0 for w in model.get_weights()])
    out["after_set_weights"] = float(np.abs(model.predict(x, verbose=0) - numpy_forward(model, x)).max())
    model.layers[0].trainable = False
    out["after_freeze"] = float(np.abs(model.predict_on_batch(x) - numpy_forward(model, x)).max())
    model.add(layers.Dense(2))
    p = model.predict(x, verbose=0)
    out["after_add_shape"] = list(p.shape)
    out["after_add"] = float(np.abs(p - numpy_forward(model, x)).max())
    model.pop()
    out["after_pop"] = float(np.abs(model.predict(x, verbose=0) - numpy_forward(model, x)).max())
    seen = []
    class Spy(lamina.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            seen.append(batch)
    model.predict(x, verbose=0, callbacks=[Spy()])
    out["callback_batches"] = seen
    out["float64_input"] = float(np.abs(model.predict(x.astype("float64"), verbose=0)
                                        - numpy_forward(model, x)).max())
    print(json.dumps(out))
""")


def test_predict_cache_follows_the_model():
    out = run("jax", PREDICT)
    assert out["first"] < 1e-5
    assert out["same_fn"] and out["traces"] == 1
    assert out["after_set_weights"] < 1e-5
    assert out["after_freeze"] < 1e-5
    assert out["after_add_shape"] == [1, 2] and out["after_add"] < 1e-5
    assert out["after_pop"] < 1e-5
    assert out["callback_batches"] == [0]
    assert out["float64_input"] < 1e-5


FIRST_FIT = textwrap.dedent("""
    import json, numpy as np, jax
    import lamina
    from lamina import layers
    compiles = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda name, secs, **kw: compiles.append(name) if name == "/jax/core/compile/backend_compile_duration" else None)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")

    class FirstUpdateMetric(lamina.metrics.Metric):
        # a user metric that makes its variable on the first update (not lamina's own)
        def __init__(self, name="pos_rate", **kw):
            super().__init__(name=name, **kw)
            self.total = None
        def update_state(self, y_true, y_pred, sample_weight=None):
            if self.total is None:
                self.total = self.add_variable((), name="total")
                self.count = self.add_variable((), name="count")
            self.total.assign_add(lamina.ops.sum(lamina.ops.cast(y_pred[:, 1] > 0.5, "float32")))
            self.count.assign_add(lamina.ops.cast(lamina.ops.shape(y_pred)[0], "float32"))
        def result(self):
            return self.total / self.count

    def make(metrics, loss="sparse_categorical_crossentropy"):
        m = lamina.Sequential([layers.Dense(16, activation="relu", input_shape=(8,)), layers.Dropout(0.3),
                               layers.Dense(2, activation="softmax")])
        m.compile(optimizer="adam", loss=loss, metrics=metrics)
        return m

    out = {}
    model = make(["accuracy"])
    n0 = len(compiles)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    out["first_fit_compiles"] = len(compiles) - n0
    res = model.evaluate(x, y, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    out["acc"] = res["accuracy"]
    out["numpy_acc"] = float((p.argmax(1) == y).mean())
    m2 = make([lamina.metrics.AUC(), FirstUpdateMetric()], loss="categorical_crossentropy")
    y2 = np.stack([1 - y, y], 1).astype("float32")
    h = m2.fit(x, y2, batch_size=16, epochs=2, verbose=0)
    out["lazy_logs"] = sorted(h.history)
    p2 = m2.predict(x, verbose=0)
    r2 = m2.evaluate(x, y2, verbose=0, return_dict=True)
    out["pos_rate"] = r2["pos_rate"]
    out["numpy_pos_rate"] = float((p2[:, 1] > 0.5).mean())
    print(json.dumps(out))
""")


@pytest.mark.slow
def test_first_fit_compiles_few_programs_and_lazy_metrics_still_build():
    out = run("jax", FIRST_FIT)
    # the train step, the state copies, the optimizer's zero slots and the metrics' result: a
    # handful; an eager warm-up pass compiled one program per op (about 30 for this model)
    assert out["first_fit_compiles"] <= 12, out
    assert abs(out["acc"] - out["numpy_acc"]) < 1e-6
    assert out["lazy_logs"] == ["auc", "loss", "pos_rate"]
    assert abs(out["pos_rate"] - out["numpy_pos_rate"]) < 1e-6
