import json

import numpy as np
import pytest
import torch

from lamina import optimizers
from tests.keras3 import keras3

# Keras's own NumPy 2 notice when it reads its variables.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

NON_DEFAULT = {
    "SGD": {"momentum": 0.5, "nesterov": True},
    "RMSprop": {"rho": 0.8, "momentum": 0.1, "epsilon": 1e-5, "centered": True},
    "Adam": {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5, "amsgrad": True},
    "AdamW": {"weight_decay": 0.01, "amsgrad": True},
    "Adagrad": {"initial_accumulator_value": 0.2, "epsilon": 1e-5},
    "Adadelta": {"rho": 0.9, "epsilon": 1e-5},
    "Adamax": {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5},
    "Nadam": {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5},
}


@pytest.mark.parametrize("name", ["rmsprop", "RMSprop", "adam", "Adam", "sgd", "adamw", "adagrad", "adadelta",
                                  "adamax", "nadam"])
def test_get_by_name(name):
    opt = optimizers.get(name)
    assert type(opt).__name__.lower() == name.lower()


def test_get_passes_instances_and_none_through():
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None


def test_tutorial_typo_suggests_rmsprop():
    with pytest.raises(ValueError, match=r"Unknown optimizer identifier: 'tmsprop'\. Did you mean 'rmsprop'\?"):
        optimizers.get("tmsprop")


def test_keras_optimizer_missing_from_lamina():
    with pytest.raises(ValueError, match="The Keras optimizer 'ScheduleFreeAdamW' is not available in lamina yet"):
        optimizers.get("ScheduleFreeAdamW")


@pytest.mark.parametrize("identifier,match", [
    (optimizers.Adam, r"pass an instance instead, e.g. Adam\(\)"),
    (42, "Could not interpret optimizer identifier: 42"),
])
def test_get_errors(identifier, match):
    with pytest.raises(ValueError, match=match):
        optimizers.get(identifier)


def test_torch_optimizer_is_refused_with_the_fix():
    torch_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match=r"Use the lamina equivalent, e\.g\. lamina\.optimizers\.Adam"):
        optimizers.get(torch_opt)


@pytest.mark.parametrize("name", sorted(NON_DEFAULT))
def test_serialize_round_trip(name):
    opt = getattr(optimizers, name)(learning_rate=0.02, clipnorm=1.0, name="opt", **NON_DEFAULT[name])
    config = optimizers.serialize(opt)
    assert config["module"] == "keras.optimizers" and config["class_name"] == name
    assert config["registered_name"] is None
    json.dumps(config)
    again = optimizers.deserialize(json.loads(json.dumps(config)))
    assert type(again) is type(opt) and again.get_config() == opt.get_config()
    assert optimizers.get(config).get_config() == opt.get_config()


@pytest.mark.parametrize("name", sorted(NON_DEFAULT))
def test_config_keys_and_defaults_are_keras(name):
    keras = keras3()
    ours = getattr(optimizers, name)().get_config()
    theirs = getattr(keras.optimizers, name)().get_config()
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        if key != "name":
            assert np.isclose(ours[key], value) if isinstance(value, float) else ours[key] == value, key


def test_keras_reads_our_config_and_we_read_keras():
    keras = keras3()
    schedule = optimizers.schedules.CosineDecay(0.1, decay_steps=100, alpha=0.1)
    ours = optimizers.serialize(optimizers.SGD(learning_rate=schedule, momentum=0.9))
    theirs = keras.optimizers.deserialize(json.loads(json.dumps(ours)))
    assert type(theirs).__name__ == "SGD" and theirs.momentum == 0.9
    assert np.isclose(float(theirs.learning_rate), 0.1)  # CosineDecay at step 0
    back = optimizers.deserialize(json.loads(json.dumps(keras.optimizers.serialize(
        keras.optimizers.Adam(learning_rate=0.02, amsgrad=True)))))
    assert isinstance(back, optimizers.Adam) and back.amsgrad and np.isclose(back.learning_rate, 0.02)


def test_schedule_inside_the_config_round_trips():
    schedule = optimizers.schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001])
    config = optimizers.serialize(optimizers.Adam(learning_rate=schedule))
    assert config["config"]["learning_rate"] == {
        "module": "keras.optimizers.schedules", "class_name": "PiecewiseConstantDecay",
        "config": {"boundaries": [10, 20], "values": [0.1, 0.01, 0.001], "name": "PiecewiseConstant"},
        "registered_name": None}
    again = optimizers.deserialize(config)
    again.iterations = 15
    assert again.learning_rate == 0.01


def test_custom_objects():
    class MySGD(optimizers.SGD):
        pass

    config = optimizers.serialize(MySGD(learning_rate=0.3))
    assert config["class_name"] == "MySGD" and config["registered_name"] == "MySGD"
    restored = optimizers.deserialize(config, custom_objects={"MySGD": MySGD})
    assert type(restored) is MySGD and restored.learning_rate == 0.3
    with pytest.raises(ValueError, match="Unknown optimizer identifier: 'MySGD'"):
        optimizers.deserialize(config)


def test_deserialize_needs_a_class_name():
    with pytest.raises(ValueError, match="expects a dict with keys 'class_name' and 'config'"):
        optimizers.deserialize({"config": {}})
