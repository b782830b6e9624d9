"""An out-of-range id raises the same lamina error in fit, evaluate and predict under every
backend. Under JAX the steps are compiled (a gather there cannot raise), so the ids are checked
on the host before each step (lamina/backend/jax/ids.py); run with LAMINA_BACKEND=jax too."""

import re

import numpy as np
import pytest

import lamina
from lamina import layers

MESSAGE = re.escape("Embedding layer 'tokens' (input_dim=10): Embedding lookup received ids in [0, 10], "
                    "but the layer's input_dim is 10, so valid ids are 0 to 9.")


def _model():
    inp = lamina.Input((5,), dtype="int32")
    x = layers.Embedding(10, 4, name="tokens")(inp)
    model = lamina.Model(inp, layers.Dense(2)(layers.GlobalAveragePooling1D()(x)))
    model.compile(optimizer="adam", loss=lamina.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_an_id_out_of_range_in_a_later_batch_is_the_lamina_error(method):
    rng = np.random.default_rng(0)
    ids, y = rng.integers(0, 10, size=(32, 5)), rng.integers(0, 2, size=(32,))
    model = _model()
    model.fit(ids, y, batch_size=16, verbose=0)   # compiled and traced on good batches
    ids[20, 1] = 10
    args = (ids,) if method == "predict" else (ids, y)
    with pytest.raises(ValueError, match=MESSAGE):
        getattr(model, method)(*args, batch_size=16, verbose=0)


@pytest.mark.skipif(lamina.backend.backend() != "jax", reason="JAX's compiled lookup")
def test_under_a_users_own_jit_an_out_of_range_id_gives_nan_rows_not_a_clamped_row():
    import jax

    layer = layers.Embedding(3, 2)
    layer(np.zeros((1,), "int32"))
    tv = [v.value for v in layer.trainable_variables]
    out = jax.jit(lambda tv, i: layer.stateless_call(tv, [], i)[0])(tv, np.array([-1, 0, 2, 3], "int32"))
    out = np.asarray(out)
    assert np.isnan(out[[0, 3]]).all()
    np.testing.assert_array_equal(out[[1, 2]], np.asarray(tv[0])[[0, 2]])


def test_category_encoding_ids_out_of_range_in_predict_are_the_lamina_error():
    model = lamina.Sequential([lamina.Input((3,), dtype="int32"), layers.CategoryEncoding(5, output_mode="multi_hot"),
                               layers.Dense(1)])
    ids = np.random.default_rng(0).integers(0, 5, size=(8, 3)).astype("int32")
    model.predict(ids, batch_size=4, verbose=0)
    ids[6, 0] = 7
    with pytest.raises(ValueError, match=re.escape("CategoryEncoding: inputs must be in [0, 5) (num_tokens=5); "
                                                   "received values in [0, 7]. Raise num_tokens.")):
        model.predict(ids, batch_size=4, verbose=0)
