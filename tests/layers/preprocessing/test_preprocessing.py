"""Preprocessing layers against Keras 3 (torch backend): outputs, configs both ways, adapt, and a
model that trains and round-trips through a .keras file with its adapted state."""

import numpy as np
import pytest

import lamina
from lamina import layers


RNG = np.random.RandomState(0)
IMG = (RNG.rand(2, 7, 5, 3) * 255).astype("float32")
TAB = RNG.randn(40, 3).astype("float32")

# (class name, args, kwargs, input)
DETERMINISTIC = [
    ("Rescaling", (1 / 255.0,), {"offset": -1.0}, IMG),
    ("Rescaling", ([0.5, 1.0, 2.0],), {}, IMG),
    ("Resizing", (4, 4), {}, IMG),
    ("Resizing", (10, 3), {"interpolation": "nearest"}, IMG),
    ("Resizing", (3, 9), {"crop_to_aspect_ratio": True}, IMG),
    ("Resizing", (3, 9), {"pad_to_aspect_ratio": True, "fill_value": 3.0}, IMG),
    ("Resizing", (4, 4), {}, IMG.astype("uint8")),
    ("CenterCrop", (4, 4), {}, IMG),
    ("CenterCrop", (9, 9), {}, IMG),
    ("Normalization", (), {"mean": [1.0, 2.0, 3.0], "variance": [4.0, 0.0, 9.0]}, TAB),
    ("Normalization", (), {"axis": None, "mean": 3.0, "variance": 4.0, "invert": True}, TAB),
    ("Discretization", (), {"bin_boundaries": [-0.5, 0.0, 0.5]}, TAB),
    ("Discretization", (), {"bin_boundaries": [0.0], "output_mode": "count"}, TAB),
    ("CategoryEncoding", (4,), {"output_mode": "one_hot"}, np.array([[1], [3]])),
    ("CategoryEncoding", (4,), {"output_mode": "multi_hot"}, np.array([[0, 1, 1], [3, 2, 2]])),
    ("CategoryEncoding", (4,), {"output_mode": "count"}, np.array([0, 1, 1, 3])),
    ("AutoContrast", (), {}, IMG),
    ("AutoContrast", (), {"value_range": (0, 1)}, IMG / 255.0),
]


@pytest.mark.parametrize("name,args,kwargs,x", DETERMINISTIC,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(DETERMINISTIC)])
def test_matches_keras_outputs_and_configs(keras, name, args, kwargs, x):
    k = getattr(keras.layers, name)(*args, **kwargs)
    ours = getattr(layers, name)(*args, **kwargs)
    want = k(x).detach().cpu().numpy()
    got = np.asarray(ours(x))
    assert got.shape == want.shape and str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    kc, oc = k.get_config(), ours.get_config()
    assert set(kc) == set(oc), set(kc) ^ set(oc)
    from_keras = getattr(layers, name).from_config(kc)
    np.testing.assert_allclose(np.asarray(from_keras(x)), want, rtol=1e-5, atol=1e-4)
    back = getattr(keras.layers, name).from_config(oc)
    np.testing.assert_allclose(back(x).detach().cpu().numpy(), want, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("axis", [-1, None, (1, 2)])
def test_normalization_adapt_matches_keras_for_arrays_and_batches(keras, axis):
    x = RNG.randn(30, 4, 2).astype("float32") * 3 + 1
    k = keras.layers.Normalization(axis=axis)
    k.adapt(x)
    for data in (x, [x[:7], x[7:]], lamina.utils.Dataset.from_tensor_slices(x).batch(8)
                 if hasattr(lamina.utils.Dataset, "from_tensor_slices") else [x]):
        ours = layers.Normalization(axis=axis)
        ours.adapt(data)
        np.testing.assert_allclose(np.asarray(ours(x)), k(x).detach().cpu().numpy(), rtol=1e-4, atol=1e-4)
    assert [w.name for w in ours.weights] == [w.name for w in k.weights]


def test_normalization_errors_name_the_fix():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="no data"):
        layers.Normalization().adapt([])


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_adapt_matches_keras_summary(keras, mode):
    k = keras.layers.Discretization(num_bins=4, output_mode=mode)
    k.reset_state()
    k.update_state(TAB)  # Keras's adapt() needs TensorFlow; this is its body
    k.finalize_state()
    ours = layers.Discretization(num_bins=4, output_mode=mode)
    ours.adapt(TAB)
    np.testing.assert_allclose(ours.bin_boundaries, k.bin_boundaries, rtol=1e-6)
    x = TAB[:5, :1]
    np.testing.assert_array_equal(np.asarray(ours(x)), k(x).detach().cpu().numpy())
    assert layers.Discretization.from_config(ours.get_config()).bin_boundaries == ours.bin_boundaries


# Keras 3 cannot build Hashing/StringLookup/IntegerLookup without TensorFlow; their documented
# examples (keras.io, computed by TensorFlow) are the reference.
@pytest.mark.parametrize("kwargs,x,want", [
    ({"num_bins": 3}, [["A"], ["B"], ["C"], ["D"], ["E"]], [1, 0, 1, 1, 2]),
    ({"num_bins": 3, "salt": 133}, [["A"], ["B"], ["C"], ["D"], ["E"]], [0, 0, 2, 1, 0]),
    ({"num_bins": 3, "mask_value": ""}, [["A"], ["B"], [""], ["C"], ["D"]], [1, 1, 0, 2, 2]),
])
def test_hashing_matches_keras_documented_bins(kwargs, x, want):
    if "salt" not in kwargs:
        pytest.importorskip("farmhash")
    out = layers.Hashing(**kwargs)(np.array(x, dtype=object))
    # int64, as the backend stores it (int32 under JAX without jax_enable_x64, as Keras 3 there)
    int64 = str(np.asarray(lamina.ops.zeros((), "int64")).dtype)
    assert np.asarray(out).ravel().tolist() == want and str(np.asarray(out).dtype) == int64


def test_siphash_reference_vector():
    from lamina.layers.preprocessing._hash import siphash24
    # the SipHash paper's test vector: key 00..0f, message 00..0e
    assert siphash24(0x0706050403020100, 0x0F0E0D0C0B0A0908, bytes(range(15))) == 0xA129CA6149BE45E5


VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d"], ["d", "z", "b"]]


@pytest.mark.parametrize("kwargs,x,want", [
    ({"vocabulary": VOCAB}, DATA, [[1, 3, 4], [4, 0, 2]]),
    ({"vocabulary": VOCAB, "output_mode": "one_hot"}, ["a", "b", "c", "d", "z"], np.eye(5)[[1, 2, 3, 4, 0]]),
    ({"vocabulary": VOCAB, "output_mode": "multi_hot"}, DATA, [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
    ({"vocabulary": VOCAB, "output_mode": "count"}, [["a", "c", "d", "d"], ["d", "z", "b", "z"]],
     [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
    ({"vocabulary": VOCAB, "output_mode": "tf_idf", "idf_weights": [0.25, 0.75, 0.6, 0.4]},
     [["a", "c", "d", "d"], ["d", "z", "b", "z"]], [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]]),
    ({"vocabulary": VOCAB, "mask_token": "[MASK]"}, [["a", "[MASK]", "z"]], [[2, 0, 1]]),
])
def test_string_lookup_matches_keras_documented_examples(kwargs, x, want):
    out = layers.StringLookup(**kwargs)(x)
    np.testing.assert_allclose(np.asarray(out), np.asarray(want, dtype="float64"), atol=1e-6)


def test_string_lookup_oov_buckets_match_keras_documented_example():
    pytest.importorskip("farmhash")
    out = layers.StringLookup(vocabulary=VOCAB, num_oov_indices=2)([["a", "c", "d"], ["m", "z", "b"]])
    assert np.asarray(out).tolist() == [[2, 4, 5], [0, 1, 3]]


def test_lookup_adapt_invert_file_and_config_round_trip(tmp_path):
    layer = layers.StringLookup()
    layer.adapt(np.array([["a", "b", "b"], ["c", "c", "c"]], dtype=object))
    assert layer.get_vocabulary() == ["[UNK]", "c", "b", "a"] and layer.vocabulary_size() == 4
    config = layer.get_config()  # as Keras 3: an adapted vocabulary is an asset, not config
    assert config["vocabulary"] is None and config["vocabulary_size"] == 4
    clone = layers.StringLookup.from_config(config)
    assert clone.get_vocabulary() == ["[UNK]"]
    layer.save_assets(str(tmp_path))
    assert (tmp_path / "vocabulary.txt").read_text() == "[UNK]\nc\nb\na"
    clone.load_assets(str(tmp_path))
    assert clone.get_vocabulary() == layer.get_vocabulary()
    inv = layers.StringLookup(vocabulary=layer.get_vocabulary(include_special_tokens=False), invert=True)
    assert inv(np.array([[1, 3, 0]])).tolist() == [["c", "a", "[UNK]"]]
    path = tmp_path / "vocab.txt"
    path.write_text("x\ny\n")
    from_file = layers.StringLookup(vocabulary=str(path))
    path.unlink()  # the file is read once, at construction; the config holds the tokens
    assert layers.StringLookup.from_config(from_file.get_config()).get_vocabulary() == ["[UNK]", "x", "y"]
    ints = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42], num_oov_indices=2)
    assert np.asarray(ints([[12, 1138, 42], [42, 1000, 36]])).tolist() == [[2, 4, 5], [5, 0, 3]]
    assert np.asarray(layers.IntegerLookup(vocabulary=[12, 36], invert=True)(np.array([1, 2, 0]))).tolist() == [12, 36, -1]


def test_lookup_tf_idf_adapt_uses_keras_formula():
    layer = layers.StringLookup(output_mode="tf_idf")
    docs = [["a", "a", "b"], ["a", "c", "c"]]
    layer.adapt(docs)
    idf = {t: np.log(1 + 2 / (1 + n)) for t, n in {"a": 2, "b": 1, "c": 1}.items()}
    vocab = layer.get_vocabulary()
    assert vocab == ["[UNK]", "a", "c", "b"]
    want = [np.mean([idf["a"], idf["c"], idf["b"]]) * 0, 2 * idf["a"], 0, idf["b"]]
    np.testing.assert_allclose(np.asarray(layer([["a", "a", "b"]]))[0], want, rtol=1e-6)


def test_pipeline_applies_layers_and_round_trips_config(keras):
    p = layers.Pipeline([layers.Rescaling(2.0), layers.Normalization(mean=1.0, variance=4.0)])
    x = np.array([[1.0], [3.0]], "float32")
    np.testing.assert_allclose(np.asarray(p(x)), (2 * x - 1) / 2)
    k = keras.layers.Pipeline.from_config(p.get_config())
    np.testing.assert_allclose(k(x).detach().cpu().numpy(), (2 * x - 1) / 2)
    np.testing.assert_allclose(np.asarray(layers.Pipeline.from_config(p.get_config())(x)), (2 * x - 1) / 2)


def test_model_with_normalization_and_rescaling_trains_and_saves_adapted_state(tmp_path):
    x = (RNG.rand(64, 4) * 10).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 20).astype("float32")
    norm = layers.Normalization()
    norm.adapt(x)
    model = lamina.Sequential([lamina.Input((4,)), layers.Rescaling(0.5), norm, layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = lamina.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), np.asarray(model.predict(x, verbose=0)), rtol=1e-5)
    w = {v.name: v.numpy() for v in loaded.layers[1].weights}
    np.testing.assert_allclose(w["mean"], x.mean(axis=0), rtol=1e-5)


def test_text_vectorization_matches_keras_documented_examples():
    layer = layers.TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    # Keras's docs adapt on ["foo", "bar", "baz"]; ties are ordered by Keras 3's reversed lexsort
    # (token descending), so counts 1/2/3 pin the documented order baz, bar, foo.
    layer.adapt(["foo", "bar bar", "baz baz baz"])
    assert layer.get_vocabulary() == ["", "[UNK]", "baz", "bar", "foo"]
    assert np.asarray(layer([["foo qux bar"], ["qux baz"]])).tolist() == [[4, 1, 3, 0], [1, 2, 0, 0]]
    given = layers.TextVectorization(vocabulary=["earth", "wind", "and", "fire"], output_sequence_length=4)
    assert np.asarray(given(np.array([["Earth, wind and FIRE!"]], dtype=object))).tolist() == [[2, 3, 4, 5]]


@pytest.mark.parametrize("kwargs,text,want_vocab", [
    ({"output_mode": "multi_hot", "ngrams": 2}, ["a b a", "b c"], ["[UNK]", "b", "a", "c", "b c", "b a", "a b"]),
    ({"split": "character", "standardize": None}, ["aAb"], ["", "[UNK]", "b", "a", "A"]),
    ({"output_mode": "count", "max_tokens": 3}, ["x y y z z z"], ["[UNK]", "z", "y"]),
])
def test_text_vectorization_adapt_modes_and_config_round_trip(kwargs, text, want_vocab, tmp_path):
    layer = layers.TextVectorization(**kwargs)
    layer.adapt(text)
    assert layer.get_vocabulary() == want_vocab
    clone = layers.TextVectorization.from_config(layer.get_config())
    layer.save_assets(str(tmp_path))  # the adapted vocabulary travels as an asset (Keras 3)
    clone.load_assets(str(tmp_path))
    assert clone.get_vocabulary() == want_vocab
    np.testing.assert_array_equal(np.asarray(clone(text)), np.asarray(layer(text)))


def test_text_vectorization_tf_idf_uses_keras_idf_and_mean_oov_weight():
    layer = layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(["a b a", "b c"])
    idf = {"a": np.log(1 + 2 / 2), "b": np.log(1 + 2 / 3), "c": np.log(1 + 2 / 2)}
    want = [np.mean(list(idf.values())), idf["b"], idf["a"], 0.0]
    np.testing.assert_allclose(np.asarray(layer(["a b q"]))[0], want, rtol=1e-6)


# (class name, args, kwargs): random layers
RANDOM = [
    ("RandomFlip", (), {}),
    ("RandomFlip", (), {"mode": "horizontal"}),
    ("RandomContrast", (0.3,), {}),
    ("RandomBrightness", ((-0.2, 0.3),), {}),
    ("RandomCrop", (4, 4), {}),
    ("RandomRotation", (0.2,), {}),
    ("RandomTranslation", (0.2, (-0.1, 0.3)), {"fill_mode": "constant"}),
    ("RandomZoom", (0.3,), {"width_factor": 0.1, "interpolation": "nearest"}),
    ("RandomGrayscale", (0.5,), {}),
    ("RandomInvert", (0.5,), {}),
]


@pytest.mark.parametrize("name,args,kwargs", RANDOM, ids=[f"{c[0]}-{i}" for i, c in enumerate(RANDOM)])
def test_random_layers_shapes_seeds_inference_and_configs(keras, name, args, kwargs):
    x = (np.random.RandomState(1).rand(16, 6, 5, 3) * 255).astype("float32")
    make = lambda: getattr(layers, name)(*args, seed=3, **kwargs)  # noqa: E731
    k = getattr(keras.layers, name)(*args, seed=3, **kwargs)
    a, b = make(), make()
    ya = np.asarray(a(x, training=True))
    assert ya.shape == tuple(k(x, training=True).shape)
    np.testing.assert_array_equal(ya, np.asarray(b(x, training=True)))  # same seed, same output
    assert not np.array_equal(ya, np.asarray(a(x, training=True)))  # the generator moves on
    # Keras 3.15's RandomCrop returns its input unchanged at inference (a shape that differs from
    # training's); lamina keeps Keras 2's and the docs' centre crop, i.e. Resizing(crop_to_aspect_ratio).
    ref = keras.layers.Resizing(*args, crop_to_aspect_ratio=True) if name == "RandomCrop" else k
    np.testing.assert_allclose(np.asarray(a(x, training=False)), ref(x, training=False).detach().cpu().numpy(),
                               rtol=1e-5, atol=1e-3)
    kc, oc = k.get_config(), a.get_config()
    assert set(kc) == set(oc)
    for key in ("factor", "value_range", "mode", "height", "width"):
        if key in kc:
            assert list(np.ravel(kc[key])) == list(np.ravel(oc[key])), key
    assert getattr(layers, name).from_config(kc).get_config().get("seed", 3) == 3


def test_random_layer_statistics():
    x = np.full((2000, 2, 2, 1), 100.0, "float32")
    flipped = np.asarray(layers.RandomFlip("horizontal", seed=0)(np.arange(2.0).reshape(1, 1, 2, 1).repeat(2000, 0),
                                                                  training=True))
    assert 0.45 < (flipped[:, 0, 0, 0] == 1).mean() < 0.55
    bright = np.asarray(layers.RandomBrightness((-0.1, 0.1), seed=0)(x, training=True))[:, 0, 0, 0] - 100
    assert abs(bright.mean()) < 1.5 and -25.5 <= bright.min() < -22 and 22 < bright.max() <= 25.5
    img = np.random.RandomState(0).rand(500, 4, 4, 1).astype("float32") * 100 + 50
    c = np.asarray(layers.RandomContrast((0.5, 0.5), seed=0)(img, training=True))
    ratio = (c - c.mean(axis=(1, 2), keepdims=True)).std(axis=(1, 2, 3)) / (img - img.mean(axis=(1, 2), keepdims=True)).std(axis=(1, 2, 3))
    assert 0.5 <= ratio.min() < 0.6 and 1.4 < ratio.max() <= 1.5


# A degenerate range (lower == upper) makes the warp deterministic: the same transform as Keras.
@pytest.mark.parametrize("name,args,kwargs", [
    ("RandomRotation", ((0.1, 0.1),), {}),
    ("RandomRotation", ((-0.3, -0.3),), {"fill_mode": "constant", "fill_value": 7.0}),
    ("RandomTranslation", ((0.2, 0.2), (-0.3, -0.3)), {"fill_mode": "wrap"}),
    ("RandomTranslation", ((-0.4, -0.4), (0.1, 0.1)), {"fill_mode": "nearest", "interpolation": "nearest"}),
    ("RandomZoom", ((0.3, 0.3), (-0.2, -0.2)), {}),
    ("RandomZoom", ((-0.3, -0.3),), {"fill_mode": "constant"}),
])
def test_affine_layers_match_keras_for_a_fixed_transform(keras, name, args, kwargs):
    x = (np.random.RandomState(2).rand(3, 6, 5, 2) * 255).astype("float32")
    want = getattr(keras.layers, name)(*args, **kwargs)(x, training=True).detach().cpu().numpy()
    got = np.asarray(getattr(layers, name)(*args, **kwargs)(x, training=True))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)
    assert not np.allclose(got, x)


def test_image_model_with_augmentation_trains_and_round_trips(tmp_path):
    rng = np.random.RandomState(0)
    x = (rng.rand(32, 8, 8, 3) * 255).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 127).astype("float32")[:, None]
    norm = layers.Normalization()
    norm.adapt(x / 255.0)
    model = lamina.Sequential([lamina.Input((8, 8, 3)), layers.Rescaling(1 / 255.0), norm,
                               layers.RandomFlip(seed=1), layers.RandomRotation(0.1, seed=2),
                               layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    pred = np.asarray(model.predict(x, verbose=0))
    np.testing.assert_allclose(pred, np.asarray(model.predict(x, verbose=0)))  # no augmentation at inference
    path = tmp_path / "aug.keras"
    model.save(path)
    loaded = lamina.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), pred, rtol=1e-5, atol=1e-6)
    assert type(loaded.layers[2]).__name__ == "RandomFlip" and loaded.layers[3].get_config()["seed"] == 2


def test_keras_files_with_preprocessing_layers_load_both_ways(keras, tmp_path):
    x = (np.random.RandomState(3).rand(16, 8, 8, 3) * 255).astype("float32")
    norm = keras.layers.Normalization()
    norm.adapt(x / 255.0)
    k = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Rescaling(1 / 255.0), norm,
                          keras.layers.RandomFlip(seed=1), keras.layers.RandomZoom(0.1, seed=3),
                          keras.layers.Resizing(4, 4), keras.layers.CenterCrop(3, 3),
                          keras.layers.Flatten(), keras.layers.Dense(1)])
    want = k.predict(x, verbose=0)
    k.save(tmp_path / "k.keras")
    ours = lamina.saving.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)), want, rtol=1e-5, atol=1e-5)
    ours.save(tmp_path / "l.keras")
    back = keras.saving.load_model(tmp_path / "l.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)


def test_layers_work_in_the_data_pipeline():
    x = (np.random.RandomState(4).rand(10, 6, 6, 3) * 255).astype("float32")
    ds = lamina.utils.Dataset.from_tensor_slices((x, np.arange(10))).batch(5)
    resize = layers.Resizing(3, 3)
    out = list(ds.map(lambda a, b: (resize(a), b)))
    assert [tuple(np.asarray(a).shape) for a, _ in out] == [(5, 3, 3, 3), (5, 3, 3, 3)]
    text = lamina.utils.Dataset.from_tensor_slices(np.array(["a b", "b c", "c"], dtype=object)).batch(2)
    vec = layers.TextVectorization()
    vec.adapt(text)
    assert vec.get_vocabulary() == ["", "[UNK]", "c", "b", "a"]


@pytest.mark.parametrize("name,args", [("RandomGrayscale", (1.0,)), ("RandomInvert", ((1.0, 1.0),))])
def test_color_layers_match_keras_when_always_applied(keras, name, args):
    x = (np.random.RandomState(5).rand(4, 6, 5, 3) * 255).astype("float32")
    want = getattr(keras.layers, name)(*args)(x, training=True).detach().cpu().numpy()
    np.testing.assert_allclose(np.asarray(getattr(layers, name)(*args)(x, training=True)), want, rtol=1e-6, atol=1e-4)
