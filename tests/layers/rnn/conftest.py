"""Shared fixtures for the recurrent-layer tests: Keras 3 (torch backend) and NumPy references."""

import types

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def random_weights(layer, rng, scale=0.5):
    """Random arrays shaped like ``layer``'s weights (so no gate is near-trivial)."""
    return [(rng.standard_normal(w.shape) * scale).astype("float32") for w in layer.get_weights()]


def to_numpy(x):
    if isinstance(x, (list, tuple)):
        return [to_numpy(v) for v in x]
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_lstm_step(x, states, kernel, recurrent_kernel, bias):
    h, c = states
    z = x @ kernel + h @ recurrent_kernel + (0 if bias is None else bias)
    zi, zf, zc, zo = np.split(z, 4, axis=-1)
    c = sigmoid(zf) * c + sigmoid(zi) * np.tanh(zc)
    h = sigmoid(zo) * np.tanh(c)
    return h, [h, c]


def np_gru_step(x, states, kernel, recurrent_kernel, bias, reset_after=True):
    h = states[0]
    u = h.shape[-1]
    if reset_after:
        bx, bh = (0, 0) if bias is None else (bias[0], bias[1])
        mx = x @ kernel + bx
        mh = h @ recurrent_kernel + bh
        z = sigmoid(mx[:, :u] + mh[:, :u])
        r = sigmoid(mx[:, u:2 * u] + mh[:, u:2 * u])
        hh = np.tanh(mx[:, 2 * u:] + r * mh[:, 2 * u:])
    else:
        mx = x @ kernel + (0 if bias is None else bias)
        z = sigmoid(mx[:, :u] + h @ recurrent_kernel[:, :u])
        r = sigmoid(mx[:, u:2 * u] + h @ recurrent_kernel[:, u:2 * u])
        hh = np.tanh(mx[:, 2 * u:] + (r * h) @ recurrent_kernel[:, 2 * u:])
    h = z * h + (1 - z) * hh
    return h, [h]


def np_simple_step(x, states, kernel, recurrent_kernel, bias, activation=np.tanh):
    h = activation(x @ kernel + (0 if bias is None else bias) + states[0] @ recurrent_kernel)
    return h, [h]


def np_run(step, x, states, mask=None, go_backwards=False, zero_output_for_mask=False):
    """Keras's recurrence in plain NumPy: (outputs (batch, time, units), final states).

    A masked step keeps the states and repeats the previous output (zeros before the first
    valid step), or outputs zeros with zero_output_for_mask.
    """
    x = np.asarray(x, dtype=np.float64)
    states = [np.asarray(s, dtype=np.float64) for s in states]
    mask = np.ones(x.shape[:2], bool) if mask is None else np.asarray(mask, bool)
    if go_backwards:
        x, mask = x[:, ::-1], mask[:, ::-1]
    outs, prev = [], None
    for t in range(x.shape[1]):
        out, new = step(x[:, t], states)
        m = mask[:, t][:, None]
        if prev is None:
            prev = np.zeros_like(out)
        out = np.where(m, out, 0.0 if zero_output_for_mask else prev)
        states = [np.where(m, n, s) for n, s in zip(new, states)]
        prev = out
        outs.append(out)
    return np.stack(outs, 1), states


def keras_pair(keras, lamina_layer, keras_layer, x, rng, **call_kwargs):
    """Build both layers on ``x``, give them the same random weights; both outputs as NumPy."""
    lamina_layer(x, **call_kwargs)
    keras_layer(x, **call_kwargs)
    weights = random_weights(lamina_layer, rng)
    lamina_layer.set_weights(weights)
    keras_layer.set_weights(weights)
    return to_numpy(lamina_layer(x, **call_kwargs)), to_numpy(keras_layer(x, **call_kwargs))


def assert_all_close(a, b, atol=1e-5):
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        assert isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)), (type(a), type(b))
        assert len(a) == len(b)
        for u, v in zip(a, b):
            assert_all_close(u, v, atol)
        return
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=atol, rtol=1e-5)


@pytest.fixture
def h():
    """Helper functions (NumPy references, Keras pairing, comparisons)."""
    return types.SimpleNamespace(
        random_weights=random_weights, to_numpy=to_numpy, lstm_step=np_lstm_step,
        gru_step=np_gru_step, simple_step=np_simple_step, run=np_run, keras_pair=keras_pair,
        close=assert_all_close,
    )


def padded_ids(rng, batch=6, steps=7, vocab=20):
    """Token ids with 0 as padding: pre-padded, post-padded, fully padded and unpadded rows."""
    ids = rng.integers(1, vocab, (batch, steps))
    ids[0, :3] = 0
    ids[1, 4:] = 0
    ids[2, :] = 0
    ids[4, :1] = 0
    return ids


@pytest.fixture
def ids(rng):
    return padded_ids(rng)


@pytest.fixture
def holey_ids(rng):
    ids = padded_ids(rng)
    ids[3, 2] = 0
    ids[5, 1] = ids[5, 4] = 0
    return ids
