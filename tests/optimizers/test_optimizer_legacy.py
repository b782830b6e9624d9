"""Keras 1/2 spellings: lr=, decay=, optimizer.lr, and configs written by Keras 2 / tf.keras."""

import numpy as np
import pytest
from optimizer_cases import assert_close, problem, run_lamina, run_numpy

import lamina
from lamina import optimizers

Deprecation = lamina.errors.LaminaDeprecationWarning


def test_lr_is_learning_rate_with_a_warning_pointing_at_the_caller():
    with pytest.warns(Deprecation, match="`lr=` is a Keras 1/2 spelling.*Write `learning_rate=` instead") as record:
        opt = optimizers.Adam(lr=0.01)
    assert opt.learning_rate == 0.01
    assert record[0].filename == __file__
    with pytest.warns(Deprecation) as record:
        optimizers.AdamW(lr=0.02)  # one class deeper: still reported at the caller
    assert record[0].filename == __file__


def test_decay_is_keras_2_time_based_decay():
    init, grads = problem(steps=5)
    with pytest.warns(Deprecation, match=r"`decay=` .*lamina\.optimizers\.schedules\.InverseTimeDecay"):
        opt = optimizers.SGD(learning_rate=0.1, decay=0.5)
    ours = run_lamina(opt, init, grads)
    # Keras 2: lr_t = lr / (1 + decay * iterations), iterations counted before the update.
    assert_close(ours, run_numpy(lambda t, w, g, s: w - 0.1 / (1 + 0.5 * (t - 1)) * g, {}, init, grads))
    assert np.isclose(opt.learning_rate, 0.1 / (1 + 0.5 * 5))
    config = opt.get_config()["learning_rate"]
    assert config["class_name"] == "InverseTimeDecay"
    assert config["config"] == {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5,
                                "staircase": False, "name": "InverseTimeDecay"}


def test_setting_the_rate_keeps_the_legacy_decay():
    with pytest.warns(Deprecation):
        opt = optimizers.SGD(learning_rate=0.1, decay=1.0)
    opt.iterations = 1
    opt.learning_rate = 0.4  # Keras 2's K.set_value(opt.lr, 0.4) changed the base rate only
    assert np.isclose(opt.learning_rate, 0.2)


def test_zero_decay_keeps_a_float_rate():
    with pytest.warns(Deprecation):
        opt = optimizers.RMSprop(decay=0.0)
    assert opt.get_config()["learning_rate"] == 0.001
    assert [v.name for v in opt.variables] == ["iteration", "learning_rate"]


def test_decay_with_a_schedule_is_refused():
    schedule = optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)
    with pytest.warns(Deprecation), pytest.raises(ValueError, match="cannot be combined with a learning-rate schedule"):
        optimizers.SGD(learning_rate=schedule, decay=0.1)


def test_optimizer_lr_attribute():
    opt = optimizers.SGD(learning_rate=0.1)
    with pytest.warns(Deprecation, match="`optimizer.lr` is a Keras 1/2 spelling"):
        assert opt.lr == 0.1
    with pytest.warns(Deprecation):
        opt.lr = 0.3
    assert opt.learning_rate == 0.3


def test_keras_2_configs_load_without_warnings():
    # Written by Keras 2.2 (lr, decay) and tf.keras 2.11+ ("Custom>Adam", is_legacy_optimizer...).
    old = optimizers.deserialize({"class_name": "SGD", "config": {
        "name": "SGD", "lr": 0.01, "momentum": 0.9, "decay": 1e-6, "nesterov": False}})
    assert isinstance(old, optimizers.SGD) and old.momentum == 0.9
    assert old.get_config()["learning_rate"]["config"]["decay_rate"] == 1e-6
    tf = optimizers.deserialize({"class_name": "Custom>Adam", "config": {
        "name": "Adam", "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
        "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None, "jit_compile": True,
        "is_legacy_optimizer": False, "learning_rate": 0.0010000000474974513, "beta_1": 0.9,
        "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}})
    assert isinstance(tf, optimizers.Adam) and np.isclose(tf.learning_rate, 0.001)
