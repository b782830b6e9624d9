"""Every optimizer lamina exports, and the options every optimizer takes, inside ``fit``: under
JAX that is the compiled train step (the update traced with the step number and the learning rate
as arguments), under torch the eager loop. The weights after a few steps match Keras 3's ``fit``
(on its torch backend) from the same weights, data and batch order."""

import numpy as np
import pytest

import lamina
from tests.keras3 import keras3

RNG = np.random.default_rng(0)
X = RNG.standard_normal((32, 4)).astype("float32")
Y = (X @ RNG.standard_normal((4, 2))).astype("float32")
INIT = [RNG.standard_normal((4, 3)).astype("float32") * 0.5, np.zeros(3, "float32"),
        RNG.standard_normal((3, 2)).astype("float32") * 0.5, np.zeros(2, "float32")]


def _lso(mod, initial_scale=16.0, **inner):
    return mod.optimizers.LossScaleOptimizer(mod.optimizers.Adam(0.01, **inner), initial_scale=initial_scale,
                                             dynamic_growth_steps=2)


def _decay(mod):
    return mod.optimizers.SGD(mod.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5), momentum=0.5)


# (case id, the optimizer of a module: lamina or keras)
CASES = [
    ("SGD-nesterov", lambda m: m.optimizers.SGD(0.05, momentum=0.9, nesterov=True)),
    ("RMSprop-centered", lambda m: m.optimizers.RMSprop(0.01, centered=True, momentum=0.5)),
    ("Adam-amsgrad", lambda m: m.optimizers.Adam(0.01, amsgrad=True)),
    ("AdamW", lambda m: m.optimizers.AdamW(0.01, weight_decay=0.1)),
    ("Adadelta", lambda m: m.optimizers.Adadelta(1.0)),
    ("Adagrad", lambda m: m.optimizers.Adagrad(0.1)),
    ("Adamax", lambda m: m.optimizers.Adamax(0.01)),
    ("Nadam", lambda m: m.optimizers.Nadam(0.01)),
    ("Ftrl", lambda m: m.optimizers.Ftrl(0.1, l1_regularization_strength=0.01,
                                        l2_shrinkage_regularization_strength=0.01)),
    ("Lion", lambda m: m.optimizers.Lion(0.01)),
    ("Lamb", lambda m: m.optimizers.Lamb(0.01)),
    ("Adafactor", lambda m: m.optimizers.Adafactor(0.01)),
    ("Adafactor-schedule", lambda m: m.optimizers.Adafactor(m.optimizers.schedules.ExponentialDecay(0.5, 2, 0.5))),
    ("Muon", lambda m: m.optimizers.Muon(0.01)),
    ("LossScaleOptimizer", _lso),
    # the options of every optimizer
    ("clipnorm", lambda m: m.optimizers.Adam(0.01, clipnorm=0.1)),
    ("clipvalue", lambda m: m.optimizers.Adam(0.01, clipvalue=0.01)),
    ("global_clipnorm", lambda m: m.optimizers.Adam(0.01, global_clipnorm=0.1)),
    ("weight_decay", lambda m: m.optimizers.Adam(0.01, weight_decay=0.05)),
    ("use_ema", lambda m: m.optimizers.SGD(0.05, use_ema=True, ema_overwrite_frequency=3)),
    ("gradient_accumulation_steps", lambda m: m.optimizers.Nadam(0.05, gradient_accumulation_steps=3)),
    ("loss_scale_factor", lambda m: m.optimizers.RMSprop(0.01, loss_scale_factor=256.0)),
    ("schedule", _decay),
    ("LossScaleOptimizer-inner-options", lambda m: _lso(m, clipnorm=0.1, use_ema=True, weight_decay=0.01)),
    ("LossScaleOptimizer-schedule",
     lambda m: m.optimizers.LossScaleOptimizer(_decay(m), initial_scale=16.0, dynamic_growth_steps=3)),
]


def _fit(mod, make, epochs=2, y=Y):
    model = mod.Sequential([mod.Input((4,)), mod.layers.Dense(3, activation="tanh"), mod.layers.Dense(2)])
    model.set_weights(INIT)
    model.compile(make(mod), "mse")
    history = model.fit(X, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    return model, history.history["loss"]


def _numpy(keras_variable):
    return np.asarray(keras_variable.numpy() if hasattr(keras_variable, "numpy") else keras_variable)


def _assert_matches(ours, theirs, our_loss, their_loss):
    moved = max(float(np.abs(w - i).max()) for w, i in zip(ours.get_weights(), INIT))
    assert moved > 1e-3, "the weights did not move: the comparison would prove nothing"
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(our_loss, their_loss, rtol=1e-5)
    opt, kopt = ours.optimizer, theirs.optimizer
    assert opt.iterations == int(_numpy(kopt.iterations))
    assert len(opt.variables) == len(kopt.variables)  # the state, in the order Keras saves it
    for mine, theirs_v in zip(opt.variables, kopt.variables):
        np.testing.assert_allclose(mine.numpy(), _numpy(theirs_v), rtol=1e-5, atol=1e-5)


def test_every_exported_optimizer_has_a_case():
    exported = {name for name in lamina.optimizers.__all__
                if isinstance(getattr(lamina.optimizers, name), type)
                and issubclass(getattr(lamina.optimizers, name), lamina.optimizers.Optimizer)}
    covered = {type(make(lamina)).__name__ for _, make in CASES}
    assert exported - {"Optimizer"} <= covered, exported - covered


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("make", [m for _, m in CASES], ids=[c for c, _ in CASES])
def test_fit_matches_keras(make):
    keras = keras3()
    (ours, our_loss), (theirs, their_loss) = _fit(lamina, make), _fit(keras, make)
    _assert_matches(ours, theirs, our_loss, their_loss)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_loss_scale_optimizer_overflow_in_fit_matches_keras():
    """The second batch of each epoch holds a target of 1e32: its gradients times the scale
    overflow float32, so the step is skipped (weights and inner state unchanged) and the scale
    halves; after 2 finite steps it doubles. Under JAX this happens inside the compiled step
    (lax.cond, nothing read back), traced once."""
    keras = keras3()
    y = Y.copy()
    y[9, 0] = 1e32
    make = lambda m: _lso(m, initial_scale=2.0**30)  # noqa: E731
    ours, our_loss = _fit(lamina, make, y=y)
    theirs, their_loss = _fit(keras, make, y=y)
    _assert_matches(ours, theirs, our_loss, their_loss)
    opt = ours.optimizer
    # per epoch: finite (counter 1), overflow (scale / 2, counter 0), finite, finite (scale * 2)
    assert (opt.dynamic_scale, opt.step_counter, opt.iterations) == (2.0**30, 0, 6)
    assert opt.dynamic_scale == float(_numpy(theirs.optimizer.dynamic_scale))
    if lamina.backend.backend() == "jax":
        assert ours._get_steps()._train_fn()._cache_size() == 1


def test_loss_scale_optimizer_in_a_model_overriding_compute_loss():
    """A compute_loss override runs lamina's own train_step (under JAX as a pure function of the
    state, scaling the loss by the scale held in the optimizer state): same steps as plain fit,
    overflow included."""

    class Custom(lamina.Sequential):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return super().compute_loss(x, y, y_pred, sample_weight, training=training)

    y = Y.copy()
    y[9, 0] = 1e32
    runs = []
    for cls in (Custom, lamina.Sequential):
        model = cls([lamina.Input((4,)), lamina.layers.Dense(3, activation="tanh"), lamina.layers.Dense(2)])
        model.set_weights(INIT)
        model.compile(_lso(lamina, initial_scale=2.0**30), "mse")
        model.fit(X, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        runs.append(model)
    custom, plain = runs
    for a, b in zip(custom.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for opt in (custom.optimizer, plain.optimizer):
        assert (opt.dynamic_scale, opt.step_counter, opt.iterations) == (2.0**30, 0, 6)
