"""Recurrent-layer cases run under each backend by tests/backend/jax/test_rnn_scan_across_backends.py.

``python tests/backend/jax/rnn_scan_cases.py OUT.npz`` (with LAMINA_BACKEND set) builds every
case as a small model with weights drawn from NumPy (the same under every backend), records the
inference output (``predict``: compiled under JAX, so the time loop is a ``lax.scan``), then one
SGD step of a mean-square loss and the weights after it (so the gradients are compared too).
Under JAX every case runs a second time with ``unroll=True`` (the Python loop) under the key
``<case>@unrolled``. Masks come from ``Masking(0.0)``: the inputs hold right-padded, left-padded,
holey, fully padded and unpadded rows.
"""

from __future__ import annotations

import sys
import traceback

import numpy as np

import lamina
from lamina import layers, ops


class MinimalCell(layers.Layer):
    """A user's cell written with lamina.ops (the generic, non-fused path)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units, units]

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent = self.add_weight(shape=(self.units, self.units), name="recurrent")

    def call(self, inputs, states):
        h, acc = states
        h = ops.tanh(ops.matmul(inputs, self.kernel) + ops.matmul(h, self.recurrent))
        return h * 2.0, [h, acc + h]


def _padded(rng, shape):
    x = rng.normal(size=shape).astype("float32")
    x[0, :2] = 0.0            # left padding
    x[1, -3:] = 0.0           # right padding
    if shape[0] > 2:
        x[2, 1] = x[2, 3] = 0.0   # holes
    if shape[0] > 3:
        x[3] = 0.0            # fully padded
    return x


def _seq(layer_fn, shape=(5, 7, 3), mask=True):
    def build(unroll):
        inp = lamina.Input(shape[1:])
        x = layers.Masking(0.0)(inp) if mask else inp
        return inp, layer_fn(unroll)(x)
    return build, shape


def _return_state(unroll):
    def build(inp):
        out, h, c = layers.LSTM(4, return_sequences=True, return_state=True, unroll=unroll)(inp)
        return layers.Concatenate()([layers.Flatten()(out), h, c])
    return build


def _encoder_decoder(unroll):
    def build(inp):
        _, h, c = layers.LSTM(4, return_state=True, unroll=unroll)(inp)
        return layers.LSTM(4, return_sequences=True, unroll=unroll, go_backwards=True)(inp, initial_state=[h, c])
    return build


CASES = {
    "lstm_seq_mask": _seq(lambda u: layers.LSTM(4, return_sequences=True, unroll=u)),
    "lstm_last_mask": _seq(lambda u: layers.LSTM(4, unroll=u)),
    "lstm_no_mask": _seq(lambda u: layers.LSTM(4, return_sequences=True, unroll=u), mask=False),
    "lstm_backwards_mask": _seq(lambda u: layers.LSTM(4, go_backwards=True, return_sequences=True, unroll=u)),
    "lstm_zero_output_for_mask": _seq(lambda u: layers.RNN(layers.LSTMCell(3), return_sequences=True,
                                                           zero_output_for_mask=True, unroll=u)),
    "gru_seq_mask": _seq(lambda u: layers.GRU(4, return_sequences=True, unroll=u)),
    "gru_reset_before_mask": _seq(lambda u: layers.GRU(4, reset_after=False, unroll=u)),
    "simple_rnn_relu_mask": _seq(lambda u: layers.SimpleRNN(4, activation="relu", return_sequences=True, unroll=u)),
    "lstm_return_state_mask": (lambda u: (lambda inp: (inp, _return_state(u)(layers.Masking(0.0)(inp))))(
        lamina.Input((7, 3))), (5, 7, 3)),
    "encoder_decoder_initial_state": (lambda u: (lambda inp: (inp, _encoder_decoder(u)(inp)))(
        lamina.Input((7, 3))), (5, 7, 3)),
    "stacked_cells_mask": _seq(lambda u: layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)],
                                                    return_sequences=True, unroll=u)),
    "custom_cell_mask": _seq(lambda u: layers.RNN(MinimalCell(3), return_sequences=True, unroll=u)),
    "bidirectional_gru_mask": _seq(lambda u: layers.Bidirectional(layers.GRU(3, return_sequences=True, unroll=u))),
    "conv_lstm2d": _seq(lambda u: layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, unroll=u),
                        shape=(2, 4, 5, 5, 2), mask=False),
    "conv_lstm1d_last": _seq(lambda u: layers.ConvLSTM1D(2, 2, unroll=u), shape=(2, 4, 6, 2), mask=False),
}


def _fill_weights(model, rng):
    for v in model.weights:
        if v.dtype.startswith("float"):
            v.assign(rng.normal(scale=0.5, size=v.shape).astype(v.dtype))


def _case(name, unroll):
    build, shape = CASES[name]
    lamina.backend.clear_session()
    rng = np.random.default_rng(sum(map(ord, name)))
    inp, out = build(unroll)
    model = lamina.Model(inp, out)
    x = _padded(rng, shape)
    _fill_weights(model, rng)
    y = model.predict(x, verbose=0)
    res = {"predict": y}
    target = rng.normal(size=y.shape).astype("float32")
    model.compile(optimizer=lamina.optimizers.SGD(0.5), loss="mse")
    model.fit(x, target, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    for i, w in enumerate(model.get_weights()):
        res[f"after_step/{i}"] = w
    return res


def run(path):
    results = {}
    variants = [("", False)] + ([("@unrolled", True)] if lamina.backend.backend() == "jax" else [])
    for name in CASES:
        for suffix, unroll in variants:
            try:
                for k, v in _case(name, unroll).items():
                    results[f"{name}{suffix}/{k}"] = v
            except Exception:  # noqa: BLE001 - recorded, the test reports it by case
                results[f"{name}{suffix}/error"] = np.array(traceback.format_exc())
    np.savez(path, **results)


if __name__ == "__main__":
    run(sys.argv[1])
