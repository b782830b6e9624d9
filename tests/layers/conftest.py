"""Fixtures for comparing lamina layers with Keras 3 (torch backend) on the same weights."""

import copy
import types

import numpy as np
import pytest

import lamina


def _np(x):
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def strip_axes(config):
    """A Keras 3.15 config without the initializers' input_axes/output_axes keys (their
    support is tracked separately in issue 14's bug list; the layers under test don't use them)."""
    if isinstance(config, dict):
        return {k: strip_axes(v) for k, v in config.items() if k not in ("input_axes", "output_axes")}
    if isinstance(config, (list, tuple)):
        return type(config)(strip_axes(v) for v in config)
    return config


def compare(keras_layer, lamina_layer, inputs, rng=None, scale=0.5, grads=True, set_weights=True,
            call_kwargs=None, atol=1e-5):
    """Build both layers on ``inputs`` (an array or a list of arrays), give them the same random
    weights, compare outputs and (with ``grads``) the gradients of ``sum(out * r)`` with respect
    to the inputs and the weights. Returns the largest absolute difference seen."""
    import torch

    call_kwargs = call_kwargs or {}
    rng = rng or np.random.default_rng(0)
    multi = isinstance(inputs, (list, tuple))
    xs = list(inputs) if multi else [inputs]
    keras_layer(*xs, **call_kwargs)
    lamina_layer(*xs, **call_kwargs)
    kw = keras_layer.get_weights()
    assert [w.shape for w in kw] == [tuple(w.shape) for w in lamina_layer.get_weights()]
    if set_weights:
        weights = [(rng.standard_normal(w.shape) * scale).astype(w.dtype) for w in kw]
        keras_layer.set_weights(weights)
        lamina_layer.set_weights(weights)

    def run(layer, variables):
        tx = [torch.tensor(x, requires_grad=grads and x.dtype.kind == "f") for x in xs]
        out = layer(*tx, **call_kwargs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        if not grads:
            return [_np(o) for o in outs], []
        loss = sum((o * torch.tensor(np.random.default_rng(1).standard_normal(tuple(o.shape)),
                                     dtype=o.dtype)).sum() for o in outs)
        wrt = [t for t in tx if t.requires_grad] + variables
        g = torch.autograd.grad(loss, wrt, allow_unused=True)
        return [_np(o) for o in outs], [None if v is None else _np(v) for v in g]

    k_out, k_grads = run(keras_layer, [v.value for v in keras_layer.trainable_weights] if grads else [])
    if lamina.backend.backend() == "torch":
        l_out, l_grads = run(lamina_layer, [v.value if hasattr(v, "value") else v
                                            for v in lamina_layer.trainable_weights] if grads else [])
    else:
        l_out, l_grads = _run_stateless(lamina_layer, xs, call_kwargs, grads)
    worst = 0.0
    assert len(k_out) == len(l_out)
    for a, b in list(zip(k_out, l_out)) + list(zip(k_grads, l_grads)):
        if a is None or b is None:
            assert a is None and b is None or np.all((a if b is None else b) == 0)
            continue
        assert a.shape == b.shape, (a.shape, b.shape)
        np.testing.assert_allclose(b, a, atol=atol, rtol=1e-4)
        worst = max(worst, float(np.abs(a.astype("float64") - b.astype("float64")).max(initial=0.0)))
    return worst


def _run_stateless(layer, xs, call_kwargs, grads):
    """``run`` for a non-torch backend: outputs, and the gradients of ``sum(out * r)`` with respect to
    the float inputs and the trainable weights through ``layer.stateless_call`` and ``jax.grad``."""
    import jax

    ntv = [v.value for v in layer.non_trainable_variables]
    tv = [v.value for v in layer.trainable_variables]

    def outputs(inputs, weights):
        out, _ = layer.stateless_call(weights, ntv, *inputs, **call_kwargs)
        return list(out) if isinstance(out, (list, tuple)) else [out]

    outs = outputs(xs, tv)
    if not grads:
        return [_np(o) for o in outs], []
    floats = [i for i, x in enumerate(xs) if x.dtype.kind == "f"]

    def loss(float_inputs, weights):
        inputs = list(xs)
        for i, x in zip(floats, float_inputs):
            inputs[i] = x
        return sum((o * np.random.default_rng(1).standard_normal(tuple(o.shape)).astype(o.dtype)).sum()
                   for o in outputs(inputs, weights))

    g_in, g_w = jax.grad(loss, argnums=(0, 1))([xs[i] for i in floats], tv)
    return [_np(o) for o in outs], [_np(g) for g in list(g_in) + list(g_w)]


def config_both_ways(keras, keras_layer, lamina_layer, ignore=()):
    """get_config keys equal Keras's, and each side rebuilds from the other's config."""
    kc, lc = keras_layer.get_config(), lamina_layer.get_config()
    assert set(kc) - set(ignore) == set(lc) - set(ignore), (set(kc) ^ set(lc))
    lamina_copy = type(lamina_layer).from_config(copy.deepcopy(kc))
    keras_copy = type(keras_layer).from_config(copy.deepcopy(lc))
    for k in set(kc) - {"name", "dtype"} - set(ignore):
        assert _plain(lamina_copy.get_config()[k]) == _plain(kc[k]), k
        assert _plain(keras_copy.get_config()[k]) == _plain(lc[k]), k
    return lamina_copy, keras_copy


def _plain(v):
    if isinstance(v, dict) and "class_name" in v and isinstance(v.get("config"), dict) and "name" in v["config"]:
        # A nested layer: its own parity is tested with that layer (the generic config walk of
        # issue 14 owns keys such as activity_regularizer/build_config).
        return ("layer", v["class_name"], v["config"]["name"])
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


@pytest.fixture
def parity():
    return types.SimpleNamespace(compare=compare, config_both_ways=config_both_ways,
                                 strip_axes=strip_axes, np=_np)


def pytest_configure(config):
    # Keras 3.15.1 (the reference) warns about itself under NumPy 2; not about lamina.
    config.addinivalue_line("filterwarnings", "ignore:__array__ implementation doesn't accept a copy keyword")


def layer_grads(layer, inputs, loss, call_kwargs=None, packed=False):
    """Run ``layer`` on NumPy ``inputs`` (an array or a list) on the active backend and return
    ``(outputs, input_grads, weight_grads)`` as NumPy: the layer's output (a list if it returns
    several), the gradients of ``loss(output)`` (written in ``lamina.ops``) with respect to each
    float input, and ``{variable.name: gradient}`` for the trainable weights. Torch differentiates
    with autograd, other backends through ``layer.stateless_call`` and ``jax.grad``.
    ``call_kwargs`` (e.g. ``{"training": True}``) go to every call; ``packed=True`` passes a list
    of inputs as one argument (merge and attention layers) instead of one argument each."""
    multi = isinstance(inputs, (list, tuple))
    xs = [np.asarray(x) for x in (inputs if multi else [inputs])]
    call_kwargs = call_kwargs or {}

    def call(fn, args):
        return fn(list(args), **call_kwargs) if packed else fn(*args, **call_kwargs)

    if not layer.built:
        call(layer, xs)
    names = [v.name for v in layer.trainable_weights]
    names = [n if names.count(n) == 1 else f"{n}#{i}" for i, n in enumerate(names)]  # kept apart
    floats = [i for i, x in enumerate(xs) if x.dtype.kind == "f"]
    if lamina.backend.backend() == "torch":
        import torch

        tx = [torch.tensor(x, requires_grad=i in floats) for i, x in enumerate(xs)]
        out = call(layer, tx)
        wrt = [tx[i] for i in floats] + [v.value for v in layer.trainable_weights]
        g = torch.autograd.grad(loss(out), wrt, allow_unused=True)
    else:
        import jax

        ntv = [v.value for v in layer.non_trainable_variables]

        def run(float_inputs, weights):
            args = list(xs)
            for i, x in zip(floats, float_inputs):
                args[i] = x
            return call(lambda *a, **k: layer.stateless_call(weights, ntv, *a, **k), args)[0]

        tv = [v.value for v in layer.trainable_variables]
        out = run([xs[i] for i in floats], tv)
        g_in, g_w = jax.grad(lambda a, w: loss(run(a, w)), argnums=(0, 1))([xs[i] for i in floats], tv)
        g = list(g_in) + list(g_w)
    outs = [_np(o) for o in out] if isinstance(out, (list, tuple)) else _np(out)
    g = [None if v is None else _np(v) for v in g]
    return outs, g[:len(floats)], dict(zip(names, g[len(floats):]))


@pytest.fixture
def grads():
    """``layer_grads``: a layer's output and gradients as NumPy on any backend."""
    return layer_grads
