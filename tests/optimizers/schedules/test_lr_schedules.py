import math
import warnings

import numpy as np
import pytest

from lamina.optimizers import schedules
from tests.keras3 import keras3

STEPS = [0, 1, 5, 9, 10, 11, 25, 100, 250]

CASES = {
    "ExponentialDecay": [
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True},
    ],
    "InverseTimeDecay": [
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 2.0, "staircase": True},
    ],
    "PiecewiseConstantDecay": [{"boundaries": [10, 25], "values": [1.0, 0.5, 0.1]}],
    "PolynomialDecay": [
        {"initial_learning_rate": 0.1, "decay_steps": 100},
        {"initial_learning_rate": 0.1, "decay_steps": 20, "end_learning_rate": 0.01, "power": 2.0, "cycle": True},
    ],
    "CosineDecay": [
        {"initial_learning_rate": 0.1, "decay_steps": 100, "alpha": 0.1},
        {"initial_learning_rate": 0.0, "decay_steps": 100, "warmup_target": 0.2, "warmup_steps": 10},
    ],
    "CosineDecayRestarts": [
        {"initial_learning_rate": 0.1, "first_decay_steps": 10},
        {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1},
    ],
}
ALL = [(name, kwargs) for name, cases in CASES.items() for kwargs in cases]


def formula(name, k, step):
    """The published formulas, written out independently of the implementation."""
    if name == "ExponentialDecay":
        p = step / k["decay_steps"]
        p = math.floor(p) if k.get("staircase") else p
        return k["initial_learning_rate"] * k["decay_rate"] ** p
    if name == "InverseTimeDecay":
        p = step / k["decay_steps"]
        p = math.floor(p) if k.get("staircase") else p
        return k["initial_learning_rate"] / (1 + k["decay_rate"] * p)
    if name == "PiecewiseConstantDecay":
        for boundary, value in zip(k["boundaries"], k["values"]):
            if step <= boundary:
                return value
        return k["values"][-1]
    if name == "PolynomialDecay":
        lr0, end, n = k["initial_learning_rate"], k.get("end_learning_rate", 1e-4), k["decay_steps"]
        if k.get("cycle"):
            n = n * max(1, math.ceil(step / n))
        else:
            step = min(step, n)
        return (lr0 - end) * (1 - step / n) ** k.get("power", 1.0) + end
    if name == "CosineDecay":
        lr0, n, alpha = k["initial_learning_rate"], k["decay_steps"], k.get("alpha", 0.0)
        target, warm = k.get("warmup_target"), k.get("warmup_steps", 0)
        if target is not None and step < warm:
            return lr0 + (target - lr0) * step / warm
        start = lr0 if target is None else target
        s = min(step - warm, n)
        return start * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / n)) + alpha)
    if name == "CosineDecayRestarts":
        lr0, length, alpha = k["initial_learning_rate"], k["first_decay_steps"], k.get("alpha", 0.0)
        t_mul, m_mul = k.get("t_mul", 2.0), k.get("m_mul", 1.0)
        start, i = 0, 0
        while step >= start + length * t_mul**i:  # walk the restart periods
            start += length * t_mul**i
            i += 1
        fraction = (step - start) / (length * t_mul**i)
        return lr0 * ((1 - alpha) * m_mul**i * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha)
    raise AssertionError(name)


@pytest.mark.parametrize("name,kwargs", ALL)
def test_values_match_the_formula(name, kwargs):
    schedule = getattr(schedules, name)(**kwargs)
    values = [schedule(step) for step in STEPS]
    assert all(isinstance(v, float) for v in values)
    np.testing.assert_allclose(values, [formula(name, kwargs, s) for s in STEPS], rtol=1e-9, atol=1e-12)
    assert len(set(values)) > 1


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
@pytest.mark.parametrize("name,kwargs", ALL)
def test_values_and_config_match_keras(name, kwargs):
    keras = keras3()
    ours = getattr(schedules, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        expected = [float(keras.ops.convert_to_numpy(theirs(step))) for step in STEPS]
    np.testing.assert_allclose([ours(step) for step in STEPS], expected, rtol=1e-5, atol=1e-8)
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("name,kwargs", ALL)
def test_serialize_round_trip(name, kwargs):
    schedule = getattr(schedules, name)(**kwargs)
    config = schedules.serialize(schedule)
    assert config["module"] == "keras.optimizers.schedules" and config["class_name"] == name
    again = schedules.deserialize(config)
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert [again(s) for s in STEPS] == [schedule(s) for s in STEPS]


@pytest.mark.parametrize("name", ["ExponentialDecay", "InverseTimeDecay", "PolynomialDecay", "CosineDecay"])
def test_decay_steps_must_be_positive(name):
    with pytest.raises(ValueError, match=rf"{name}: `decay_steps` must be a number > 0 .*; received decay_steps=0"):
        getattr(schedules, name)(0.1, 0, *([0.5] if "Time" in name or "Exp" in name else []))


def test_piecewise_lengths_must_agree():
    with pytest.raises(ValueError, match="`boundaries` must have one element fewer than `values`"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="`boundaries` must be increasing"):
        schedules.PiecewiseConstantDecay([5, 2], [0.1, 0.2, 0.3])


def test_unknown_schedule_name():
    with pytest.raises(ValueError, match=r"Unknown learning rate schedule identifier: 'ExponentialDeca'\. Did you mean 'ExponentialDecay'\?"):
        schedules.deserialize({"class_name": "ExponentialDeca", "config": {}})


def test_custom_schedule():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, step):
            return self.rate / 2**step

        def get_config(self):
            return {"rate": self.rate}

    config = schedules.serialize(Halving(1.0))
    assert schedules.deserialize(config, custom_objects={"Halving": Halving})(3) == 0.125
    with pytest.raises(NotImplementedError, match="must implement `get_config\\(\\)`"):
        schedules.LearningRateSchedule().get_config()
