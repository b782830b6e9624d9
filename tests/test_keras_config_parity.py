"""Config parity with Keras 3.15: one walk over every class the two libraries share.

For each public class of keras.{layers, optimizers, optimizers.schedules, losses, metrics,
initializers, regularizers, constraints} that lamina also has:

- every Keras constructor argument exists in lamina with the same default;
- ``get_config()`` of the same object built in both has the same keys and values;
- Keras's config loads into the lamina class and lamina's config into the Keras class.

Classes Keras has and lamina lacks are listed in ``KNOWN_MISSING`` with a reason: the walk fails
when one appears (a new Keras) or when lamina adds one (then move it into the walk).
"""

from __future__ import annotations

import inspect
import json
import os
import re
import sys
import warnings

import numpy as np
import pytest

import lamina
from tests.keras3 import keras3

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn.t accept a copy keyword")

keras = keras3()

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "layers"))
from test_config_roundtrip import SAMPLES  # noqa: E402  (one table of sample layer arguments)

MODULES = ("layers", "optimizers", "optimizers.schedules", "losses", "metrics", "initializers",
           "regularizers", "constraints")

_AUGMENT = "image augmentation layer not written yet"
KNOWN_MISSING = {
    "layers": {
        "ContrastLimitedAdaptiveHistogramEqualization": _AUGMENT,
        "MaxNumBoundingBoxes": "bounding-box preprocessing not written yet",
        "FlaxLayer": "needs the JAX backend (planned)",
        "JaxLayer": "needs the JAX backend (planned)",
        "TFSMLayer": "TensorFlow SavedModel: lamina does not depend on TensorFlow",
    },
    "optimizers": {
        "ScheduleFreeAdamW": "optimizer not written yet",
        "MultiOptimizer": "per-variable optimizers not written yet",
        "OptimizerMap": "per-variable optimizers not written yet",
    },
    "optimizers.schedules": {},
    "losses": {},
    "metrics": {},
    "initializers": {},
    "regularizers": {"l1_l2": "Keras 3 exports a function here, not a class (lamina has it too)",
                     "orthogonal_regularizer": "OrthogonalRegularizer not written yet"},
    "constraints": {},
}

# Keras classes with nothing to configure (abstract bases, non-serializable helpers).
NOT_CONFIGS = {("layers", "InputSpec"): "no get_config in Keras; tested in tests/layers/test_input_spec_config.py",
               ("regularizers", "Regularizer"): "abstract base", ("constraints", "Constraint"): "abstract base",
               ("optimizers.schedules", "LearningRateSchedule"): "abstract base",
               ("initializers", "Initializer"): "abstract base", ("losses", "Loss"): "abstract base",
               ("metrics", "Metric"): "abstract base", ("optimizers", "Optimizer"): "abstract base",
               ("layers", "Layer"): "abstract base",
               ("layers", "TorchModuleWrapper"): "wraps a torch module object (not JSON)",
               ("layers", "Lambda"): "holds Python code; tested in tests/layers/core",
               ("layers", "IntegerLookup"): "Keras needs TensorFlow for it",
               ("layers", "StringLookup"): "Keras needs TensorFlow for it",
               ("layers", "TextVectorization"): "Keras needs TensorFlow for it",
               ("layers", "Hashing"): "Keras needs TensorFlow for it",
               ("layers", "HashedCrossing"): "Keras needs TensorFlow for it"}

# Keras classes whose from_config refuses Keras's own get_config() (the lamina -> Keras direction
# is then skipped; the test fails once Keras fixes it, so the skip goes too).
KERAS_CANNOT_RELOAD = {("layers", "RandomShear"): "writes x_factor=(-0.2, 0.2), then refuses negatives"}

# Keys lamina writes that Keras 3.15 drops: all are constructor arguments that Keras's own
# get_config forgets (so Keras loses the value on a round trip); Keras's from_config accepts them.
LAMINA_EXTRA_KEYS = {
    ("losses", "CosineSimilarity"): {"axis"}, ("losses", "SparseCategoricalCrossentropy"): {"axis"},
    ("losses", "Huber"): {"delta"}, ("metrics", "CosineSimilarity"): {"axis"},
    ("initializers", "Identity"): {"gain"}, ("initializers", "identity"): {"gain"},
    ("initializers", "IdentityInitializer"): {"gain"}, ("layers", "SimpleRNN"): {"seed"},
}

# Sample constructor arguments (a function of the library, for arguments that are objects).
EXTRA_SAMPLES = {
    ("optimizers.schedules", "ExponentialDecay"): dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.9),
    ("optimizers.schedules", "CosineDecay"): dict(initial_learning_rate=0.1, decay_steps=10),
    ("optimizers.schedules", "CosineDecayRestarts"): dict(initial_learning_rate=0.1, first_decay_steps=10),
    ("optimizers.schedules", "InverseTimeDecay"): dict(initial_learning_rate=0.1, decay_steps=10,
                                                       decay_rate=0.9),
    ("optimizers.schedules", "PiecewiseConstantDecay"): dict(boundaries=[1, 2], values=[0.1, 0.01, 0.001]),
    ("optimizers.schedules", "PolynomialDecay"): dict(initial_learning_rate=0.1, decay_steps=10),
    ("metrics", "MeanMetricWrapper"): lambda k: dict(fn=k.losses.mean_squared_error),
    ("layers", "Bidirectional"): lambda k: dict(layer=k.layers.LSTM(2)),
    ("layers", "TimeDistributed"): lambda k: dict(layer=k.layers.Dense(2)),
    ("layers", "RNN"): lambda k: dict(cell=k.layers.GRUCell(2)),
    ("layers", "StackedRNNCells"): lambda k: dict(cells=[k.layers.LSTMCell(2), k.layers.GRUCell(3)]),
    ("layers", "SimpleRNNCell"): dict(units=2), ("layers", "LSTMCell"): dict(units=2),
    ("layers", "GRUCell"): dict(units=2),
    ("layers", "MultiHeadAttention"): dict(num_heads=2, key_dim=3),
    ("layers", "InputLayer"): dict(shape=(3,)),
    ("layers", "Hashing"): dict(num_bins=3), ("layers", "CategoryEncoding"): dict(num_tokens=4),
    ("layers", "Pipeline"): lambda k: dict(layers=[k.layers.Rescaling(0.5)]),
    ("layers", "GroupQueryAttention"): dict(head_dim=4, num_query_heads=4, num_key_value_heads=2),
    ("layers", "SpectralNormalization"): lambda k: dict(layer=k.layers.Dense(2)),
    ("layers", "Wrapper"): lambda k: dict(layer=k.layers.Dense(2)),
    ("layers", "RandomShear"): dict(x_factor=0.2, y_factor=(0.1, 0.3), seed=1),
    ("optimizers", "LossScaleOptimizer"): lambda k: dict(inner_optimizer=k.optimizers.SGD(0.1)),
    ("metrics", "IoU"): dict(num_classes=3, target_class_ids=[0, 2]),
    ("metrics", "MeanIoU"): dict(num_classes=3),
    ("metrics", "OneHotIoU"): dict(num_classes=3, target_class_ids=[1]),
    ("metrics", "OneHotMeanIoU"): dict(num_classes=3),
    ("metrics", "PrecisionAtRecall"): dict(recall=0.5),
    ("metrics", "RecallAtPrecision"): dict(precision=0.5),
    ("metrics", "SensitivityAtSpecificity"): dict(specificity=0.5),
    ("metrics", "SpecificityAtSensitivity"): dict(sensitivity=0.5),
}

# Keras arguments whose default lamina differs on, on purpose.
_KERAS1_KERNEL = ("kernel_size is optional so that Keras 1's Convolution2D(32, 3, 3) / nb_row= spellings "
                  "work; leaving it out raises a TypeError naming the layer, as Keras's missing argument does")
SIGNATURE_EXCEPTIONS = {("layers", n, "kernel_size"): _KERAS1_KERNEL for n in (
    "Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D", "SeparableConv1D",
    "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D")}


def _module(root, name):
    for part in name.split("."):
        root = getattr(root, part)
    return root


def _classes(root, name):
    mod = _module(root, name)
    return {n: o for n in dir(mod) if not n.startswith("_") and inspect.isclass(o := getattr(mod, n))}


def _common():
    out = []
    for m in MODULES:
        kc, lc = _classes(keras, m), _classes(lamina, m)
        out += [(m, n) for n in sorted(set(kc) & set(lc))]
    return out


COMMON = _common()


@pytest.mark.parametrize("module", MODULES)
def test_known_missing_is_exact(module):
    missing = set(_classes(keras, module)) - set(_classes(lamina, module))
    listed = set(KNOWN_MISSING[module])
    assert not missing - listed, f"lamina.{module} lacks {sorted(missing - listed)}: add them or list them"
    assert not listed - missing, (f"lamina.{module} now has {sorted(listed - missing)}: remove them from "
                                  "KNOWN_MISSING so the parity walk checks them")


def test_walk_covers_the_common_classes():
    # guards against a walk that silently checks nothing
    assert len(COMMON) > 200
    assert {m for m, _ in COMMON} == set(MODULES)


def _params(cls):
    return {n: p for n, p in inspect.signature(cls.__init__).parameters.items()
            if n not in ("self",) and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}


@pytest.mark.parametrize("module,name", COMMON)
def test_constructor_arguments_match(module, name):
    kcls, lcls = _classes(keras, module)[name], _classes(lamina, module)[name]
    kp, lp = _params(kcls), _params(lcls)
    problems = []
    for arg, p in kp.items():
        if (module, name, arg) in SIGNATURE_EXCEPTIONS:
            continue
        if arg not in lp:
            problems.append(f"lacks {arg}={p.default!r}")
        elif lp[arg].default != p.default and not (lp[arg].default is p.default):
            problems.append(f"{arg} defaults to {lp[arg].default!r}, Keras {p.default!r}")
    assert not problems, f"lamina.{module}.{name}: " + "; ".join(problems)


def _sample(module, name, lib):
    if (module, name) in EXTRA_SAMPLES:
        s = EXTRA_SAMPLES[(module, name)]
        return s(lib) if callable(s) else dict(s)
    if module == "layers":
        canonical = _classes(lamina, module)[name].__name__
        for key in (name, canonical):
            if key in SAMPLES:
                return dict(SAMPLES[key][0])
    return {}


def _plain(config, module):
    """JSON form of a config without object ids (and, for layers, the automatic names)."""
    drop = {"shared_object_id"} | ({"name"} if module == "layers" else set())

    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k not in drop}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj
    config = strip(json.loads(json.dumps(config, default=_json_default)))
    inner = config.get("inner_optimizer")
    if isinstance(inner, dict) and str(inner.get("module", "")).startswith("keras.src.backend."):
        # Keras on torch writes its backend subclass's module ('...torch_sgd', registered 'SGD');
        # lamina writes the public one. Both load in both libraries (checked below).
        inner["module"], inner["registered_name"] = "keras.optimizers", None
    if isinstance(inner, dict) and isinstance(inner.get("config", {}).get("name"), str):
        inner["config"]["name"] = re.sub(r"_\d+$", "", inner["config"]["name"])
    if isinstance(config.get("name"), str):  # Keras numbers some default names per process ('auc_7')
        config["name"] = re.sub(r"_\d+$", "", config["name"])
    return config


def _json_default(obj):
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if isinstance(obj, (np.generic, np.ndarray)):
        return obj.tolist()
    if callable(obj):
        return getattr(obj, "__name__", repr(obj))
    return repr(obj)


def _diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}{k}: {'missing in lamina' if k not in a else 'only in lamina'}")
            else:
                out += _diff(a[k], b[k], f"{path}{k}.")
        return out
    numbers = (int, float)
    if (isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool)
            and not isinstance(b, bool)):
        if np.isclose(a, b, rtol=1e-6, atol=0):
            return []
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _diff(x, y, f"{path}{i}.")]
    elif type(a) is type(b) and a == b:
        return []
    return [f"{path[:-1]}: lamina {a!r}, Keras {b!r}"]


CONFIG_CASES = [c for c in COMMON if c not in NOT_CONFIGS]


@pytest.mark.parametrize("module,name", CONFIG_CASES)
def test_config_equals_keras_and_loads_both_ways(module, name):
    kcls, lcls = _classes(keras, module)[name], _classes(lamina, module)[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kobj = kcls(**_sample(module, name, keras))
        lobj = lcls(**_sample(module, name, lamina))
    kcfg, lcfg = kobj.get_config(), lobj.get_config()
    extra = LAMINA_EXTRA_KEYS.get((module, name), set())
    lplain = {k: v for k, v in _plain(lcfg, module).items() if k not in extra}
    problems = _diff(lplain, _plain(kcfg, module))
    assert not problems, f"lamina.{module}.{name}.get_config() differs from Keras: " + "; ".join(problems)
    # Keras's config -> lamina class, and lamina's config -> Keras class
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_keras = lcls.from_config(kcfg)
    back = {k: v for k, v in _plain(from_keras.get_config(), module).items() if k not in extra}
    assert not _diff(back, _plain(kcfg, module)), "Keras's config did not load into lamina intact"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if (module, name) in KERAS_CANNOT_RELOAD:
            with pytest.raises(Exception):
                kcls.from_config(kcfg)
            return
        from_lamina = kcls.from_config(lcfg)
    assert not _diff(_plain(from_lamina.get_config(), module), _plain(kcfg, module)), \
        "lamina's config did not load into Keras intact"
