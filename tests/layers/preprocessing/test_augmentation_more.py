"""The 17 image augmentation layers added to complete Keras 3.15's set: against Keras 3 (torch
backend) where the randomness can be pinned, and by range, shape, dtype, seed and statistics
where it cannot."""

import numpy as np
import pytest

from lamina import layers


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


X = (np.random.RandomState(0).rand(4, 9, 8, 3) * 255).astype("float32")

# (name, args, kwargs): pinned randomness, so the output is Keras's exactly
PINNED = [
    ("Equalization", (), {}, X),
    ("Equalization", (), {"bins": 32, "value_range": (0, 1)}, X / 255.0),
    ("Equalization", (), {}, np.round(X / 4.0)),  # few distinct values: ties and empty bins
    ("Equalization", (), {"data_format": "channels_first"}, X.transpose(0, 3, 1, 2)),
    ("Solarization", (), {}, X),
    ("Solarization", (), {"value_range": (0, 1)}, X / 255.0),
    ("RandomHue", ((1.0, 1.0),), {}, X),  # +-half a turn give the same image
    ("RandomHue", ((1.0, 1.0),), {"value_range": (0, 1)}, X / 255.0),
    ("RandomSaturation", ((0.3, 0.3),), {}, X),
    ("RandomSaturation", ((0.8, 0.8),), {"value_range": (0, 1)}, X / 255.0),
    ("RandomSharpness", ((0.9, 0.9),), {}, X),
    ("RandomSharpness", ((0.1, 0.1),), {"data_format": "channels_first"}, X.transpose(0, 3, 1, 2)),
    ("RandomColorDegeneration", ((0.6, 0.6),), {}, X),
    ("RandomPosterization", ((3, 3),), {}, X),
    ("RandomPosterization", ((1, 1),), {"value_range": (0, 1)}, X / 255.0),
    ("RandomGaussianBlur", ((1.0, 1.0),), {"sigma": (0.7, 0.7)}, X),
    ("RandomGaussianBlur", ((1.0, 1.0),), {"kernel_size": 5, "sigma": (0.4, 0.4)}, X),
    ("RandomColorJitter", (), {"brightness_factor": (0.2, 0.2), "saturation_factor": (0.3, 0.3),
                               "hue_factor": (1.0, 1.0)}, X),
    ("RandomErasing", ((0.0, 0.0),), {}, X),  # never applied
    ("RandomElasticTransform", ((0.0, 0.0),), {}, X),
    ("RandomPerspective", (), {"scale": 0.0}, X),
]


@pytest.mark.parametrize("name,args,kwargs,x", PINNED, ids=[f"{c[0]}-{i}" for i, c in enumerate(PINNED)])
def test_pinned_transforms_match_keras(keras, name, args, kwargs, x):
    want = _np(getattr(keras.layers, name)(*args, **kwargs)(x, training=True))
    got = np.asarray(getattr(layers, name)(*args, **kwargs)(x, training=True))
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-3 * (x.max() or 1))
    single = np.asarray(getattr(layers, name)(*args, **kwargs)(x[0], training=True))
    assert single.shape == x[0].shape


RANDOM = [
    ("RandomHue", (0.5,), {}), ("RandomSaturation", (0.5,), {}), ("RandomSharpness", (0.5,), {}),
    ("RandomShear", (0.2, 0.3), {}), ("RandomErasing", (), {}), ("RandomGaussianBlur", (), {}),
    ("RandomPosterization", (4,), {}), ("RandomColorDegeneration", (0.5,), {}),
    ("RandomColorJitter", (), {"brightness_factor": 0.2, "contrast_factor": 0.3, "saturation_factor": 0.4,
                               "hue_factor": 0.2}),
    ("RandomPerspective", (), {}), ("RandomElasticTransform", (), {}),
    ("Solarization", (0.3, 0.5), {}), ("MixUp", (), {}), ("CutMix", (), {}), ("AugMix", (), {}),
    ("RandAugment", (), {}),
]


@pytest.mark.parametrize("name,args,kwargs", RANDOM, ids=[c[0] for c in RANDOM])
def test_random_layers_seed_range_inference_and_configs(keras, name, args, kwargs):
    x = (np.random.RandomState(1).rand(8, 10, 9, 3) * 255).astype("float32")
    make = lambda: getattr(layers, name)(*args, seed=3, **kwargs)  # noqa: E731
    a, b = make(), make()
    ya = np.asarray(a(x, training=True))
    assert ya.shape == x.shape and ya.dtype == np.float32
    assert 0.0 <= ya.min() and ya.max() <= 255.0 + 1e-3
    np.testing.assert_array_equal(ya, np.asarray(b(x, training=True)))  # same seed, same output
    assert not np.array_equal(ya, np.asarray(a(x, training=True)))  # the generator moves on
    assert not np.allclose(ya, x)
    k = getattr(keras.layers, name)(*args, seed=3, **kwargs)
    np.testing.assert_array_equal(np.asarray(a(x, training=False)), _np(k(x, training=False)))  # identity
    kc, oc = k.get_config(), a.get_config()
    assert set(kc) == set(oc), set(kc) ^ set(oc)
    for key in kc:
        if key not in ("name", "dtype"):
            assert np.ravel(kc[key]).tolist() == np.ravel(oc[key]).tolist() if kc[key] is not None \
                else oc[key] is None, key
    assert getattr(layers, name).from_config(kc).get_config()["seed"] == 3
    if name != "RandomShear":  # Keras 3.15 refuses its own saved (-f, f) shear factors
        assert getattr(keras.layers, name).from_config(oc).get_config()["seed"] == 3


def test_shear_is_keras_transform_with_either_sign(keras):
    x = (np.random.RandomState(2).rand(6, 7, 8, 2) * 255).astype("float32")
    got = np.asarray(layers.RandomShear((0.3, 0.3), (0.2, 0.2), seed=1)(x, training=True))
    ref = {}
    for sign in (1.0, -1.0):
        t = np.tile(np.array([[1, 0.3 * sign, 0, 0.2 * sign, 1, 0, 0, 0]], "float32"), (6, 1))
        ref[sign] = _np(keras.ops.image.affine_transform(x, t, fill_mode="reflect", data_format="channels_last"))
    signs = set()
    for i in range(6):
        match = [s for s in ref if np.allclose(got[i], ref[s][i], atol=1e-2)]
        assert match, i
        signs.add(match[0])
    assert signs == {1.0, -1.0}


def test_hue_and_saturation_statistics():
    rng = np.random.RandomState(3)
    x = (rng.rand(400, 2, 2, 3) * 255).astype("float32")
    s = layers.RandomSaturation((0.0, 0.0), seed=1)(x, training=True)
    assert np.allclose(np.ptp(np.asarray(s), axis=-1), 0, atol=1e-3)  # saturation 0: grey
    from lamina.ops import image
    h0 = np.asarray(image.rgb_to_hsv(x / 255.0))[..., 0]
    h1 = np.asarray(image.rgb_to_hsv(np.asarray(layers.RandomHue((0.4, 0.4), seed=1)(x, training=True)) / 255.0))[..., 0]
    shift = np.round(np.mod(h1 - h0, 1.0).astype("float64"), 3)
    assert set(np.unique(shift)) <= {0.2, 0.8, 0.0, 1.0}  # +-0.2 turns (0.4 * 0.5)
    per_image = shift.reshape(400, -1)[:, 0]
    assert 0.4 < (per_image == 0.2).mean() < 0.6  # the sign is a fair coin


def test_posterization_bits_are_drawn_from_lower_to_upper_exclusive():
    x = np.full((600, 1, 1, 1), 255.0, "float32")
    out = np.asarray(layers.RandomPosterization((2, 5), seed=0)(x, training=True)).ravel()
    assert sorted(set(out.tolist())) == [192.0, 224.0, 240.0]  # 2, 3 or 4 bits kept


def test_erasing_fills_one_rectangle_with_fill_value():
    x = np.full((200, 20, 20, 1), 100.0, "float32")
    out = np.asarray(layers.RandomErasing((1.0, 1.0), scale=(0.1, 0.3), fill_value=7.0, seed=0)(x, training=True))
    erased = out[..., 0] == 7.0
    assert set(np.unique(out).tolist()) <= {7.0, 100.0}
    area = erased.mean(axis=(1, 2))
    assert area.min() > 0.0 and area.max() <= 0.3 + 0.05  # sqrt(s) * side, twice
    rows, cols = erased.any(axis=2), erased.any(axis=1)
    assert np.array_equal(erased.sum(axis=(1, 2)), rows.sum(1) * cols.sum(1))  # a rectangle
    noise = np.asarray(layers.RandomErasing((1.0, 1.0), seed=0)(x, training=True))
    assert noise.min() >= 0 and noise.max() <= 255


def test_gaussian_blur_probability_and_elastic_smoothness():
    x = (np.random.RandomState(4).rand(400, 6, 6, 1) * 255).astype("float32")
    out = np.asarray(layers.RandomGaussianBlur((0.5, 0.5), seed=0)(x, training=True))
    blurred = ~np.all(np.isclose(out, x), axis=(1, 2, 3))
    assert 0.4 < blurred.mean() < 0.6
    ramp = np.tile(np.arange(32, dtype="float32")[None, :, None], (32, 1, 1))[None].repeat(4, 0) * 8
    el = np.asarray(layers.RandomElasticTransform((1.0, 1.0), scale=(0.5, 0.5), seed=0)(ramp, training=True))
    moved = np.abs(el - ramp)
    assert moved.mean() > 0.5 and np.abs(np.diff(el, axis=2)).max() < 8 * 6  # distorted, still smooth


def test_mix_up_and_cut_mix_mix_labels_with_the_images():
    n = 6
    x = (np.random.RandomState(5).rand(n, 8, 8, 3) * 255).astype("float32")
    out = layers.MixUp(alpha=0.5, seed=0)({"images": x, "labels": np.eye(n)}, training=True)
    lab, img = np.asarray(out["labels"]), np.asarray(out["images"])
    np.testing.assert_allclose(lab.sum(1), 1, rtol=1e-5)
    for i in range(n):
        w = lab[i, i] if lab[i].max() < 1 - 1e-6 else 1.0
        j = [k for k in range(n) if k != i and lab[i, k] > 1e-6]
        want = x[i] if not j else w * x[i] + (1 - w) * x[j[0]]
        np.testing.assert_allclose(img[i], want, rtol=1e-4, atol=1e-2)
    out = layers.CutMix(seed=0)({"images": x, "labels": np.eye(n)}, training=True)
    lab, img = np.asarray(out["labels"]), np.asarray(out["images"])
    np.testing.assert_allclose(lab.sum(1), 1, rtol=1e-5)
    for i in range(n):
        others = [k for k in range(n) if k != i and lab[i, k] > 1e-6]
        src = x[others[0]] if others else x[i]
        same = np.all(img[i] == x[i], axis=-1) | np.all(img[i] == src, axis=-1)
        assert same.all()
    assert np.array_equal(np.asarray(layers.CutMix(seed=0)(x[0], training=True)), x[0])  # one image


def test_policies_mix_their_operations():
    x = (np.random.RandomState(6).rand(4, 12, 12, 3) * 255).astype("float32")
    ra = layers.RandAugment(num_ops=3, factor=(0.2, 0.6), seed=0)
    assert len(ra._ops) == 11 and type(ra.equalization).__name__ == "Equalization"
    assert len(layers.AugMix(all_ops=False)._ops) == 7
    outs = [np.asarray(layers.AugMix(seed=s)(x, training=True)) for s in range(3)]
    assert all(o.min() >= 0 and o.max() <= 255 for o in outs)
    assert not np.allclose(outs[0], outs[1])


def test_argument_errors_name_the_value_and_the_fix():
    with pytest.raises(ValueError, match=r"RandomGaussianBlur: kernel_size must be an odd int.*kernel_size=4"):
        layers.RandomGaussianBlur(kernel_size=4)
    with pytest.raises(ValueError, match=r"RandomHue: the factor argument.*\[0, 1\].*factor=2"):
        layers.RandomHue(2)
    with pytest.raises(ValueError, match=r"RandomPerspective: unknown interpolation='cubic'"):
        layers.RandomPerspective(interpolation="cubic")
    with pytest.raises(ValueError, match=r"RandomErasing: the fill_value argument.*fill_value=\[1, 2\]"):
        layers.RandomErasing(fill_value=[1, 2])


def test_model_with_new_augmentations_saves_and_loads_both_ways(keras, tmp_path):
    import lamina

    x = (np.random.RandomState(7).rand(8, 8, 8, 3) * 255).astype("float32")
    k = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.RandomHue(0.2, seed=1),
                          keras.layers.RandomSharpness(0.3, seed=2), keras.layers.MixUp(seed=4),
                          keras.layers.RandAugment(seed=3), keras.layers.Rescaling(1 / 255.0),
                          keras.layers.Flatten(), keras.layers.Dense(2)])
    want = k.predict(x, verbose=0)
    k.save(tmp_path / "k.keras")
    ours = lamina.saving.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)), want, rtol=1e-5, atol=1e-5)
    assert type(ours.layers[3]).__name__ == "RandAugment" and ours.layers[3].get_config()["seed"] == 3
    ours.save(tmp_path / "l.keras")
    back = keras.saving.load_model(tmp_path / "l.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)


NEW = ("hashed_crossing random_hue random_saturation random_sharpness random_shear random_erasing "
       "random_gaussian_blur random_posterization random_color_jitter random_color_degeneration "
       "random_perspective random_elastic_transform equalization solarization mix_up cut_mix aug_mix "
       "rand_augment").split()


@pytest.mark.parametrize("module", NEW)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    if module == "hashed_crossing":
        pytest.importorskip("farmhash")
    mod = importlib.import_module(f"lamina.layers.preprocessing.{module}")
    result = doctest.testmod(mod, extraglobs={"np": np})
    assert result.attempted and not result.failed


def test_elastic_displacement_statistics_match_keras(keras):
    import torch

    x = (np.random.RandomState(1).rand(8, 24, 24, 3) * 255).astype("float32")
    got, want = [], []
    for s in range(4):
        torch.manual_seed(s)  # Keras's torch elastic transform draws from torch's global generator
        k = keras.layers.RandomElasticTransform((1.0, 1.0), scale=(0.5, 0.5), seed=s)
        want.append(np.abs(_np(k(x, training=True)) - x).mean())
        got.append(np.abs(np.asarray(layers.RandomElasticTransform((1.0, 1.0), scale=(0.5, 0.5), seed=s)(
            x, training=True)) - x).mean())
    assert abs(np.mean(got) / np.mean(want) - 1) < 0.05, (got, want)
