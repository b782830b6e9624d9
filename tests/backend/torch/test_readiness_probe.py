"""The readiness probe: every layer of the every-layer registry is a pure function of its
variables under ``stateless_call`` (the JAX backend's precondition), checked with torch.func.

For each layer, built with explicit seeds (``seed=1234`` wherever the constructor takes one):

- ``torch.func.grad`` through ``stateless_call(..., training=True)`` (catches in-place state);
- ``torch.func.vmap(..., randomness="error")`` over the samples (catches the global RNG);
- no attribute of the layer or its sub-layers is rebound during the call (Python side effects).
"""

import inspect
import pathlib
import sys

import numpy as np
import pytest
import torch

import lamina
from lamina import layers as L

sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "saving"))
from test_every_layer_saves import SAMPLES  # noqa: E402

SEED = 1234

# The registry's random layers again, with dropout switched on where the sample has none.
EXTRA = {
    "LSTM(dropout)": (lambda m: m.LSTM(3, dropout=0.3, recurrent_dropout=0.3), [(5, 2)], "float32", "one"),
    "GRU(dropout)": (lambda m: m.GRU(3, dropout=0.3, recurrent_dropout=0.3, implementation=1),
                     [(5, 2)], "float32", "one"),
    "MultiHeadAttention(dropout)": (lambda m: m.MultiHeadAttention(2, 3, dropout=0.3),
                                    [(5, 4), (3, 4)], "float32", "args"),
    "Attention(dropout)": (lambda m: m.Attention(dropout=0.3), [(5, 4), (3, 4)], "float32", "list"),
}
CASES = {**SAMPLES, **EXTRA}


class _Seeded:
    """``lamina.layers`` with ``seed=SEED`` passed to every constructor that takes a seed."""

    def __getattr__(self, name):
        cls = getattr(L, name)
        if "seed" not in inspect.signature(cls.__init__).parameters:
            return cls
        return lambda *a, **kw: cls(*a, **{"seed": SEED, **kw})


def _build(name):
    factory, shapes, dtype, how = CASES[name]
    try:
        layer = factory(_Seeded())
    except AttributeError as e:  # a layer class another branch adds
        pytest.skip(str(e))
    rng = np.random.default_rng(0)
    data = []
    for s in shapes:
        if dtype.startswith("int"):
            data.append(torch.as_tensor(rng.integers(1, 10, (4,) + s).astype(dtype)))
        else:
            data.append(torch.as_tensor(rng.uniform(-1, 1, (4,) + s).astype(dtype)))

    def call(fn, xs, **kw):
        if how == "one":
            return fn(xs[0], **kw)
        if how == "list":
            return fn(list(xs), **kw)
        return fn(*xs, **kw)

    call(layer, data)  # build
    return layer, data, call


def _total(out):
    return sum(o.float().sum() for o in lamina.layers.keras_tensor.flatten(out))


class _RecordSetattr:
    """Records every attribute assignment on a layer while active."""

    def __init__(self):
        self.seen = []

    def __enter__(self):
        base = lamina.backend.LayerBase
        self._orig = base.__setattr__
        seen, orig = self.seen, self._orig

        def record(obj, name, value):
            seen.append(f"{type(obj).__name__}.{name}")
            orig(obj, name, value)

        base.__setattr__ = record
        return self

    def __exit__(self, *exc):
        lamina.backend.LayerBase.__setattr__ = self._orig


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_is_a_pure_function_of_its_variables(name):
    layer, data, call = _build(name)
    tv = [v.value.detach().clone() for v in layer.trainable_variables]
    ntv = [v.value.detach().clone() for v in layer.non_trainable_variables]
    floats = [x for x in data if x.is_floating_point()]

    def loss(tv, xs):
        it = iter(xs)
        full = [next(it) if x.is_floating_point() else x for x in data]

        def fn(*a, **kw):
            return layer.stateless_call(tv, ntv, *a, **kw)[0]

        return _total(call(fn, full, training=True))

    # 1. Gradients through the call: no in-place update of captured state; 3. and no attribute
    # of any layer is set while calling.
    with _RecordSetattr() as rec:
        grads = torch.func.grad(loss, argnums=(0, 1))(tv, floats)
    assert all(torch.isfinite(g).all() for g in list(grads[0]) + list(grads[1]))
    assert rec.seen == [], f"{name}: attributes set during a call: {sorted(set(rec.seen))}"

    # 2. Per-sample calls under vmap with randomness="error": every draw is keyed.
    def per_sample(*xs):
        def fn(*a, **kw):
            return layer.stateless_call(tv, ntv, *a, **kw)[0]

        return call(fn, [x[None] for x in xs], training=True)

    out = torch.func.vmap(per_sample, randomness="error")(*data)
    assert all(o.shape[0] == 4 for o in lamina.layers.keras_tensor.flatten(out))
