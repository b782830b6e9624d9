"""GroupNormalization trains with any of gamma/beta switched off, first in a model (issue 14).

Two torch failures sat under it: group_norm's backward with a bias but no weight raises
"tensor does not have a device", and its channels_last backward segfaults when only gamma/beta
need a gradient (the layer's input is the model's input). Gradients are compared with Keras 3.
"""

import numpy as np
import pytest
import torch

import lamina
from lamina import layers, ops
from tests.keras3 import keras3
from tests.layers.neutral import grad, to_np

keras = keras3()

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn.t accept a copy keyword")

AFFINE = [dict(scale=False), dict(center=False), dict(scale=False, center=False), dict()]


@pytest.mark.parametrize("axis,shape", [(-1, (3, 4, 6)), (1, (3, 6, 4)), (-1, (3, 6)), (-1, (2, 3, 3, 6))])
@pytest.mark.parametrize("affine", [a for a in AFFINE if a.get("scale", True) or a.get("center", True)], ids=str)
def test_weight_gradients_match_keras_when_the_input_needs_none(affine, axis, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    upstream = np.random.default_rng(1).standard_normal(shape).astype("float32")
    ll = layers.GroupNormalization(groups=2, axis=axis, **affine)
    kl = keras.layers.GroupNormalization(groups=2, axis=axis, **affine)
    ll(x), kl(x)
    rng = np.random.default_rng(2)
    weights = [rng.standard_normal(w.shape).astype("float32") for w in kl.get_weights()]
    ll.set_weights(weights)
    kl.set_weights(weights)
    y = ll(x)

    def loss(tv):  # the input is a constant (needs no gradient), as a model's input
        return ops.sum(ops.multiply(ll.stateless_call(tv, [], x)[0], upstream))

    (l_grads,) = grad(loss, [to_np(v.value) for v in ll.trainable_variables])
    ky = kl(torch.tensor(x))
    (ky * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(to_np(y), to_np(ky), rtol=1e-5, atol=1e-5)
    assert len(l_grads) == len(kl.trainable_weights)
    for lg, kw in zip(l_grads, kl.trainable_weights):
        np.testing.assert_allclose(lg, to_np(kw.value.grad), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("affine", AFFINE[:3], ids=str)
def test_fit_first_layer(affine):
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input((4, 6)), layers.GroupNormalization(2, **affine), layers.Dense(1)])
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    history = model.fit(rng.random((8, 4, 6)).astype("float32"), rng.random((8, 4, 1)).astype("float32"),
                        epochs=3, verbose=0)
    loss = history.history["loss"]
    assert np.isfinite(loss).all() and loss[-1] < loss[0]
