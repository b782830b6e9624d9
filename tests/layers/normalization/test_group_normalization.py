import numpy as np
import pytest
import torch

import lamina
from lamina import layers, ops
from tests.keras3 import keras3
from tests.layers.neutral import layer_grad, to_np


def _np(t):
    return to_np(t)


@pytest.mark.parametrize("groups", [1, 2, 6, -1])
def test_channels_last_matches_torch_group_norm_with_gradients(groups):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 3, 6)).astype("float32")  # NHWC
    gn = layers.GroupNormalization(groups=groups, epsilon=1e-5)
    gn(x)
    gamma, beta = rng.normal(size=6).astype("float32"), rng.normal(size=6).astype("float32")
    gn.set_weights([gamma, beta])
    ref = torch.nn.GroupNorm(6 if groups == -1 else groups, 6, eps=1e-5)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(gamma))
        ref.bias.copy_(torch.from_numpy(beta))
    xr = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_()
    y = gn(x)
    yr = ref(xr)
    np.testing.assert_allclose(_np(y), _np(yr).transpose(0, 2, 3, 1), rtol=1e-4, atol=1e-5)
    g = rng.normal(size=x.shape).astype("float32")
    (yr * torch.from_numpy(g.transpose(0, 3, 1, 2).copy())).sum().backward()
    (gx,), (g_gamma, g_beta) = layer_grad(gn, lambda y: ops.sum(ops.multiply(y, g)), [x])
    np.testing.assert_allclose(gx, _np(xr.grad).transpose(0, 2, 3, 1), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(g_gamma, _np(ref.weight.grad), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(g_beta, _np(ref.bias.grad), rtol=1e-4, atol=1e-4)


def test_channels_first_and_3d_match_keras():
    keras = keras3()
    rng = np.random.default_rng(1)
    for axis, shape in ((1, (2, 4, 5, 5)), (-1, (3, 7, 8)), (2, (2, 3, 4, 5))):
        x = rng.normal(size=shape).astype("float32")
        ours = layers.GroupNormalization(groups=2, axis=axis)
        ref = keras.layers.GroupNormalization(groups=2, axis=axis)
        ours(x)
        ref(x)
        w = [rng.normal(size=v.shape).astype("float32") for v in ours.get_weights()]
        ours.set_weights(w)
        ref.set_weights(w)
        np.testing.assert_allclose(_np(ours(x)), keras.ops.convert_to_numpy(ref(x)), rtol=1e-4, atol=1e-5)


def test_groups_must_divide_features_and_config():
    keras = keras3()
    with pytest.raises(ValueError, match="groups=4 must divide the number of features 6"):
        layers.GroupNormalization(groups=4)(np.zeros((1, 6), "float32"))
    with pytest.raises(ValueError, match="positive integer"):
        layers.GroupNormalization(groups=0)
    gn = layers.GroupNormalization(groups=-1, center=False)
    gn(np.zeros((1, 3, 6), "float32"))
    assert [w.name for w in gn.weights] == ["gamma"]
    config = gn.get_config()
    assert config["groups"] == -1
    assert set(config) == set(keras.layers.GroupNormalization().get_config())
    assert layers.GroupNormalization.from_config(config).get_config() == config
    assert layers.GroupNormalization(groups=3)(lamina.Input((4, 6))).shape == (None, 4, 6)
