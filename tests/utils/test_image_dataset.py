"""image_dataset_from_directory on temporary folders of real PNG/JPEG files, against Keras 3's rules.

Keras 3 needs TensorFlow to build its datasets, so the comparison uses its pure-Python parts:
``dataset_utils.index_directory`` and ``get_training_or_validation_split`` (files, labels, class
names, the split by seed) and ``ops.image.resize`` on the torch backend (the pixels).
"""

import threading

import numpy as np
import pytest

from lamina import config
from lamina.utils import image_dataset_from_directory, image_dataset_utils
from tests.keras3 import keras3

Image = pytest.importorskip("PIL.Image")
FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """3 classes of real images of different sizes, plus files and folders Keras ignores."""
    root = tmp_path_factory.mktemp("images")
    rng = np.random.RandomState(0)
    counts = {"dogs": 7, "cats": 5, "Birds": 4}  # capital B sorts first, as in Keras
    for name, n in counts.items():
        (root / name).mkdir()
        for i in range(n):
            h, w = rng.randint(12, 40, size=2)
            Image.fromarray(rng.randint(0, 256, (h, w, 3)).astype("uint8")).save(root / name / f"img_{i:02d}.png")
    (root / "cats" / "nested").mkdir()
    Image.fromarray(rng.randint(0, 256, (20, 30)).astype("uint8")).save(root / "cats" / "nested" / "deep.PNG")
    Image.fromarray(rng.randint(0, 256, (25, 25, 3)).astype("uint8")).save(root / "dogs" / "photo.jpg", quality=95)
    Image.fromarray(rng.randint(0, 256, (10, 10, 4)).astype("uint8")).save(root / "dogs" / "alpha.png")
    (root / "dogs" / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()
    Image.fromarray(np.zeros((5, 5, 3), "uint8")).save(root / ".hidden" / "x.png")
    return str(root)


def _keras_dataset_utils():
    keras3()
    from keras.src.utils import dataset_utils

    return dataset_utils


@pytest.mark.parametrize("shuffle, seed", [(False, None), (True, 1337), (True, 7)])
def test_files_labels_and_class_names_match_keras(folder, shuffle, seed):
    kdu = _keras_dataset_utils()
    ds = image_dataset_from_directory(folder, shuffle=shuffle, seed=seed, image_size=(8, 8), verbose=False)
    paths, labels, names = kdu.index_directory(folder, "inferred", formats=FORMATS, shuffle=shuffle, seed=seed,
                                               verbose=False)
    assert ds.class_names == names == ["Birds", "cats", "dogs"]
    assert ds.file_paths == paths
    if not shuffle:  # file order is the batch order: the labels must be Keras's
        got = np.concatenate([y for _, y in ds])
        np.testing.assert_array_equal(got, labels)
        assert got.dtype == np.int32
    assert len(paths) == 4 + 6 + 9


@pytest.mark.parametrize("subset", ["training", "validation", "both"])
def test_validation_split_matches_keras(folder, subset):
    kdu = _keras_dataset_utils()
    out = image_dataset_from_directory(folder, validation_split=0.25, subset=subset, seed=42, image_size=(8, 8),
                                       verbose=False)
    paths, labels, _ = kdu.index_directory(folder, "inferred", formats=FORMATS, shuffle=True, seed=42, verbose=False)
    want = {part: kdu.get_training_or_validation_split(paths, labels, 0.25, part)[0]
            for part in ("training", "validation")}
    if subset == "both":
        train, val = out
        assert train.file_paths == want["training"] and val.file_paths == want["validation"]
        assert len(val.file_paths) == int(0.25 * 19) and not set(train.file_paths) & set(val.file_paths)
        # The validation part is not reshuffled between epochs (Keras builds it with shuffle=False).
        assert [y.tolist() for _, y in val] == [y.tolist() for _, y in val]
    else:
        assert out.file_paths == want[subset]


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("kwargs", [{}, dict(crop_to_aspect_ratio=True), dict(pad_to_aspect_ratio=True)])
def test_pixels_match_keras_load_img_and_resize(folder, interpolation, kwargs):
    keras = keras3()
    size = (18, 11)
    ds = image_dataset_from_directory(folder, shuffle=False, image_size=size, batch_size=5, interpolation=interpolation,
                                      verbose=False, **kwargs)
    images = np.concatenate([x for x, _ in ds])
    assert images.shape == (19, 18, 11, 3) and images.dtype == np.float32
    for path, image in zip(ds.file_paths, images):
        decoded = keras.utils.img_to_array(keras.utils.load_img(path))  # RGB, alpha dropped, grey repeated
        want = keras.ops.convert_to_numpy(keras.ops.image.resize(decoded, size, interpolation=interpolation, **kwargs))
        np.testing.assert_allclose(image, want, atol=2e-3 if interpolation == "bilinear" else 0, err_msg=path)


def test_label_modes(folder):
    def first(**kwargs):
        return next(iter(image_dataset_from_directory(folder, shuffle=False, image_size=(4, 4), batch_size=19,
                                                      verbose=False, **kwargs)))

    _, y_int = first()
    _, y_cat = first(label_mode="categorical")
    assert y_cat.dtype == np.float32 and y_cat.shape == (19, 3)
    np.testing.assert_array_equal(y_cat.argmax(1), y_int)
    np.testing.assert_array_equal(y_cat.sum(1), 1)
    _, y_bin = first(label_mode="binary", class_names=["cats", "dogs"])
    assert y_bin.dtype == np.float32 and y_bin.shape == (15, 1) and set(y_bin[:, 0]) == {0.0, 1.0}
    images_only = first(label_mode=None)
    assert isinstance(images_only, np.ndarray) and images_only.shape == (19, 4, 4, 3)
    assert isinstance(first(labels=None), np.ndarray)


def test_class_names_choose_and_order_the_classes(folder):
    ds = image_dataset_from_directory(folder, class_names=["dogs", "Birds"], shuffle=False, image_size=(4, 4),
                                      verbose=False)
    assert ds.class_names == ["dogs", "Birds"]
    labels = np.concatenate([y for _, y in ds])
    assert labels.tolist() == [0] * 9 + [1] * 4
    assert all("/cats/" not in p for p in ds.file_paths)


def test_explicit_labels_follow_the_sorted_files(folder):
    kdu = _keras_dataset_utils()
    paths, _, _ = kdu.index_directory(folder, None, formats=FORMATS, shuffle=False, verbose=False)
    mine = [i % 2 for i in range(len(paths))]
    ds = image_dataset_from_directory(folder, labels=mine, shuffle=False, image_size=(4, 4), verbose=False)
    assert ds.class_names == ["0", "1"] and ds.file_paths == paths
    assert np.concatenate([y for _, y in ds]).tolist() == mine
    with pytest.raises(ValueError, match="labels has 3 entries but .* holds 20 files"):
        image_dataset_from_directory(folder, labels=[0, 1, 0], verbose=False)


def test_color_modes_channels_first_and_unbatched(folder):
    grey = next(iter(image_dataset_from_directory(folder, color_mode="grayscale", image_size=(6, 5), seed=1,
                                                  verbose=False)))[0]
    rgba = next(iter(image_dataset_from_directory(folder, color_mode="rgba", image_size=(6, 5), seed=1,
                                                  verbose=False)))[0]
    assert grey.shape[1:] == (6, 5, 1) and rgba.shape[1:] == (6, 5, 4)
    first = image_dataset_from_directory(folder, image_size=(6, 5), data_format="channels_first", shuffle=False,
                                         verbose=False)
    assert next(iter(first))[0].shape[1:] == (3, 6, 5)
    single = image_dataset_from_directory(folder, batch_size=None, image_size=9, shuffle=False, verbose=False)
    x, y = next(iter(single))
    assert x.shape == (9, 9, 3) and y.shape == () and len(single) == 19 and not single.is_batched


def test_loading_is_lazy_and_threaded(folder, monkeypatch):
    calls = []
    original = image_dataset_utils.load_image

    def counting(*args, **kwargs):
        calls.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(image_dataset_utils, "load_image", counting)
    ds = image_dataset_from_directory(folder, image_size=(8, 8), batch_size=2, workers=2, seed=0, verbose=False)
    assert calls == []  # building the dataset decodes nothing
    it = iter(ds)
    next(it)
    assert 2 <= len(calls) < 19 and all(name.startswith("lamina-data") for name in calls)
    it.close()
    total = sum(len(y) for _, y in ds)
    assert total == 19


def test_epochs_reshuffle_but_cover_every_file(folder):
    ds = image_dataset_from_directory(folder, image_size=(4, 4), batch_size=4, seed=3, verbose=False)
    a = np.concatenate([x.reshape(len(x), -1) for x, _ in ds])
    b = np.concatenate([x.reshape(len(x), -1) for x, _ in ds])
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(np.sort(a, axis=0), np.sort(b, axis=0))


def test_bad_arguments_are_clear(folder):
    with pytest.raises(ValueError, match="pass a seed"):
        image_dataset_from_directory(folder, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="pass validation_split and subset together"):
        image_dataset_from_directory(folder, validation_split=0.2, seed=1)
    with pytest.raises(ValueError, match="subset must be .*received 'train'.*Did you mean 'training'"):
        image_dataset_from_directory(folder, validation_split=0.2, subset="train", seed=1)
    with pytest.raises(ValueError, match="label_mode='binary' needs exactly 2 classes; found 3"):
        image_dataset_from_directory(folder, label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match=r"class_names \['fish'\] are not subfolders"):
        image_dataset_from_directory(folder, class_names=["fish"], verbose=False)
    with pytest.raises(ValueError, match="interpolation 'bilinaer' is not supported.*Did you mean 'bilinear'"):
        image_dataset_from_directory(folder, interpolation="bilinaer")
    with pytest.raises(ValueError, match="color_mode must be .*Did you mean 'rgb'"):
        image_dataset_from_directory(folder, color_mode="rbg")
    with pytest.raises(ValueError, match="only one of crop_to_aspect_ratio and pad_to_aspect_ratio"):
        image_dataset_from_directory(folder, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="directory '/no/such/dir' does not exist"):
        image_dataset_from_directory("/no/such/dir")


def test_pillow_filters_give_the_target_size(folder):
    for interpolation in ("bicubic", "area", "lanczos3", "lanczos5"):
        x, _ = next(iter(image_dataset_from_directory(folder, image_size=(7, 9), interpolation=interpolation,
                                                      pad_to_aspect_ratio=True, seed=0, verbose=False)))
        assert x.shape[1:] == (7, 9, 3) and 0 <= x.min() and x.max() <= 255


def test_trains_a_model_and_converts_to_torch(folder):
    import lamina

    config_format = config.image_data_format()
    assert config_format == "channels_last"
    train, val = image_dataset_from_directory(folder, image_size=(8, 8), batch_size=4, validation_split=0.2,
                                              subset="both", seed=5, verbose=False)
    model = lamina.Sequential([lamina.Input((8, 8, 3)), lamina.layers.Flatten(), lamina.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train.map(lambda x, y: (x / 255.0, y)), validation_data=val.map(lambda x, y: (x / 255.0, y)),
                        epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    torch = pytest.importorskip("torch")
    x, y = next(iter(train.to_torch()))
    assert isinstance(x, torch.Tensor) and x.dtype == torch.float32 and x.shape[1:] == (8, 8, 3)
