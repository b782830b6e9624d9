"""LocallyConnected1D/2D (Keras 2) in its three weight layouts.

No Keras 2 is installed, so the reference is independent: a locally-connected layer whose
positions all hold the same filter is a convolution (lamina's Conv, itself checked against
Keras 3), and each layout is filled from that one filter by the index rules of Keras 2's
source (tf-keras layers/locally_connected). Files are written by hand in Keras 2's HDF5 layout.
"""

import importlib.util
import itertools
import pathlib
import warnings

import numpy as np
import pytest

import lamina
from lamina import layers

_spec = importlib.util.spec_from_file_location(
    "make_keras_files", pathlib.Path(__file__).parents[2] / "fixtures" / "make_keras_files.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)


def _windows(n, k, s, padding):
    """Keras 2's connected input range of each output position along one axis."""
    out = (n - k) // s + 1 if padding == "valid" else -(-n // s)
    res = []
    for o in range(out):
        c = o * s + (k // 2 if padding == "valid" else 0)
        res.append((c - k // 2, max(0, c - k // 2), min(n, c - k // 2 + k)))
    return res


def layout_from_conv(conv_kernel, in_spatial, strides, padding, fmt, implementation):
    """Keras 2's kernel for ``implementation`` with ``conv_kernel`` (k..., cin, cout) at every position."""
    ks, cin, cout = conv_kernel.shape[:-2], conv_kernel.shape[-2], conv_kernel.shape[-1]
    wins = [_windows(n, k, s, padding) for n, k, s in zip(in_spatial, ks, strides)]
    out_sp = tuple(len(w) for w in wins)
    if implementation == 1:
        flat = (np.moveaxis(conv_kernel, -2, 0) if fmt == "channels_first" else conv_kernel).reshape(-1, cout)
        return np.stack([flat] * int(np.prod(out_sp)))
    dense = np.zeros(tuple(in_spatial) + (cin,) + out_sp + (cout,), "float32")
    for pos in itertools.product(*(range(d) for d in out_sp)):
        ranges = [range(lo, hi) for (_, lo, hi) in (wins[a][p] for a, p in enumerate(pos))]
        for src in itertools.product(*ranges):
            off = tuple(i - wins[a][p][0] for a, (i, p) in enumerate(zip(src, pos)))
            dense[src + (slice(None),) + pos + (slice(None),)] = conv_kernel[off]
    r = len(in_spatial)
    if fmt == "channels_first":  # (cin, *in, cout, *out)
        dense = np.moveaxis(np.moveaxis(dense, r, 0), -1, r + 1)
    if implementation == 2:
        return dense
    n_in = int(np.prod(dense.shape[:r + 1]))
    matrix = dense.reshape(n_in, -1).T  # (out, in)
    rows, cols = np.nonzero(matrix != 0)
    order = np.lexsort((cols, rows))
    return matrix[rows[order], cols[order]]


CASES = [
    (1, dict(filters=3, kernel_size=3), (2, 9, 2), 1),
    (1, dict(filters=2, kernel_size=2, strides=2, data_format="channels_first"), (2, 3, 7), 1),
    (1, dict(filters=3, kernel_size=3, padding="same"), (2, 6, 2), 2),
    (1, dict(filters=2, kernel_size=3, strides=2, data_format="channels_first"), (2, 2, 7), 3),
    (2, dict(filters=3, kernel_size=(2, 3)), (2, 5, 6, 2), 1),
    (2, dict(filters=2, kernel_size=2, strides=(2, 1), data_format="channels_first"), (2, 2, 5, 4), 1),
    (2, dict(filters=3, kernel_size=3, padding="same"), (2, 4, 5, 2), 2),
    (2, dict(filters=2, kernel_size=(3, 2), strides=2, data_format="channels_first"), (1, 2, 6, 5), 2),
    (2, dict(filters=2, kernel_size=3, padding="same", data_format="channels_first"), (2, 2, 4, 4), 3),
    (2, dict(filters=3, kernel_size=2, strides=2), (2, 5, 5, 2), 3),
]


@pytest.mark.parametrize("rank,kwargs,shape,implementation", CASES)
def test_shared_filter_equals_convolution(parity, rank, kwargs, shape, implementation):
    rng = np.random.default_rng(rank * 10 + implementation)
    x = rng.standard_normal(shape).astype("float32")
    fmt = kwargs.get("data_format", "channels_last")
    layer = getattr(layers, f"LocallyConnected{rank}D")(**kwargs, implementation=implementation,
                                                         activation="tanh")
    conv = getattr(layers, f"Conv{rank}D")(**kwargs, activation="tanh", use_bias=False)
    conv(x)
    layer(x)
    k = (rng.standard_normal(conv.get_weights()[0].shape) * 0.5).astype("float32")
    conv.set_weights([k])
    spatial = shape[2:] if fmt == "channels_first" else shape[1:-1]
    strides = layer.strides
    kernel = layout_from_conv(k, spatial, strides, layer.padding, fmt, implementation)
    out_shape = tuple(conv.compute_output_shape(shape))
    bias = np.zeros(layer.get_weights()[1].shape, "float32")
    layer.set_weights([kernel, bias])
    np.testing.assert_allclose(parity.np(layer(x)), parity.np(conv(x)), atol=1e-5)
    assert tuple(layer.compute_output_shape(shape)) == out_shape
    # the bias is per position; channels_first reshapes it as Keras 2's bias_add did
    bias = rng.standard_normal(bias.shape).astype("float32")
    layer.set_weights([kernel, bias])
    b = bias.reshape((kwargs["filters"],) + out_shape[2:]) if fmt == "channels_first" else bias
    np.testing.assert_allclose(parity.np(layer(x)), np.tanh(np.arctanh(np.clip(parity.np(conv(x)), -1 + 1e-7, 1 - 1e-7)) + b), atol=1e-4)


def test_gradients_flow_to_every_connected_weight(grads):
    layer = layers.LocallyConnected2D(2, 2, implementation=3)
    x = np.random.default_rng(0).standard_normal((2, 3, 3, 1)).astype("float32")
    _, _, g = grads(layer, x, lamina.ops.sum)
    assert g["kernel"].shape == tuple(layer.kernel.shape) and float(np.abs(g["kernel"]).min()) > 0


def _k2_config(cls, name, shape, kwargs, implementation):
    cfg = {"name": name, "trainable": True, "dtype": "float32", "batch_input_shape": [None, *shape],
           "filters": kwargs["filters"], "kernel_size": list(np.broadcast_to(kwargs["kernel_size"], (len(shape) - 1,))),
           "strides": [1] * (len(shape) - 1), "padding": "valid", "data_format": "channels_last",
           "activation": "relu", "use_bias": True, "kernel_initializer": mk._init("GlorotUniform"),
           "bias_initializer": mk._init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
           "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
           "implementation": implementation}
    cfg["kernel_size"] = [int(v) for v in cfg["kernel_size"]]
    return {"class_name": cls, "config": cfg}


@pytest.mark.parametrize("implementation", [1, 2, 3])
def test_keras2_hdf5_file_loads(tmp_path, implementation):
    rng = np.random.default_rng(implementation)
    builder = layers.LocallyConnected2D(3, 2, implementation=implementation, activation="relu")
    builder.build((None, 4, 5, 2))
    weights = [(rng.standard_normal(w.shape) * 0.5).astype("float32") for w in builder.get_weights()]
    lc1 = layers.LocallyConnected1D(2, 3, implementation=implementation)
    lc1.build((None, 12, 3))
    w1 = [(rng.standard_normal(w.shape) * 0.5).astype("float32") for w in lc1.get_weights()]
    config = {"class_name": "Sequential", "config": {"name": "seq", "layers": [
        mk.input2("input_1", [None, 4, 5, 2]),
        _k2_config("LocallyConnected2D", "locally_connected2d", (4, 5, 2), dict(filters=3, kernel_size=2), implementation),
        {"class_name": "Reshape", "config": {"name": "reshape", "trainable": True, "dtype": "float32",
                                             "target_shape": [12, 3]}},
        _k2_config("LocallyConnected1D", "locally_connected1d", (12, 3), dict(filters=2, kernel_size=3), implementation),
    ]}}
    config["config"]["layers"][3]["config"]["activation"] = "linear"
    del config["config"]["layers"][3]["config"]["batch_input_shape"]
    path = tmp_path / "k2_local.h5"
    mk.write_keras2_model(path, config, [
        ("locally_connected2d", [("locally_connected2d/kernel:0", weights[0]), ("locally_connected2d/bias:0", weights[1])]),
        ("reshape", []),
        ("locally_connected1d", [("locally_connected1d/kernel:0", w1[0]), ("locally_connected1d/bias:0", w1[1])]),
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = lamina.models.load_model(path, compile=False)
    x = rng.standard_normal((2, 4, 5, 2)).astype("float32")
    builder.set_weights(weights)
    lc1.set_weights(w1)
    expected = parity_np(lc1(np.reshape(parity_np(builder(x)), (2, 12, 3))))
    np.testing.assert_allclose(parity_np(model(x)), expected, atol=1e-6)
    assert model.layers[0].implementation == implementation
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(parity_np(again(x)), expected, atol=1e-6)


def parity_np(x):
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def test_config_and_errors():
    layer = layers.LocallyConnected2D(4, 3, strides=2, padding="same", implementation=2)
    config = layer.get_config()
    assert {"filters", "kernel_size", "strides", "padding", "data_format", "implementation",
            "activity_regularizer"} <= set(config)
    assert layers.LocallyConnected2D.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="implementation=1 supports only padding='valid'"):
        layers.LocallyConnected1D(2, 3, padding="same")
    with pytest.raises(ValueError, match="implementation must be 1, 2 or 3"):
        layers.LocallyConnected1D(2, 3, implementation=4)
    with pytest.raises(ValueError, match="needs fully known spatial"):
        layers.LocallyConnected1D(2, 3).build((None, None, 3))


def test_keras2_module_path():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from lamina.layers.local import LocallyConnected1D, LocallyConnected2D
    assert LocallyConnected2D is layers.LocallyConnected2D and LocallyConnected1D is layers.LocallyConnected1D
    assert any("from lamina.layers import LocallyConnected2D" in str(w.message) for w in caught)
