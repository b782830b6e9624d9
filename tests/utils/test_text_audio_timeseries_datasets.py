"""text/audio_dataset_from_directory, timeseries_dataset_from_array and split_dataset.

Files and splits are compared with Keras 3's pure-Python indexing; the time series with the examples
of Keras's documentation; the audio with the samples written by the stdlib ``wave`` module.
"""

import os
import random
import wave

import numpy as np
import pytest

import lamina
from lamina.utils import (
    Dataset,
    audio_dataset_from_directory,
    split_dataset,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)
from tests.keras3 import keras3


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    root = tmp_path_factory.mktemp("texts")
    content = {}
    for label, n in (("pos", 5), ("neg", 4)):
        (root / label).mkdir()
        for i in range(n):
            text = f"{label} review number {i} " + "é" * i
            (root / label / f"{i}.txt").write_text(text, encoding="utf-8")
            content[str(root / label / f"{i}.txt")] = text
    (root / "pos" / "readme.md").write_text("ignored")
    return str(root), content


def test_text_files_labels_and_split_match_keras(texts):
    root, content = texts
    keras3()
    from keras.src.utils import dataset_utils as kdu

    train, val = text_dataset_from_directory(root, batch_size=4, validation_split=0.3, subset="both", seed=9,
                                             verbose=False)
    paths, labels, names = kdu.index_directory(root, "inferred", formats=(".txt",), shuffle=True, seed=9, verbose=False)
    assert train.class_names == names == ["neg", "pos"]
    assert train.file_paths == kdu.get_training_or_validation_split(paths, labels, 0.3, "training")[0]
    assert val.file_paths == kdu.get_training_or_validation_split(paths, labels, 0.3, "validation")[0]
    x, y = next(iter(val))
    assert x.dtype == object and isinstance(x[0], str) and y.dtype == np.int32
    for text, label, path in zip(x, y, val.file_paths):
        assert text == content[path] and names[label] == os.path.basename(os.path.dirname(path))


def test_text_max_length_label_modes_and_no_labels(texts):
    root, content = texts
    ds = text_dataset_from_directory(root, max_length=8, shuffle=False, label_mode="binary", verbose=False)
    x, y = next(iter(ds))
    assert [len(t) for t in x] == [8] * 9 and y.shape == (9, 1) and y.dtype == np.float32
    assert x.tolist() == [content[p][:8] for p in ds.file_paths]
    only = next(iter(text_dataset_from_directory(root, labels=None, shuffle=False, batch_size=None, verbose=False)))
    assert isinstance(only, str)
    with pytest.raises(ValueError, match="label_mode must be 'int', 'categorical', 'binary' or None.*Did you mean 'categorical'"):
        text_dataset_from_directory(root, label_mode="categorial")


def _write_wav(path, samples, rate=8000):
    with wave.open(str(path), "wb") as f:
        f.setnchannels(samples.shape[1])
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(samples.astype("<i2").tobytes())


@pytest.fixture(scope="module")
def sounds(tmp_path_factory):
    root = tmp_path_factory.mktemp("audio")
    rng = np.random.RandomState(0)
    written = {}
    for label, lengths in (("no", [100, 80]), ("yes", [120, 50, 90])):
        (root / label).mkdir()
        for i, n in enumerate(lengths):
            samples = rng.randint(-32768, 32767, size=(n, 1))
            _write_wav(root / label / f"{i}.wav", samples)
            written[str(root / label / f"{i}.wav")] = samples
    return str(root), written


def test_audio_decodes_pads_and_labels(sounds):
    root, written = sounds
    ds = audio_dataset_from_directory(root, batch_size=5, shuffle=False, verbose=False)
    x, y = next(iter(ds))
    assert ds.class_names == ["no", "yes"] and y.tolist() == [0, 0, 1, 1, 1]
    assert x.shape == (5, 120, 1) and x.dtype == np.float32
    for clip, path in zip(x, ds.file_paths):
        n = len(written[path])
        np.testing.assert_array_equal(clip[:n], written[path] / 32768.0)
        assert not clip[n:].any()  # zero padding to the longest clip of the batch
    fixed = next(iter(audio_dataset_from_directory(root, output_sequence_length=64, seed=1, verbose=False)))[0]
    assert fixed.shape == (5, 64, 1)
    ragged = next(iter(audio_dataset_from_directory(root, ragged=True, shuffle=False, verbose=False)))[0]
    assert ragged.dtype == object and [len(c) for c in ragged] == [100, 80, 120, 50, 90]
    with pytest.raises(ValueError, match="sampled at 8000 Hz, not sampling_rate=16000.*does not resample"):
        list(audio_dataset_from_directory(root, sampling_rate=16000, verbose=False))


def test_timeseries_keras_documentation_example_1():
    data = np.arange(99)
    ds = timeseries_dataset_from_array(data, None, sequence_length=10, sampling_rate=2, sequence_stride=3,
                                       batch_size=1000)
    x = next(iter(ds))
    np.testing.assert_array_equal(x[0], [0, 2, 4, 6, 8, 10, 12, 14, 16, 18])
    np.testing.assert_array_equal(x[1], [3, 5, 7, 9, 11, 13, 15, 17, 19, 21])
    np.testing.assert_array_equal(x[2], [6, 8, 10, 12, 14, 16, 18, 20, 22, 24])
    np.testing.assert_array_equal(x[-1], [78, 80, 82, 84, 86, 88, 90, 92, 94, 96])


def test_timeseries_keras_documentation_examples_2_and_3():
    data = np.arange(100.0)
    x, y = next(iter(timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)))
    np.testing.assert_array_equal(x[0], data[:10])
    assert y[0] == data[10] and x.shape == (81, 10) and y.shape == (81,)
    X, Y = np.arange(100), np.arange(100) * 2
    inputs = timeseries_dataset_from_array(X, None, sequence_length=20, sequence_stride=20)
    targets = timeseries_dataset_from_array(Y, None, sequence_length=20, sequence_stride=20)
    for a, b in zip(inputs, targets):
        np.testing.assert_array_equal(a[0], X[:20])
        np.testing.assert_array_equal(b[1], Y[20:40])
        assert a.shape == (5, 20)


def test_timeseries_batches_shuffle_and_ranges():
    data = np.arange(60).reshape(30, 2)
    ds = timeseries_dataset_from_array(data, np.arange(30) * 10, sequence_length=4, batch_size=8, start_index=2,
                                       end_index=25)
    batches = list(ds)
    assert len(ds) == len(batches) == 3 and batches[0][0].shape == (8, 4, 2)
    np.testing.assert_array_equal(batches[0][0][0], data[2:6])
    assert batches[0][1][0] == 20 and sum(len(b[1]) for b in batches) == 25 - 2 - 3
    shuffled = timeseries_dataset_from_array(data, None, sequence_length=4, batch_size=100, shuffle=True, seed=1)
    first, second = next(iter(shuffled)), next(iter(shuffled))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(np.sort(first[:, 0, 0]), np.sort(second[:, 0, 0]))
    with pytest.raises(ValueError, match=r"end_index must be in \(0, 30\); received 40"):
        timeseries_dataset_from_array(data, None, 4, end_index=40)
    with pytest.raises(ValueError, match="sampling_rate must be a positive integer; received 0"):
        timeseries_dataset_from_array(data, None, 4, sampling_rate=0)


def test_timeseries_feeds_an_lstm():
    t = np.linspace(0, 20, 400).astype("float32")
    series = np.sin(t)[:, None]
    ds = timeseries_dataset_from_array(series[:-1], series[1:, 0], sequence_length=12, batch_size=32)
    model = lamina.Sequential([lamina.Input((12, 1)), lamina.layers.LSTM(8), lamina.layers.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(ds, epochs=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_split_dataset_follows_keras_rule():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    left, right = split_dataset((x, y), left_size=0.7)
    assert len(left) == 7 and len(right) == 3
    assert [int(b) for _, b in right] == [7, 8, 9]
    left, right = split_dataset(np.arange(10), right_size=4, shuffle=True, seed=3)
    order = list(range(10))
    random.Random(3).shuffle(order)  # Keras: random.seed(seed); random.shuffle(samples)
    assert [int(v) for v in left] == order[:6] and [int(v) for v in right] == order[6:]
    batched = Dataset.from_tensor_slices((x, y)).batch(3)
    left, right = split_dataset(batched, left_size=5)
    assert left.is_batched and [len(b[1]) for b in left] == [3, 2] and [len(b[1]) for b in right] == [3, 2]
    half, other = split_dataset(np.arange(9))
    assert len(half) == 4 and len(other) == 5  # round(0.5 * 9) = 4, as Keras
    with pytest.raises(ValueError, match=r"float left_size must be in \(0, 1\); received 1.5"):
        split_dataset(np.arange(10), left_size=1.5)
    with pytest.raises(ValueError, match="give 6 \\+ 6 samples out of 10"):
        split_dataset(np.arange(10), left_size=6, right_size=6)
    with pytest.raises(TypeError, match="left_size must be an int, a float or None; received '3'"):
        split_dataset(np.arange(10), left_size="3")


def test_docstring_examples():
    import doctest

    from lamina.utils import dataset_utils, timeseries_dataset_utils

    for module in (dataset_utils, timeseries_dataset_utils):
        result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0
