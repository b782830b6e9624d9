"""compile(jit_compile=...): torch.compile'd steps train like eager ones."""

import numpy as np
import pytest

import lamina as keras


def _model(jit_compile):
    keras.utils.set_random_seed(11)
    model = keras.Sequential([keras.layers.Input((6,)), keras.layers.Dense(12, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"],
                  jit_compile=jit_compile)
    return model


@pytest.mark.torch_only  # the eager and torch.compile forwards of the torch Steps
def test_jit_compile_values_and_auto_is_eager_here():
    with pytest.raises(ValueError, match=r"jit_compile='yes'.*expected True .*False .*'auto'"):
        _model("yes")
    for value in ("auto", False):
        model = _model(value)
        steps = model._get_steps()
        assert steps._forward == steps._eager_forward  # eager: nothing compiled
    # run_eagerly=True wins over jit_compile=True
    model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", jit_compile=True, run_eagerly=True)
    assert model._get_steps()._forward == model._get_steps()._eager_forward


@pytest.mark.slow  # torch.compile on CPU takes minutes on a loaded 2-core machine
def test_jit_compile_true_trains_like_eager():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(70, 6)).astype("float32")  # 70 = 4 batches of 16 + a partial batch of 6
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 70)]
    eager, jit = _model(False), _model(True)
    assert jit._get_steps()._forward != jit._get_steps()._eager_forward
    h_eager = eager.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    h_jit = jit.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    for a, b in zip(eager.get_weights(), jit.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)
    assert not np.allclose(eager.get_weights()[0], _model(False).get_weights()[0])  # it trained
    np.testing.assert_allclose(h_jit.history["loss"], h_eager.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(jit.predict(x, batch_size=32, verbose=0),
                               eager.predict(x, batch_size=32, verbose=0), rtol=1e-4, atol=1e-5)
    assert jit.evaluate(x, y, verbose=0) == pytest.approx(eager.evaluate(x, y, verbose=0), rel=1e-4)
