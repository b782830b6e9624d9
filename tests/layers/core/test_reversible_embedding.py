"""ReversibleEmbedding against Keras 3.15: lookups, tied / untied reverse logits, soft cap, files."""

import numpy as np
import pytest

import lamina
from lamina import layers


@pytest.mark.parametrize("kwargs", [
    dict(tie_weights=True),
    dict(tie_weights=False),
    dict(tie_weights=True, logit_soft_cap=2.0),
    dict(tie_weights=False, mask_zero=True, logit_soft_cap=0.5),
])
def test_matches_keras_both_directions(keras, parity, kwargs):
    k = keras.layers.ReversibleEmbedding(11, 4, **kwargs)
    lam = layers.ReversibleEmbedding(11, 4, **kwargs)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 11, (3, 5))
    parity.compare(k, lam, ids, rng)
    hidden = rng.standard_normal((3, 5, 4)).astype("float32")
    parity.compare(k, lam, hidden, rng, set_weights=False, call_kwargs={"reverse": True})
    assert [w.path.split("/")[-1] for w in k.weights] == [v.path.split("/")[-1] for v in lam.weights]
    assert tuple(lam.compute_output_shape((3, 5, 4), reverse=True)) == (3, 5, 11)
    parity.config_both_ways(keras, k, lam)


def test_language_model_head_in_a_functional_model(keras, tmp_path):
    ids = keras.Input((6,), dtype="int32")
    emb = keras.layers.ReversibleEmbedding(13, 8, tie_weights=False)
    h = keras.layers.Dense(8, activation="tanh")(emb(ids))
    model = keras.Model(ids, emb(h, reverse=True))
    x = np.random.default_rng(0).integers(0, 13, (2, 6))
    model.save(tmp_path / "lm.keras")
    loaded = lamina.models.load_model(tmp_path / "lm.keras")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(loaded(x)),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-5)

    inp = lamina.Input((6,), dtype="int32")
    le = layers.ReversibleEmbedding(13, 8, mask_zero=True)
    out = le(layers.Dense(8)(le(inp)), reverse=True)
    assert tuple(out.shape) == (None, 6, 13)
