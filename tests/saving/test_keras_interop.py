"""Files written by real Keras 3 load in lamina, and lamina's files load in Keras 3.

The Keras files are generated here (Keras 3.15.1, torch backend) for the reference's model
zoo: Dense, Conv2D, BatchNormalization, LSTM, GRU, Embedding, Bidirectional,
MultiHeadAttention, a two-input functional model and a nested model. Cases whose layers lamina
does not have yet are skipped (they arrive from other branches) and light up after the merge.
"""

from __future__ import annotations

import numpy as np
import pytest
from saving_helpers import fixture_path, require_layers, require_training, run

import lamina

RNG = np.random.default_rng(7)


def _dense(k):
    L = k.layers
    return k.Sequential([k.Input((6,)), L.Dense(8, activation="relu"), L.Dropout(0.3),
                         L.Activation("tanh"), L.Dense(3, activation="softmax")], name="dense_zoo"), \
        RNG.random((4, 6), dtype="float32"), ["Dense", "Dropout", "Activation"]


def _conv(k):
    L = k.layers
    m = k.Sequential([k.Input((8, 8, 3)), L.Conv2D(4, 3, padding="same", activation="relu"),
                      L.BatchNormalization(), L.Flatten(), L.Dense(2)], name="conv_zoo")
    return m, RNG.random((2, 8, 8, 3), dtype="float32"), ["Conv2D", "BatchNormalization", "Flatten", "Dense"]


def _lstm(k):
    L = k.layers
    return k.Sequential([k.Input((5, 3)), L.LSTM(4, return_sequences=True), L.LSTM(2)], name="lstm_zoo"), \
        RNG.random((2, 5, 3), dtype="float32"), ["LSTM"]


def _gru(k):
    L = k.layers
    return k.Sequential([k.Input((5, 3)), L.GRU(4), L.Dense(1)], name="gru_zoo"), \
        RNG.random((2, 5, 3), dtype="float32"), ["GRU", "Dense"]


def _embedding(k):
    L = k.layers
    x = RNG.integers(1, 20, (3, 7)).astype("int32")
    x[0, 4:] = 0
    return k.Sequential([k.Input((7,), dtype="int32"), L.Embedding(20, 4, mask_zero=True), L.LSTM(3),
                         L.Dense(1)], name="emb_zoo"), x, ["Embedding", "LSTM", "Dense"]


def _bidirectional(k):
    L = k.layers
    return k.Sequential([k.Input((5, 3)), L.Bidirectional(L.GRU(3)), L.Dense(2)], name="bi_zoo"), \
        RNG.random((2, 5, 3), dtype="float32"), ["Bidirectional", "GRU", "Dense"]


def _mha(k):
    L = k.layers
    q = k.Input((5, 8))
    v = k.Input((4, 8))
    out = L.MultiHeadAttention(num_heads=2, key_dim=4)(q, v)
    return k.Model([q, v], out, name="mha_zoo"), \
        [RNG.random((2, 5, 8), dtype="float32"), RNG.random((2, 4, 8), dtype="float32")], ["MultiHeadAttention"]


def _two_inputs(k):
    L = k.layers
    a, b = k.Input((4,), name="in_a"), k.Input((3,), name="in_b")
    d1, d2 = L.Dense(5, name="d1")(a), L.Dense(5, name="d2")(b)
    s = L.Add(name="add")([d1, d2])
    c = L.Concatenate(name="cat")([s, d1])
    return k.Model([a, b], L.Dense(1, name="out")(c), name="funcF"), \
        [RNG.random((3, 4), dtype="float32"), RNG.random((3, 3), dtype="float32")], ["Dense", "Add", "Concatenate"]


def _nested(k):
    L = k.layers
    inner = k.Sequential([k.Input((4,)), L.Dense(3, name="inner_d")], name="inner")
    shared = L.Dense(4, activation="tanh", name="shared")
    x = k.Input((4,), name="x")
    y = L.Dense(2, name="top")(inner(shared(shared(x))))
    return k.Model(x, y, name="outer"), RNG.random((3, 4), dtype="float32"), ["Dense"]


CASES = {"dense": _dense, "conv": _conv, "lstm": _lstm, "gru": _gru, "embedding": _embedding,
         "bidirectional": _bidirectional, "mha": _mha, "two_inputs": _two_inputs, "nested": _nested}


@pytest.fixture(scope="module")
def keras_files(keras, tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras_files")
    out = {}
    for name, make in CASES.items():
        model, x, needs = make(keras)
        if name == "dense":
            model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
            model.fit(RNG.random((8, 6), dtype="float32"), np.eye(3, dtype="float32")[RNG.integers(0, 3, 8)],
                      epochs=1, verbose=0)
        paths = {ext: str(folder / f"{name}{ext}") for ext in (".keras", ".h5", ".weights.h5")}
        model.save(paths[".keras"])
        model.save(paths[".h5"])
        model.save_weights(paths[".weights.h5"])
        out[name] = (model, x, needs, paths, model.predict(x, verbose=0))
    return out


def _close(a, b, tol=2e-5):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_lamina_loads_keras3_models(keras_files, case, ext):
    _, x, needs, paths, want = keras_files[case]
    require_layers(*needs)
    model = lamina.models.load_model(paths[ext], compile=False)
    _close(run(model, x), want)


@pytest.mark.parametrize("case", list(CASES))
def test_lamina_loads_keras3_weights_into_its_own_model(keras_files, case):
    _, x, needs, paths, want = keras_files[case]
    require_layers(*needs)
    model = lamina.models.clone_model(lamina.models.load_model(paths[".keras"], compile=False))
    model.load_weights(paths[".weights.h5"])
    _close(run(model, x), want)
    fresh = lamina.models.clone_model(model)
    fresh.load_weights(paths[".h5"])  # Keras 3's legacy whole-model h5 also holds the weights
    _close(run(fresh, x), want)


@pytest.mark.parametrize("case", list(CASES))
def test_keras3_loads_lamina_files(keras, keras_files, case, tmp_path):
    kmodel, x, needs, paths, want = keras_files[case]
    require_layers(*needs)
    model = lamina.models.load_model(paths[".keras"], compile=False)
    model.save(tmp_path / "l.keras")
    model.save(tmp_path / "l.h5")
    model.save_weights(tmp_path / "l.weights.h5")
    model.save_weights(tmp_path / "l_legacy.h5")
    for ext in ("l.keras", "l.h5"):
        back = keras.saving.load_model(str(tmp_path / ext), compile=False)
        _close(back.predict(x, verbose=0), want)
    for ext in ("l.weights.h5", "l_legacy.h5"):
        clone = keras.models.clone_model(kmodel)
        clone.load_weights(str(tmp_path / ext))
        _close(clone.predict(x, verbose=0), want)


def test_keras_and_lamina_list_layers_in_the_same_order(keras):
    from lamina.saving.functional_config import ordered_layers

    def build(lib, L):
        x = lib.Input((3,), name="x")
        short = L.Dense(3, name="short")(x)
        long_ = L.Dense(3, name="c")(L.Dense(3, name="b")(L.Dense(3, name="a")(x)))
        side = L.Dense(3, name="side")(short)
        return lib.Model(x, [L.Activation("relu", name="r")(long_), side])

    k = build(keras, keras.layers)
    m = build(lamina, lamina.layers)
    assert [l.name for l in ordered_layers(m)] == [l.name for l in k.layers]


def test_keras3_compiled_file_restores_compile_and_optimizer_state(keras_files):
    require_training()
    kmodel, x, _, paths, want = keras_files["dense"]
    model = lamina.models.load_model(paths[".keras"])
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.iterations == int(kmodel.optimizer.iterations.numpy())
    for ours, theirs in zip(model.optimizer.variables, kmodel.optimizer.variables):
        np.testing.assert_allclose(ours.numpy(), keras_value(theirs), rtol=1e-6)


def keras_value(v):
    return np.asarray(v.numpy() if hasattr(v, "numpy") else v)


# ---------------------------------------------------------------------------------------------
# committed Keras 3 files (work without keras installed)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["k3_mlp.keras", "k3_mlp.h5"])
def test_committed_keras3_files(name, reference):
    model = lamina.models.load_model(fixture_path(name), compile=False)
    _close(run(model, reference["k3_mlp_x"]), reference["k3_mlp_y"])


def test_committed_keras3_weights_file(reference):
    L = lamina.layers
    model = lamina.Sequential([L.Dense(8, activation="relu", input_shape=(6,)), L.Dropout(0.2),
                               L.Activation("tanh"), L.Dense(3, activation="softmax")])
    model.load_weights(fixture_path("k3_mlp.weights.h5"))  # optimizer/ group ignored: not compiled
    _close(run(model, reference["k3_mlp_x"]), reference["k3_mlp_y"])


def test_committed_keras3_functional_with_dict_outputs_shared_and_nested(reference):
    model = lamina.models.load_model(fixture_path("k3_func.keras"), compile=False)
    out = run(model, [reference["k3_func_xa"], reference["k3_func_xb"]])
    _close(out["first"], reference["k3_func_first"])
    _close(out["second"], reference["k3_func_second"])
    assert len(model.get_layer("shared")._inbound_nodes) == 2
