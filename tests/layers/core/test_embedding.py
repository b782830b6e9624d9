"""Embedding: lookups vs torch.nn.Embedding and Keras 3, masks, casting, errors, config."""

import numpy as np
import pytest
import torch

import lamina
from lamina.errors import LaminaDeprecationWarning
from tests.layers.neutral import layer_grad, mask_of, to_np

L = lamina.layers


def test_lookup_and_gradient_match_torch_nn_embedding():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 10, (4, 6))
    emb = L.Embedding(10, 3)
    emb(ids)
    ref = torch.nn.Embedding(10, 3)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(emb.get_weights()[0]))
    out, out_ref = emb(ids), ref(torch.tensor(ids))
    np.testing.assert_array_equal(to_np(out), to_np(out_ref))
    w = rng.standard_normal((4, 6, 3)).astype("float32")
    (out_ref * torch.from_numpy(w)).sum().backward()
    _, (g,) = layer_grad(emb, lambda y: lamina.ops.sum(lamina.ops.multiply(y, w)), [ids])
    np.testing.assert_allclose(g, ref.weight.grad.numpy(), rtol=1e-6)


def test_matches_keras_with_mask(keras):
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 7, (3, 5)).astype("int32")
    lam, ker = L.Embedding(7, 4, mask_zero=True), keras.layers.Embedding(7, 4, mask_zero=True)
    lam(ids), ker(ids)
    w = rng.standard_normal((7, 4)).astype("float32")
    lam.set_weights([w]), ker.set_weights([w])
    out = lam(ids)
    np.testing.assert_array_equal(to_np(out), to_np(ker(ids)))
    np.testing.assert_array_equal(mask_of(out), ids != 0)
    np.testing.assert_array_equal(to_np(lam.compute_mask(ids, None)),
                                  ker.compute_mask(ids, None).cpu().numpy())


def test_weight_layout_and_default_initializer():
    emb = L.Embedding(50, 8)
    emb(np.zeros((1, 2), "int64"))
    assert [(w.name, w.shape) for w in emb.weights] == [("embeddings", (50, 8))]
    values = emb.get_weights()[0]
    assert np.abs(values).max() <= 0.05 and values.std() > 0.01  # 'uniform': U(-0.05, 0.05)


def test_float_ids_are_cast():
    emb = L.Embedding(5, 2)
    out = emb(np.array([[1.0, 4.0]], "float32"))
    np.testing.assert_array_equal(to_np(out)[0], emb.get_weights()[0][[1, 4]])
    assert lamina.ops.dtype(emb(np.array([[1, 4]], "int32"))) == "float32"


@pytest.mark.parametrize("bad", [5, -1])
def test_out_of_range_ids_error_names_input_dim(bad):
    emb = L.Embedding(5, 2, name="words")
    with pytest.raises(ValueError, match=r"'words' \(input_dim=5\).*valid ids are 0 to 4"):
        emb(np.array([[0, bad]]))


def test_no_mask_without_mask_zero():
    out = L.Embedding(5, 2)(np.array([[0, 1]]))
    assert getattr(out, "_keras_mask", None) is None


def test_input_length_is_deprecated_but_gives_the_input_shape():
    with pytest.warns(LaminaDeprecationWarning, match="input_length"):
        emb = L.Embedding(100, 4, input_length=12)
    model = lamina.Sequential([emb, L.Flatten()])
    assert model.output_shape == (None, 48)


def test_keras1_spellings():
    with pytest.warns(LaminaDeprecationWarning):
        emb = L.Embedding(10, 3, init="zeros", W_regularizer="l2")
    emb(np.array([[1]]))
    assert not emb.get_weights()[0].any() and type(emb.embeddings_regularizer).__name__ == "L2"
    assert len(emb.losses) == 1


def test_symbolic_shape_and_invalid_args():
    assert L.Embedding(10, 3)(lamina.Input((7,), dtype="int32")).shape == (None, 7, 3)
    with pytest.raises(ValueError, match="output_dim must be a positive integer"):
        L.Embedding(10, 0)


def test_config_round_trip_and_keras_keys(keras):
    emb = L.Embedding(10, 3, mask_zero=True, embeddings_regularizer="l1")
    config = emb.get_config()
    assert L.Embedding.from_config(config).get_config() == config
    keras_keys = set(keras.layers.Embedding(10, 3).get_config())
    assert set(config) == keras_keys


def test_pretrained_weights_and_frozen_table():
    table = np.arange(12, dtype="float32").reshape(6, 2)
    emb = L.Embedding(6, 2, weights=[table], trainable=False)
    out = emb(np.array([[5, 0]]))
    np.testing.assert_array_equal(to_np(out), table[[5, 0]][None])
    assert emb.trainable_weights == [] and len(emb.non_trainable_weights) == 1


def test_keras1_dropout_argument():
    with pytest.warns(LaminaDeprecationWarning):
        L.Embedding(10, 3, dropout=0.0)
    with pytest.raises(ValueError, match="SpatialDropout1D"):
        L.Embedding(10, 3, dropout=0.2)
