"""Shared helpers for the optimizer tests: random problems and runners for lamina, torch.optim,
Keras 3 and NumPy references (imported by the test modules of this folder)."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from tests.keras3 import keras3

SHAPES = [(5, 4), (4,), (3, 2, 2)]


def problem(steps=5, seed=0, scale=1.0):
    """Initial values and a sequence of gradient lists (float32 NumPy arrays)."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype("float32") for s in SHAPES]
    grads = [[(scale * rng.standard_normal(s)).astype("float32") for s in SHAPES]
             for _ in range(steps)]
    return init, grads


def parameters(init, names=None):
    """What lamina's optimizers update: torch Parameters under torch, lamina Variables under JAX
    (whose arrays are immutable). A Parameter has no name, so the optimizer labels its slots
    'variable', 'variable_1'...; the Variables are named the same way."""
    import lamina

    if lamina.backend.backend() == "torch":
        params = [torch.nn.Parameter(torch.tensor(x)) for x in init]
        for p, n in zip(params, names or ()):
            p.path = n
        return params
    names = names or ["variable" if i == 0 else f"variable_{i}" for i in range(len(init))]
    return [lamina.backend.Variable(x, name=n) for x, n in zip(init, names)]


def tensors(arrays):
    """NumPy arrays as tensors of the backend in use."""
    import lamina

    return [lamina.ops.convert_to_tensor(x) for x in arrays]


def values(params):
    """float64 NumPy copies of what :func:`parameters` returned."""
    import lamina

    return [np.array(lamina.ops.convert_to_numpy(p.value if hasattr(p, "assign") else p.detach()),
                     dtype=np.float64) for p in params]


def run_lamina(optimizer, init, grads):
    params = parameters(init)
    for g in grads:
        optimizer.apply(tensors(g), params)
    return values(params)


def run_torch(cls, kwargs, init, grads):
    params = [torch.nn.Parameter(torch.tensor(x)) for x in init]
    opt = cls(params, **kwargs)
    for g in grads:
        for p, x in zip(params, g):
            p.grad = torch.tensor(x)
        opt.step()
    return [p.detach().numpy().astype(np.float64) for p in params]


def run_keras(name, kwargs, init, grads):
    keras = keras3()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # NumPy 2 notices inside Keras
        variables = [keras.Variable(torch.tensor(x)) for x in init]
        opt = getattr(keras.optimizers, name)(**kwargs)
        for g in grads:
            opt.apply([torch.tensor(x) for x in g], variables)
    return [v.value.detach().cpu().numpy().astype(np.float64) for v in variables]


def run_numpy(step, slots, init, grads):
    """Apply ``step(t, w, g, state) -> w`` (t = 1, 2, ...) per variable in float64."""
    ws = [x.astype(np.float64) for x in init]
    states = [{k: np.full(x.shape, v, dtype=np.float64) for k, v in slots.items()} for x in init]
    for t, g in enumerate(grads, start=1):
        ws = [step(t, w, x.astype(np.float64), s) for w, x, s in zip(ws, g, states)]
    return ws


def assert_close(actual, expected, atol=5e-6, rtol=1e-5):
    """float32 agreement after a few steps (Keras computes its scalars in float32, too)."""
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, atol=atol, rtol=rtol)


def assert_moved(actual, init):
    """Guard against a vacuous comparison: the variables must have changed."""
    assert max(np.abs(a - x).max() for a, x in zip(actual, init)) > 1e-4


def param(array, name=None):
    """One variable for lamina's optimizers (see :func:`parameters`)."""
    return parameters([np.asarray(array, dtype="float32")], None if name is None else [name])[0]


def tensor(array):
    """A float32 tensor of the backend in use."""
    return tensors([np.asarray(array, dtype="float32")])[0]


def value(p):
    """A NumPy copy of a variable made by :func:`param` / :func:`parameters`."""
    return values([p])[0].astype(np.float32)
