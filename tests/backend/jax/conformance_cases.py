"""Layer cases run under each backend by the cross-backend conformance test.

``python tests/backend/jax/conformance_cases.py OUT.npz`` (with LAMINA_BACKEND set) builds every
case with weights drawn from NumPy (the same under every backend), records the inference output,
then one SGD step of a mean-square loss on the case's output and the weights after it (so the
gradients are compared too, without backend-specific gradient code), into OUT.npz.
"""

from __future__ import annotations

import sys
import traceback

import numpy as np

import lamina
from lamina import layers

CASES = {
    "dense": (lambda: layers.Dense(5, activation="tanh"), (4, 6)),
    "conv1d_causal": (lambda: layers.Conv1D(3, 3, padding="causal", dilation_rate=2), (2, 9, 4)),
    "conv2d_same_s2": (lambda: layers.Conv2D(4, 3, strides=2, padding="same"), (2, 7, 7, 3)),
    "conv2d_valid": (lambda: layers.Conv2D(2, (2, 3), activation="relu"), (2, 6, 5, 3)),
    "conv2d_transpose_same": (lambda: layers.Conv2DTranspose(3, 3, strides=2, padding="same"), (2, 4, 5, 2)),
    "conv2d_transpose_valid": (lambda: layers.Conv2DTranspose(2, 3, strides=2), (2, 3, 3, 2)),
    "conv1d_transpose": (lambda: layers.Conv1DTranspose(2, 4, strides=3, padding="same"), (2, 5, 3)),
    "depthwise_conv2d": (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), (2, 5, 5, 3)),
    "separable_conv2d": (lambda: layers.SeparableConv2D(4, 3, padding="same"), (2, 5, 5, 3)),
    "conv3d": (lambda: layers.Conv3D(2, 2, padding="same"), (1, 3, 4, 4, 2)),
    "max_pool2d_same": (lambda: layers.MaxPooling2D(3, strides=2, padding="same"), (2, 7, 6, 3)),
    "avg_pool2d_same": (lambda: layers.AveragePooling2D(3, strides=2, padding="same"), (2, 7, 6, 3)),
    "avg_pool1d": (lambda: layers.AveragePooling1D(2), (2, 8, 3)),
    "global_avg_pool2d": (lambda: layers.GlobalAveragePooling2D(), (2, 4, 4, 3)),
    "global_max_pool1d": (lambda: layers.GlobalMaxPooling1D(), (2, 5, 3)),
    "batch_norm": (lambda: layers.BatchNormalization(), (6, 4)),
    "layer_norm": (lambda: layers.LayerNormalization(), (3, 5, 4)),
    "group_norm": (lambda: layers.GroupNormalization(2), (2, 3, 4)),
    "upsampling2d": (lambda: layers.UpSampling2D(2), (1, 3, 3, 2)),
    "upsampling2d_bilinear": (lambda: layers.UpSampling2D(2, interpolation="bilinear"), (1, 3, 3, 2)),
    "zero_padding2d": (lambda: layers.ZeroPadding2D(((1, 0), (2, 1))), (1, 3, 3, 2)),
    "cropping2d": (lambda: layers.Cropping2D(((1, 0), (0, 1))), (1, 4, 4, 2)),
    "flatten": (lambda: layers.Flatten(), (2, 3, 4)),
    "permute": (lambda: layers.Permute((2, 1)), (2, 3, 4)),
    "prelu": (lambda: layers.PReLU(), (2, 5)),
    "softmax": (lambda: layers.Softmax(), (2, 5)),
    "gelu": (lambda: layers.Activation("gelu"), (2, 5)),
    "elu": (lambda: layers.ELU(), (2, 5)),
    "simple_rnn": (lambda: layers.SimpleRNN(3), (2, 5, 4)),
    "lstm_seq": (lambda: layers.LSTM(3, return_sequences=True), (2, 5, 4)),
    "gru": (lambda: layers.GRU(3), (2, 5, 4)),
    "bidirectional_lstm": (lambda: layers.Bidirectional(layers.LSTM(2)), (2, 4, 3)),
    "multi_head_attention": (None, (2, 4, 6)),
    "embedding": (None, (3, 5)),
}
# Inference only: training GroupNormalization crashes torch's group_norm backward on this input
# (a segmentation fault in torch 2.13's channels_last kernel, seen on main too).
PREDICT_ONLY = {"group_norm"}


def _fill_weights(layer, rng):
    for v in layer.weights:
        if v.dtype.startswith("float"):
            w = rng.normal(scale=0.5, size=v.shape).astype(v.dtype)
            v.assign(np.abs(w) + 0.5 if "variance" in v.name else w)


def _build(name):
    factory, shape = CASES[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    if name == "embedding":
        x = rng.integers(0, 10, size=shape).astype("int32")
        layer = layers.Embedding(10, 4)
    else:
        x = rng.normal(size=shape).astype("float32")
        layer = layers.MultiHeadAttention(2, 3) if name == "multi_head_attention" else factory()
    inp = lamina.Input(shape=shape[1:], dtype="int32" if name == "embedding" else "float32")
    out = layer(inp, inp) if name == "multi_head_attention" else layer(inp)
    model = lamina.Model(inp, out)
    _fill_weights(layer, rng)
    return model, x, rng


def run(path):
    results = {}
    for name in CASES:
        try:
            model, x, rng = _build(name)
            y = model.predict(x, verbose=0)
            results[f"{name}/predict"] = y
            if model.trainable_weights and name not in PREDICT_ONLY:
                target = rng.normal(size=y.shape).astype("float32")
                model.compile(optimizer=lamina.optimizers.SGD(0.1), loss="mse")
                model.fit(x, target, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
                for i, w in enumerate(model.get_weights()):
                    results[f"{name}/after_step/{i}"] = w
        except Exception:  # noqa: BLE001 - recorded, the test reports it by case
            results[f"{name}/error"] = np.array(traceback.format_exc())
    np.savez(path, **results)


if __name__ == "__main__":
    run(sys.argv[1])
