"""GetItem (``x[key]`` on a symbolic tensor): every kind of key survives save/load, and Keras 3's
own files with indexing load and compute what Keras computes."""

import numpy as np
import pytest

import lamina
from lamina.layers.core.op_layer import GetItem
from tests.keras3 import keras3

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn.t accept a copy keyword")

KEYS = [(0, 1), [0, 2], [1], 1, (slice(None), 1, slice(2, 4)), (Ellipsis, None, 0), (slice(None), [0, 2]),
        slice(1, None, 2)]


@pytest.mark.parametrize("key", KEYS, ids=repr)
def test_config_round_trip_keeps_the_key_exactly(key):
    layer = GetItem(key)
    back = GetItem.from_config(layer.get_config())
    assert back.key == key and type(back.key) is type(key)


def test_tuple_and_list_of_ints_differ_after_saving(tmp_path):
    x = np.arange(2 * 3 * 4, dtype="float32").reshape(2, 3, 4)
    inp = lamina.Input((3, 4))
    model = lamina.Model(inp, [inp[0, 1], inp[[1, 0]], inp[:, [0, 2]], inp[..., None, 0]])
    model.save(tmp_path / "m.keras")
    loaded = lamina.models.load_model(tmp_path / "m.keras")
    want = [x[0, 1], x[[1, 0]], x[:, [0, 2]], x[..., None, 0]]
    for w, a, b in zip(want, model.predict(x, verbose=0), loaded.predict(x, verbose=0)):
        np.testing.assert_array_equal(a, w)
        np.testing.assert_array_equal(b, w)


def test_untagged_lists_from_older_files_still_load():
    assert GetItem.from_config({"key": [0, 2]}).key == [0, 2]
    assert GetItem.from_config({"key": [{"class_name": "__slice__", "config": {}}, 1]}).key == (slice(None), 1)
    with pytest.raises(ValueError, match=r"GetItem: cannot read the saved index part \{'class_name': 'x'\}"):
        GetItem.from_config({"key": {"class_name": "x"}})


def test_keras3_file_with_int_tuple_keys_loads(tmp_path):
    keras = keras3()
    inp = keras.Input((3, 4, 5))
    kmodel = keras.Model(inp, [inp[0, 1], inp[:, 1, 2:4], inp[..., None, 0], keras.layers.Dense(2)(inp[:, 2])])
    path = str(tmp_path / "k3.keras")
    kmodel.save(path)
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5)).astype("float32")
    want = kmodel.predict(x, verbose=0)
    loaded = lamina.models.load_model(path)
    got = loaded.predict(x, verbose=0)
    assert [g.shape for g in got] == [(4, 5), (2, 2, 5), (2, 3, 4, 1), (2, 4, 2)]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-6)
    # and lamina writes it back in a form it reads the same way
    loaded.save(tmp_path / "again.keras")
    for g, w in zip(lamina.models.load_model(tmp_path / "again.keras").predict(x, verbose=0), want):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-6)
