"""String inputs in models and adapted vocabularies in .keras files.

Keras 3.15 builds StringLookup/TextVectorization only with TensorFlow installed (not in the test
environment), so the "Keras-written" archive below is made by Keras 3 itself for everything
except the TextVectorization layer, whose config entry, empty weight groups and
``assets/<layer path>/vocabulary.txt`` are written exactly as Keras's get_config/save_assets
(keras/src/layers/preprocessing/index_lookup.py, text_vectorization.py) write them."""

import json
import zipfile

import numpy as np
import pytest

import lamina
from lamina import layers

TEXT = np.array(["the cat sat", "The dog ran!", "a cat ran", "dogs sat down"] * 8, dtype=object)
Y = np.array([1, 0, 1, 0] * 8, "float32")


def test_functional_string_input_text_vectorization_fits_predicts_and_saves(tmp_path):
    vec = layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vec.adapt(TEXT)
    inp = lamina.Input(shape=(1,), dtype="string")
    ids = vec(inp)
    assert ids.shape == (None, 4) and ids.dtype == "int64"
    x = layers.GlobalAveragePooling1D()(layers.Embedding(20, 8)(ids))
    model = lamina.Model(inp, layers.Dense(1, activation="sigmoid")(x))
    model.compile("adam", "binary_crossentropy")
    history = model.fit(TEXT[:, None], Y, epochs=3, batch_size=8, shuffle=True, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    pred = np.asarray(model.predict(TEXT[:, None], verbose=0))
    assert pred.shape == (32, 1)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        names = zf.namelist()
        config = json.loads(zf.read("config.json"))
        vocab = zf.read("assets/layers/text_vectorization/vocabulary.txt").decode()
    assert vocab.split("\n") == vec.get_vocabulary()
    tv = [c for c in config["config"]["layers"] if c["class_name"] == "TextVectorization"][0]["config"]
    assert tv["vocabulary"] is None and tv["vocabulary_size"] == len(vec.get_vocabulary())
    assert "assets/layers/text_vectorization/_lookup_layer/vocabulary.txt" in names  # as Keras walks it
    loaded = lamina.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(np.asarray(loaded.predict(TEXT[:, None], verbose=0)), pred, rtol=1e-6)
    assert loaded.layers[1].get_vocabulary() == vec.get_vocabulary()


def test_sequential_string_lookup_with_bytes_and_evaluate(tmp_path):
    words = np.array([[b"cat"], [b"dog"], [b"cat"], [b"bird"]] * 8)
    lookup = layers.StringLookup()
    lookup.adapt(words)
    model = lamina.Sequential([lamina.Input(shape=(1,), dtype="string"), lookup, layers.Embedding(10, 4),
                               layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(words, Y, epochs=2, batch_size=8, validation_split=0.25, verbose=0)
    assert len(model.evaluate(words, Y, verbose=0)) == 2
    model.save(tmp_path / "s.keras")
    loaded = lamina.saving.load_model(tmp_path / "s.keras")
    np.testing.assert_allclose(np.asarray(loaded.predict(words, verbose=0)),
                               np.asarray(model.predict(words, verbose=0)), rtol=1e-6)
    assert loaded.layers[0].get_vocabulary() == ["[UNK]", "cat", "dog", "bird"]


def test_tf_idf_weights_are_saved_under_keras_dataset_name(tmp_path):
    import h5py

    vec = layers.TextVectorization(output_mode="tf_idf")
    vec.adapt(TEXT)
    model = lamina.Sequential([lamina.Input(shape=(1,), dtype="string"), vec, layers.Dense(1)])
    want = np.asarray(model.predict(TEXT[:4, None], verbose=0))
    model.save(tmp_path / "t.keras")
    with zipfile.ZipFile(tmp_path / "t.keras") as zf:
        zf.extract("model.weights.h5", tmp_path)
    with h5py.File(tmp_path / "model.weights.h5") as h5:
        idf = h5["layers/text_vectorization/_lookup_layer/vars/idf_weights"][()]
    assert idf.shape == (vec.vocabulary_size(),)
    loaded = lamina.saving.load_model(tmp_path / "t.keras")
    np.testing.assert_allclose(np.asarray(loaded.predict(TEXT[:4, None], verbose=0)), want, rtol=1e-6)


def _keras_text_vectorization_config(vocab_size):
    """TextVectorization's entry as Keras 3.15's get_config and serialize_keras_object write it
    for a layer adapted with output_sequence_length=4."""
    return {"module": "keras.layers", "class_name": "TextVectorization", "registered_name": None,
            "config": {"name": "text_vectorization", "trainable": True,
                       "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                 "config": {"name": "float32"}, "registered_name": None},
                       "max_tokens": None, "standardize": "lower_and_strip_punctuation",
                       "split": "whitespace", "ngrams": None, "output_mode": "int",
                       "output_sequence_length": 4, "pad_to_max_tokens": False, "sparse": False,
                       "ragged": False, "vocabulary": None, "idf_weights": None, "encoding": "utf-8",
                       "vocabulary_size": vocab_size}}


def test_keras_written_archive_with_adapted_text_vectorization_loads(keras, tmp_path):
    vocab = ["", "[UNK]", "the", "cat", "sat", "ran", "dog"]
    head = keras.Sequential([keras.Input((4,), dtype="int64"), keras.layers.Embedding(len(vocab), 3),
                             keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(2)])
    head.save(tmp_path / "head.keras")
    texts = np.array([["the cat sat"], ["a dog ran"], ["Cat, cat!"], ["zebra"]], dtype=object)

    def ids(s):  # the closed form of standardize + split + lookup + pad to 4
        toks = [t.strip(",!").lower() for t in s.split()]
        out = [vocab.index(t) if t in vocab else 1 for t in toks][:4]
        return out + [0] * (4 - len(out))

    want = head.predict(np.array([ids(t[0]) for t in texts]), verbose=0)
    with zipfile.ZipFile(tmp_path / "head.keras") as src:
        config = json.loads(src.read("config.json"))
        members = {n: src.read(n) for n in src.namelist()}
    model_layers = config["config"]["layers"]
    model_layers[0]["config"].update({"batch_shape": [None, 1], "dtype": "string"})
    model_layers.insert(1, _keras_text_vectorization_config(len(vocab)))
    config["config"]["build_input_shape"] = [None, 1]
    config["build_config"] = {"input_shape": [None, 1]}
    import h5py

    weights = tmp_path / "w.h5"
    weights.write_bytes(members["model.weights.h5"])
    with h5py.File(weights, "a") as h5:
        for path in ("layers/text_vectorization/vars", "layers/text_vectorization/_lookup_layer/vars"):
            h5.create_group(path)
    with zipfile.ZipFile(tmp_path / "k.keras", "w") as dst:
        dst.writestr("metadata.json", members["metadata.json"])
        dst.writestr("config.json", json.dumps(config))
        dst.writestr("model.weights.h5", weights.read_bytes())
        for path in ("layers/text_vectorization", "layers/text_vectorization/_lookup_layer"):
            dst.writestr(f"assets/{path}/vocabulary.txt", "\n".join(vocab))  # Keras's save_assets
    model = lamina.saving.load_model(tmp_path / "k.keras")
    assert model.layers[0].get_vocabulary() == vocab
    np.testing.assert_allclose(np.asarray(model.predict(texts, verbose=0)), want, rtol=1e-5, atol=1e-6)


def test_asset_names_that_escape_the_layer_folder_are_refused(tmp_path):
    lookup = layers.StringLookup()
    lookup.adapt(np.array([["a"], ["b"]]))
    model = lamina.Sequential([lamina.Input(shape=(1,), dtype="string"), lookup])
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras", "a") as zf:
        zf.writestr("assets/layers/string_lookup/..", "x")
    with pytest.raises(lamina.errors.UnsafeLoadError, match="unsafe name"):
        lamina.saving.load_model(tmp_path / "m.keras")


def test_integer_lookup_hashing_and_hashed_crossing_start_functional_models(tmp_path):
    pytest.importorskip("farmhash")
    ids = np.array([[12], [36], [12], [99]] * 8)
    lookup = layers.IntegerLookup()
    lookup.adapt(ids)
    inp = lamina.Input((1,), dtype="int64")
    feats = [layers.Flatten()(layers.Embedding(5, 2)(lookup(inp))),
             layers.Flatten()(layers.Embedding(8, 2)(layers.Hashing(8, salt=1)(inp)))]
    model = lamina.Model(inp, layers.Dense(1)(layers.Concatenate()(feats)))
    model.compile("adam", "mse")
    model.fit(ids, Y, epochs=1, verbose=0)
    model.save(tmp_path / "i.keras")
    np.testing.assert_allclose(np.asarray(lamina.saving.load_model(tmp_path / "i.keras").predict(ids, verbose=0)),
                               np.asarray(model.predict(ids, verbose=0)), rtol=1e-6)
    s, a = lamina.Input((1,), dtype="string"), lamina.Input((1,), dtype="int64")
    crossed = layers.HashedCrossing(5, output_mode="one_hot")((s, a))
    assert crossed.shape == (None, 5)
    cross_model = lamina.Model([s, a], crossed)
    out = np.asarray(cross_model.predict([np.array([["A"], ["B"]]), np.array([[101], [101]])], verbose=0))
    np.testing.assert_array_equal(out, np.eye(5, dtype="float32")[[1, 4]])  # Keras's documented bins
