"""Build an application in Keras 3 and in lamina from the same weights file and compare them."""

from __future__ import annotations

import numpy as np

from tests.keras3 import keras3


def randomize(model, seed=0):
    """Give statistics, biases and scales non-trivial values (Keras starts them at 0/1), so a misplaced
    one changes the predictions."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        path = w.path
        if path.endswith("mean"):  # BatchNormalization's moving_mean, Normalization's mean
            w.assign(rng.normal(0, 0.1, w.shape).astype("float32"))
        elif path.endswith("bias") or path.endswith("beta"):  # Keras starts them at 0
            w.assign(rng.normal(0, 0.1, w.shape).astype("float32"))
        elif path.endswith("gamma"):  # BN scale, LayerScale (1e-6 in ConvNeXt hides the blocks)
            w.assign(rng.uniform(0.5, 1.0, w.shape).astype("float32"))
        elif path.endswith("variance"):  # >= 1 and scales <= 1: deep nets do not blow up to 1e5
            w.assign(rng.uniform(1.0, 2.0, w.shape).astype("float32"))


def keras_builders():
    """Keras refuses NASNetMobile on its torch backend (an open Keras issue); its generic NASNet
    builds the same architecture there."""
    from keras.src.applications import nasnet

    def nasnet_mobile(input_shape=None, **kwargs):
        return nasnet.NASNet(input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
                             skip_reduction=False, filter_multiplier=2, default_size=224, name="nasnet_mobile",
                             **kwargs)

    return {"NASNetMobile": nasnet_mobile}


def compare(tmp_path, name, input_shape, batch=2, seed=0, keras_kwargs=None, **kwargs):
    """Keras's ``name`` and lamina's built with ``kwargs``; returns (max abs diff, kparams, lparams, names equal)."""
    keras = keras3()
    import lamina

    keras.backend.clear_session()  # automatic layer names start from 'conv2d' in both
    lamina.backend.clear_session()
    km = (keras_builders().get(name) or getattr(keras.applications, name))(weights=None, input_shape=input_shape, **kwargs,
                                           **(keras_kwargs or {}))
    randomize(km, seed)
    path = str(tmp_path / f"{name}.weights.h5")
    km.save_weights(path)
    lm = getattr(lamina.applications, name)(weights=None, input_shape=input_shape, **kwargs)
    lm.load_weights(path)
    x = np.random.default_rng(seed).uniform(0, 255, (batch, *input_shape)).astype("float32")
    x = x / 127.5 - 1.0
    expected = np.asarray(km.predict(x, verbose=0))
    got = np.asarray(lm.predict(x, verbose=0))
    assert got.shape == expected.shape, (got.shape, expected.shape)
    # lamina lists the op layers that `x + 3.0` on a symbolic tensor makes; Keras's list omits them
    names_equal = [l.name for l in km.layers] == [l.name for l in lm.layers if type(l).__name__ != "OpLayer"]
    return float(np.max(np.abs(got - expected))), km.count_params(), lm.count_params(), names_equal, expected
