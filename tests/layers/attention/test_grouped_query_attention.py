"""GroupedQueryAttention against Keras 3.15: outputs, scores, gradients, masks, configs, files."""

import numpy as np
import pytest

import lamina
from lamina import layers

CASES = [
    dict(head_dim=4, num_query_heads=4, num_key_value_heads=2),
    dict(head_dim=3, num_query_heads=6, num_key_value_heads=1, use_bias=False),
    dict(head_dim=2, num_query_heads=2, num_key_value_heads=2, use_gate=True),
    dict(head_dim=4, num_query_heads=4, num_key_value_heads=2, sliding_window=2),
]


@pytest.mark.parametrize("kwargs", CASES)
@pytest.mark.parametrize("causal", [False, True])
def test_matches_keras(keras, parity, kwargs, causal):
    rng = np.random.default_rng(kwargs["num_query_heads"])
    q = rng.standard_normal((2, 5, 6)).astype("float32")
    v = rng.standard_normal((2, 5, 6)).astype("float32")
    k_layer = keras.layers.GroupQueryAttention(**kwargs)
    lam = layers.GroupQueryAttention(**kwargs)
    parity.compare(k_layer, lam, [q, v], rng, call_kwargs={"use_causal_mask": causal})
    assert [w.path.split("/", 1)[1] for w in k_layer.weights] == [
        "/".join(x.path.split("/")[-2:]) for x in lam.weights]
    parity.config_both_ways(keras, k_layer, lam)


def test_scores_and_masks_match_keras(keras, parity):
    rng = np.random.default_rng(0)
    q = rng.standard_normal((2, 4, 6)).astype("float32")
    v = rng.standard_normal((2, 7, 6)).astype("float32")
    key = rng.standard_normal((2, 7, 6)).astype("float32")
    mask = rng.random((2, 4, 7)) > 0.3
    mask[:, :, 0] = True
    kw = dict(head_dim=3, num_query_heads=4, num_key_value_heads=2)
    k_layer, lam = keras.layers.GroupQueryAttention(**kw), layers.GroupedQueryAttention(**kw)
    call = dict(attention_mask=mask, return_attention_scores=True)
    parity.compare(k_layer, lam, [q, v, key], rng, call_kwargs=call)


def test_keras_file_loads_and_functional_masking(keras, tmp_path):
    ids = keras.Input((5,), dtype="int32")
    h = keras.layers.Embedding(10, 8, mask_zero=True)(ids)
    out = keras.layers.GroupQueryAttention(4, 4, 2)(h, h)
    model = keras.Model(ids, out)
    x = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]])
    model.save(tmp_path / "gqa.keras")
    loaded = lamina.models.load_model(tmp_path / "gqa.keras")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(loaded(x)),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match="num_query_heads must be a multiple of num_key_value_heads"):
        layers.GroupedQueryAttention(4, 3, 2)
    with pytest.raises(ValueError, match="sliding_window must be None or a positive integer"):
        layers.GroupedQueryAttention(4, 2, 2, sliding_window=0)


def test_dropout_only_in_training_and_seeded(parity):
    x = np.random.default_rng(0).standard_normal((2, 5, 6)).astype("float32")
    a = layers.GroupedQueryAttention(3, 4, 2, dropout=0.5, seed=3)
    infer = parity.np(a(x, x))
    np.testing.assert_array_equal(parity.np(a(x, x, training=False)), infer)
    trained = parity.np(a(x, x, training=True))
    assert np.abs(trained - infer).max() > 1e-3
    _, scores = a(x, x, training=True, return_attention_scores=True)
    np.testing.assert_allclose(parity.np(scores).sum(-1), 1.0, atol=1e-5)  # scores before dropout
