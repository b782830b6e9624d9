"""fit() with the optimizer options that change the compiled step (Nadam's running product,
gradient accumulation, EMA, decoupled weight decay) matches Keras 3 step for step, on every
backend (under JAX these run inside the jitted train step, where the step number is traced)."""

import numpy as np
import pytest

import lamina
from tests.keras3 import keras3

RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 4)).astype("float32")
Y = RNG.standard_normal((16, 1)).astype("float32")
W = [RNG.standard_normal((4, 3)).astype("float32"), np.zeros(3, "float32"),
     RNG.standard_normal((3, 1)).astype("float32"), np.zeros(1, "float32")]

CASES = {
    "nadam": ("Nadam", {"learning_rate": 0.05}),
    "gradient_accumulation": ("Adam", {"learning_rate": 0.05, "gradient_accumulation_steps": 2}),
    "ema": ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.8, "ema_overwrite_frequency": 3}),
    "weight_decay": ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1}),
}


def _fit(module, name, kwargs):
    model = module.Sequential([module.Input((4,)), module.layers.Dense(3, activation="tanh"), module.layers.Dense(1)])
    model.set_weights(W)
    optimizer = getattr(module.optimizers, name)(**kwargs)
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return model.get_weights(), optimizer


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_matches_keras(case):
    keras = keras3()
    name, kwargs = CASES[case]
    ours, opt = _fit(lamina, name, kwargs)
    theirs, _ = _fit(keras, name, kwargs)
    assert max(np.abs(a - w).max() for a, w in zip(ours, W)) > 0.1  # it trained
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=5e-6, rtol=1e-5)
    assert opt.iterations == (4 if case == "gradient_accumulation" else 8)


def test_nadam_running_product_is_carried_through_fit():
    _, opt = _fit(lamina, "Nadam", {"learning_rate": 0.05})
    u = [0.9 * (1 - 0.5 * 0.96 ** t) for t in range(1, 9)]
    np.testing.assert_allclose(float(opt.variables[-1].numpy()), np.prod(u), rtol=1e-6)
