"""ImageDataGenerator (Keras 1/2): flows from arrays, real PNG folders and DataFrames, and each
augmentation against its closed form."""

import os
import warnings

import numpy as np
import pytest
from PIL import Image

import lamina
from lamina.errors import LaminaDeprecationWarning
from lamina.preprocessing import image


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LaminaDeprecationWarning)
        yield


def gen(**kw):
    return image.ImageDataGenerator(**kw)


@pytest.fixture
def png_tree(tmp_path):
    """root/{cats: 5 red-ish, dogs: 3 blue-ish} PNGs of 10x8 pixels, value = 10 * file number."""
    root = tmp_path / "train"
    for cls, n, channel in (("cats", 5, 0), ("dogs", 3, 2)):
        (root / cls).mkdir(parents=True)
        for i in range(n):
            pixels = np.zeros((10, 8, 3), "uint8")
            pixels[..., channel] = 10 * (i + 1)
            Image.fromarray(pixels).save(root / cls / f"img{i}.png")
        (root / cls / "notes.txt").write_text("not an image")
    return root


def test_the_generator_warns_towards_keras3():
    with warnings.catch_warnings():
        warnings.simplefilter("error", LaminaDeprecationWarning)
        with pytest.raises(LaminaDeprecationWarning, match="image_dataset_from_directory"):
            image.ImageDataGenerator()


def test_flow_from_directory_infers_classes_resizes_and_batches(png_tree, capsys):
    it = gen(rescale=1 / 255).flow_from_directory(str(png_tree), target_size=(6, 4), batch_size=3,
                                                  shuffle=False)
    assert "Found 8 images belonging to 2 classes." in capsys.readouterr().out
    assert it.class_indices == {"cats": 0, "dogs": 1} and len(it) == 3
    assert it.filenames[0] == os.path.join("cats", "img0.png") and list(it.classes) == [0] * 5 + [1] * 3
    x, y = it[0]
    assert x.shape == (3, 6, 4, 3) and x.dtype == np.float32 and y.shape == (3, 2)
    np.testing.assert_allclose(x[:, 0, 0, 0], np.array([10, 20, 30]) / 255, rtol=1e-6)
    np.testing.assert_array_equal(y, [[1, 0]] * 3)
    x, y = it[2]  # the last batch holds the rest
    assert x.shape == (2, 6, 4, 3)
    np.testing.assert_allclose(x[:, 0, 0, 2], np.array([20, 30]) / 255, rtol=1e-6)
    sparse = gen().flow_from_directory(str(png_tree), target_size=(6, 4), class_mode="sparse",
                                       color_mode="grayscale", shuffle=False, batch_size=8)
    xs, ys = sparse[0]
    assert xs.shape == (8, 6, 4, 1) and list(ys) == [0] * 5 + [1] * 3
    only_x = gen().flow_from_directory(str(png_tree), target_size=(6, 4), class_mode=None, classes=["dogs"])
    assert only_x[0].shape == (3, 6, 4, 3)


def test_validation_split_takes_the_first_fraction_of_each_class(png_tree):
    g = gen(validation_split=0.4)
    val = g.flow_from_directory(str(png_tree), target_size=(5, 5), subset="validation", shuffle=False)
    train = g.flow_from_directory(str(png_tree), target_size=(5, 5), subset="training", shuffle=False)
    # cats: int(0.4 * 5) = 2 for validation, dogs: int(0.4 * 3) = 1
    assert val.filenames == [os.path.join("cats", "img0.png"), os.path.join("cats", "img1.png"),
                             os.path.join("dogs", "img0.png")]
    assert train.samples == 5 and not set(train.filenames) & set(val.filenames)
    with pytest.raises(ValueError, match=r"needs a validation split: pass ImageDataGenerator\(validation_split=0.2\)"):
        gen().flow_from_directory(str(png_tree), subset="training")


def test_shuffle_with_a_seed_is_a_reproducible_permutation(png_tree):
    def order(seed):
        it = gen().flow_from_directory(str(png_tree), target_size=(4, 4), class_mode="sparse",
                                       batch_size=8, seed=seed)
        x, _ = it[0]
        return x[:, 0, 0, 0] + x[:, 0, 0, 2] * 1000
    first, again = order(7), order(7)
    np.testing.assert_array_equal(first, again)
    unshuffled = np.array([10, 20, 30, 40, 50, 10000, 20000, 30000], dtype="float32")
    assert sorted(first) == sorted(unshuffled) and not np.array_equal(first, unshuffled)


def test_a_model_trains_on_flow_from_directory_with_fit_and_fit_generator(png_tree):
    it = gen(rescale=1 / 255, horizontal_flip=True).flow_from_directory(
        str(png_tree), target_size=(8, 8), batch_size=4, seed=1)
    model = lamina.Sequential([lamina.Input((8, 8, 3)), lamina.layers.Flatten(),
                               lamina.layers.Dense(2, activation="softmax")])
    model.compile(lamina.optimizers.Adam(0.05), "categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(it, epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    with pytest.warns(LaminaDeprecationWarning):
        model.fit_generator(it, steps_per_epoch=len(it), epochs=1, verbose=0)
    with pytest.warns(LaminaDeprecationWarning):
        loss, acc = model.evaluate_generator(it, verbose=0)
    assert acc == 1.0
    with pytest.warns(LaminaDeprecationWarning):
        assert model.predict_generator(it, verbose=0).shape == (8, 2)
    assert next(it)[0].shape == (4, 8, 8, 3) and next(it)[0].shape == (4, 8, 8, 3)


def test_flow_from_dataframe(png_tree):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"filename": ["cats/img0.png", "dogs/img1.png", "missing.png"],
                       "class": ["cat", "dog", "dog"], "w": [1.0, 2.0, 3.0]})
    it = gen().flow_from_dataframe(df, str(png_tree), target_size=(3, 3), weight_col="w",
                                   class_mode="binary", shuffle=False)
    x, y, w = it[0]
    assert x.shape == (2, 3, 3, 3) and list(y) == [0.0, 1.0] and list(w) == [1.0, 2.0]
    assert x[0, 0, 0, 0] == 10 and x[1, 0, 0, 2] == 20


def test_flow_from_arrays_with_subsets_sample_weights_and_save_to_dir(tmp_path):
    x = np.arange(10 * 2 * 2 * 1, dtype="float32").reshape(10, 2, 2, 1)
    y = np.arange(10) % 2
    g = gen(validation_split=0.2)
    train = g.flow(x, y, batch_size=4, shuffle=False, subset="training")
    val = g.flow(x, y, batch_size=4, shuffle=False, subset="validation", sample_weight=np.ones(10))
    np.testing.assert_array_equal(train[0][0], x[:4])
    xv, yv, wv = val[0]
    np.testing.assert_array_equal(xv, x[8:]) and np.testing.assert_array_equal(yv, y[8:])
    with pytest.raises(ValueError, match="do not hold the same classes.*ignore_class_split=True"):
        gen(validation_split=0.2).flow(x, np.r_[np.zeros(8), np.ones(2)], subset="training")
    it = gen().flow(x, y, batch_size=3, save_to_dir=str(tmp_path), save_prefix="aug", shuffle=False)
    it[0]
    assert sorted(p.name.split("_")[1] for p in tmp_path.iterdir()) == ["0", "1", "2"]


def test_rescale_samplewise_and_featurewise_standardization_formulas():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, size=(6, 4, 5, 3)).astype("float32")
    g = gen(featurewise_center=True, featurewise_std_normalization=True, rescale=0.5)
    g.fit(x)
    mean = x.mean(axis=(0, 1, 2)).reshape(1, 1, 3)
    std = (x - mean).std(axis=(0, 1, 2)).reshape(1, 1, 3)
    np.testing.assert_allclose(g.mean, mean, rtol=1e-5)
    np.testing.assert_allclose(g.standardize(x[0].copy()), (x[0] * 0.5 - mean) / (std + 1e-6), rtol=1e-4, atol=1e-5)
    s = gen(samplewise_center=True, samplewise_std_normalization=True).standardize(x[1].copy())
    np.testing.assert_allclose(s, (x[1] - x[1].mean()) / (x[1].std() + 1e-6), rtol=1e-4, atol=1e-5)


def test_zca_whitening_decorrelates_the_fit_data():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(200, 2, 2, 1))
    x = np.concatenate([base, base * 0.5 + 0.1 * rng.normal(size=base.shape),
                        rng.normal(size=base.shape) * 3], axis=-1).astype("float32")
    g = gen(zca_whitening=True, featurewise_center=True)
    g.fit(x)
    white = np.stack([g.standardize(img.copy()) for img in x]).reshape(200, -1)
    np.testing.assert_allclose(np.cov(white, rowvar=False, bias=True), np.eye(12), atol=0.05)


def test_flips_shifts_and_channel_shift_match_closed_forms():
    x = np.arange(5 * 6 * 2, dtype="float32").reshape(5, 6, 2)
    g = gen(fill_mode="constant", cval=-1.0)
    np.testing.assert_array_equal(g.apply_transform(x, {"flip_horizontal": True}), x[:, ::-1])
    np.testing.assert_array_equal(g.apply_transform(x, {"flip_vertical": True}), x[::-1])
    shifted = g.apply_transform(x, {"ty": 2})  # out[r, c] = x[r, c + 2]: content moves left by 2
    expected = np.full_like(x, -1.0)
    expected[:, :4] = x[:, 2:]
    np.testing.assert_allclose(shifted, expected, atol=1e-4)
    shifted = g.apply_transform(x, {"tx": -1})  # out[r, c] = x[r - 1, c]: content moves down by 1
    expected = np.full_like(x, -1.0)
    expected[1:] = x[:-1]
    np.testing.assert_allclose(shifted, expected, atol=1e-4)
    cs = g.apply_transform(x, {"channel_shift_intensity": 5.0})
    np.testing.assert_allclose(cs, np.clip(x + 5.0, x.min(), x.max()))


def test_rotation_by_90_degrees_and_zoom_by_2():
    x = np.arange(25, dtype="float32").reshape(5, 5, 1)
    g = gen(fill_mode="nearest")
    rotated = g.apply_transform(x, {"theta": 90})
    assert any(np.allclose(rotated, np.rot90(x, k, axes=(0, 1)), atol=1e-4) for k in (1, 3))
    zoomed = g.apply_transform(x, {"zx": 0.5, "zy": 0.5})  # samples the central half: out[r] = x[2 + (r - 2) / 2]
    centre = np.array([1.0, 1.5, 2.0, 2.5, 3.0])
    expected = (centre[:, None] * 5 + centre[None, :])[..., None]
    np.testing.assert_allclose(zoomed, expected, atol=1e-4)


def test_random_shift_ranges_by_fraction_pixels_and_lists():
    x = np.zeros((10, 8, 1), "float32")
    g = gen(width_shift_range=0.25, height_shift_range=3)
    for seed in range(20):
        p = g.get_random_transform(x.shape, seed=seed)
        assert -2 <= p["ty"] <= 2 and -3 <= p["tx"] <= 3 and float(p["tx"]).is_integer()
    g = gen(width_shift_range=[4])
    assert {g.get_random_transform(x.shape, seed=s)["ty"] for s in range(20)} == {-4, 4}
    g = gen(horizontal_flip=True)
    flips = [g.get_random_transform(x.shape, seed=s)["flip_horizontal"] for s in range(40)]
    assert 5 < sum(flips) < 35


def test_brightness_range_scales_pixel_values():
    x = np.full((4, 4, 3), 100.0, "float32")
    out = gen().apply_transform(x, {"brightness": 0.5})
    np.testing.assert_allclose(out, 50.0, atol=1.0)


def test_errors_name_the_fix():
    with pytest.raises(ValueError, match="fill_mode must be one of"):
        gen(fill_mode="mirror")
    with pytest.raises(ValueError, match="zoom_range must be a float or two floats"):
        gen(zoom_range=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="rank 4"):
        gen().flow(np.zeros((4, 4, 4)))
    with pytest.raises(ValueError, match="is not a directory"):
        gen().flow_from_directory("/no/such/folder")
    g = gen(featurewise_center=True)
    with pytest.warns(lamina.errors.LaminaWarning, match=r"was not fit: call generator.fit\(x_train\) first"):
        g.standardize(np.zeros((2, 2, 1)))


def test_standalone_keras2_functions():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4)  # Keras's default axes: channels first
    np.testing.assert_array_equal(image.random_rotation(x, 0), x)
    np.testing.assert_array_equal(image.flip_axis(x, 2), x[:, :, ::-1])
    out = image.apply_affine_transform(x[0][..., None], tx=1, fill_mode="constant")
    np.testing.assert_allclose(out[:3, :, 0], x[0, 1:], atol=1e-5)
