"""save_weights / load_weights: the .weights.h5 and legacy .h5 layouts, by_name, skip_mismatch,
and mismatch reports that list every problem at once."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from saving_helpers import mlp, run

import lamina
from lamina import layers as L
from lamina.errors import WeightsMismatchError


def _fresh_copy(model):
    return lamina.models.clone_model(model)


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5", "w.hdf5", "m.keras"])
def test_weights_round_trip(tmp_path, name):
    model = mlp()
    path = tmp_path / name
    if name.endswith(".keras"):
        model.save(path)
    else:
        model.save_weights(path)
    other = _fresh_copy(model)
    x = np.random.default_rng(0).random((3, 4), dtype="float32")
    assert not np.allclose(run(other, x), run(model, x))
    other.load_weights(path)
    np.testing.assert_array_equal(run(other, x), run(model, x))


def test_legacy_h5_weights_layout(tmp_path):
    model = mlp("seqA")
    path = tmp_path / "w.h5"
    model.save_weights(path)
    with h5py.File(path) as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["layer_names"]]
        assert names == [l.name for l in model.layers]
        assert f.attrs["keras_version"] == "3.15.1" and f.attrs["backend"] == lamina.config.backend()
        dense = model.layers[0].name
        wn = [n.decode() for n in f[dense].attrs["weight_names"]]
        assert wn == [f"{dense}/kernel", f"{dense}/bias"]
        assert f[dense][wn[0]].shape == (4, 5)
        empty = f[model.layers[1].name].attrs["weight_names"]
        assert empty.dtype == np.float64 and empty.size == 0  # as Keras writes an empty list
        assert "top_level_model_weights" in f


def test_weights_h5_layout_matches_keras3(tmp_path):
    path = tmp_path / "w.weights.h5"
    mlp("seqA").save_weights(path)
    with h5py.File(path) as f:
        assert set(f.keys()) == {"layers", "vars"}
        assert set(f["layers"].keys()) == {"dense", "dropout", "activation", "dense_1"}
        assert f["layers/dense/vars/0"].shape == (4, 5) and f["layers/dense/vars/1"].shape == (5,)
        assert len(f["layers/dropout/vars"]) == 0
        assert f["vars"].attrs["name"] == "seqA"


def test_weights_h5_name_rules(tmp_path):
    with pytest.raises(ValueError, match="whole model.*model.save"):
        mlp().save_weights(tmp_path / "w.keras")
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        mlp().save_weights(tmp_path / "ckpt")


def _build(units_a=5, units_b=2, extra=False, name="m"):
    layers = [L.Dense(units_a, input_shape=(4,), name="a"), L.Dense(units_b, name="b")]
    if extra:
        layers.append(L.Dense(3, name="c"))
    return lamina.Sequential(layers, name=name)


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_mismatch_lists_every_problem_and_loads_nothing(tmp_path, name):
    src = _build(extra=True)
    src.save_weights(tmp_path / name)
    target = _build(units_a=6, units_b=2)  # a: wrong shapes, b: wrong input shape, c: unexpected
    before = [w.copy() for w in target.get_weights()]
    with pytest.raises(WeightsMismatchError) as info:
        target.load_weights(tmp_path / name)
    msg = str(info.value)
    problems = info.value.problems
    assert len(problems) >= 3, msg
    assert "(4, 6)" in msg and "(4, 5)" in msg  # a's kernel: model vs file
    assert "(6, 2)" in msg and "(5, 2)" in msg  # b's kernel
    assert "unexpected" in msg and "skip_mismatch" in msg
    for got, want in zip(target.get_weights(), before):
        np.testing.assert_array_equal(got, want)  # nothing was loaded


def test_missing_weights_are_listed(tmp_path):
    _build().save_weights(tmp_path / "w.weights.h5")
    target = _build(extra=True)
    with pytest.raises(WeightsMismatchError, match="missing") as info:
        target.load_weights(tmp_path / "w.weights.h5")
    assert sum("missing" in p for p in info.value.problems) == 2  # c's kernel and bias


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_skip_mismatch_loads_what_fits_and_warns(tmp_path, name):
    src = _build(units_a=5, units_b=2)
    src.save_weights(tmp_path / name)
    target = _build(units_a=5, units_b=3)  # b differs
    with pytest.warns(lamina.errors.LaminaWarning, match="skipped"):
        target.load_weights(tmp_path / name, skip_mismatch=True)
    np.testing.assert_array_equal(target.get_layer("a").get_weights()[0], src.get_layer("a").get_weights()[0])
    assert target.get_layer("b").get_weights()[0].shape == (5, 3)


def test_by_name_loads_matching_layers_only(tmp_path):
    src = lamina.Sequential([L.Dense(5, input_shape=(4,), name="shared_a"), L.Dense(2, name="head")])
    src.save_weights(tmp_path / "w.h5")
    target = lamina.Sequential([L.Dense(5, input_shape=(4,), name="shared_a"), L.Dense(7, name="new_head")])
    target.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(target.get_layer("shared_a").get_weights()[0],
                                  src.get_layer("shared_a").get_weights()[0])
    # same names but wrong shapes: an error, or skipped with skip_mismatch
    bad = lamina.Sequential([L.Dense(5, input_shape=(4,), name="shared_a"), L.Dense(7, name="head")])
    with pytest.raises(WeightsMismatchError, match="head"):
        bad.load_weights(tmp_path / "w.h5", by_name=True)
    with pytest.warns(lamina.errors.LaminaWarning):
        bad.load_weights(tmp_path / "w.h5", by_name=True, skip_mismatch=True)


def test_by_name_is_refused_for_keras3_weights_files(tmp_path):
    model = _build()
    model.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="by_name"):
        model.load_weights(tmp_path / "w.weights.h5", by_name=True)


def test_loading_into_an_unbuilt_model_says_how_to_build_it(tmp_path):
    _build().save_weights(tmp_path / "w.weights.h5")
    unbuilt = lamina.Sequential([L.Dense(5), L.Dense(2)])
    with pytest.raises(ValueError, match="not built.*input_shape"):
        unbuilt.load_weights(tmp_path / "w.weights.h5")


def test_legacy_order_is_trainable_then_non_trainable(tmp_path):
    class WithState(L.Layer):
        def build(self, shape):
            self.count = self.add_weight(shape=(1,), initializer="ones", trainable=False, name="count")
            self.w = self.add_weight(shape=(shape[-1],), initializer="random_normal", name="w")

        def call(self, x):
            return x * self.w

        def compute_output_shape(self, s):
            return s

    model = lamina.Sequential([lamina.Input((3,)), WithState(name="ws")])
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5") as f:
        assert [n.decode() for n in f["ws"].attrs["weight_names"]] == ["ws/w", "ws/count"]
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5") as f:
        assert f["layers/with_state/vars/0"].shape == (3,) and f["layers/with_state/vars/1"].shape == (1,)


def test_nested_model_weights_are_flattened_in_legacy_files(tmp_path):
    inner = lamina.Sequential([lamina.Input((4,)), L.Dense(3, name="inner_d")], name="inner")
    x = lamina.Input((4,))
    model = lamina.Model(x, L.Dense(2, name="top")(inner(x)))
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5") as f:
        assert [n.decode() for n in f["inner"].attrs["weight_names"]] == [
            "inner/inner_d/kernel", "inner/inner_d/bias"]
    other = lamina.models.clone_model(model)
    other.load_weights(tmp_path / "w.h5")
    data = np.ones((2, 4), "float32")
    np.testing.assert_array_equal(run(other, data), run(model, data))


def test_subclassed_model_weights_round_trip(tmp_path):
    class Net(lamina.Model):
        def __init__(self):
            super().__init__()
            self.hidden = L.Dense(4, activation="relu")
            self.out = L.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

    a, b = Net(), Net()
    x = np.random.default_rng(3).random((2, 3), dtype="float32")
    run(a, x), run(b, x)
    for name in ("w.weights.h5", "w.h5"):
        a.save_weights(tmp_path / name)
        b.load_weights(tmp_path / name)
        np.testing.assert_array_equal(run(b, x), run(a, x))
    with h5py.File(tmp_path / "w.weights.h5") as f:
        assert set(f.keys()) == {"hidden", "out", "vars"}


def _box_model(box):
    model = lamina.Sequential([lamina.Input((4,)), box])
    run(model, np.ones((1, 4), "float32"))
    return model


def _boxes():
    """Two layers with the same class name ('Box': same group path) but different insides."""

    class Box(L.Layer):  # keeps its weights in a sub-layer, as Keras's LSTM keeps them in a cell
        def __init__(self, **kw):
            super().__init__(**kw)
            self.cell = L.Dense(3, name="box_cell")

        def call(self, x):
            return self.cell(x)

    class FlatBox(L.Layer):  # keeps the same weights itself
        def build(self, shape):
            self.kernel = self.add_weight(shape=(shape[-1], 3), name="kernel")
            self.bias = self.add_weight(shape=(3,), initializer="zeros", name="bias")

        def call(self, x):
            return lamina.ops.matmul(x, self.kernel) + self.bias

    FlatBox.__name__ = "Box"
    return Box, FlatBox


def test_weights_match_across_different_inner_structure(tmp_path):
    Box, FlatBox = _boxes()
    src = _box_model(Box())
    src.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5") as f:
        assert f["layers/box/cell/vars/0"].shape == (4, 3) and len(f["layers/box/vars"]) == 0
    dst = _box_model(FlatBox())
    dst.load_weights(tmp_path / "w.weights.h5")
    x = np.random.default_rng(0).random((2, 4), dtype="float32")
    np.testing.assert_allclose(run(dst, x), run(src, x), rtol=1e-6)


def test_ambiguous_inner_structure_is_matched_by_name_or_refused(tmp_path):
    class Two(L.Layer):
        def __init__(self, names, attrs, **kw):
            super().__init__(**kw)
            for n, a in zip(names, attrs):
                setattr(self, a, L.Dense(4, name=n))
            self._order = attrs

        def call(self, x):
            for a in self._order:
                x = getattr(self, a)(x)
            return x

    src = _box_model(Two(["first", "second"], ["a", "b"]))
    src.save_weights(tmp_path / "w.weights.h5")
    by_name = _box_model(Two(["second", "first"], ["p", "q"]))  # other attributes, same names
    by_name.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(by_name.layers[0].q.get_weights()[0], src.layers[0].a.get_weights()[0])
    unknown = _box_model(Two(["x1", "x2"], ["p", "q"]))  # same shapes, no names to go by
    with pytest.raises(WeightsMismatchError, match="missing"):
        unknown.load_weights(tmp_path / "w.weights.h5")
