"""lamina.preprocessing.sequence / .text: pad_sequences, and the Keras 1/2 utilities Keras 3 removed
(Tokenizer, TimeseriesGenerator, skipgrams ...) working, against hand-computed results."""

import doctest
import json
import math
import warnings

import numpy as np
import pytest

import lamina
import lamina.preprocessing.image_data_generator  # noqa: F401
from lamina.errors import LaminaDeprecationWarning
from lamina.preprocessing import sequence, text
from lamina.utils import pad_sequences


@pytest.fixture
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LaminaDeprecationWarning)
        yield


def test_pad_sequences_at_the_keras2_path_is_lamina_utils_one_and_does_not_warn():
    from lamina.preprocessing.sequence import pad_sequences as old_path

    assert old_path is pad_sequences
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = lamina.preprocessing.sequence.pad_sequences([[1, 2, 3], [4]], maxlen=4, padding="post")
    np.testing.assert_array_equal(out, [[1, 2, 3, 0], [4, 0, 0, 0]])


@pytest.mark.parametrize("make, replacement", [
    (lambda: text.Tokenizer(), "keras.layers.TextVectorization"),
    (lambda: text.text_to_word_sequence("a b"), "TextVectorization"),
    (lambda: text.one_hot("a b", 5), "keras.layers.Hashing"),
    (lambda: text.hashing_trick("a b", 5, "md5"), "keras.layers.Hashing"),
    (lambda: sequence.TimeseriesGenerator(np.arange(5), np.arange(5), 2), "timeseries_dataset_from_array"),
    (lambda: sequence.skipgrams([1, 2], 3), "no replacement"),
    (lambda: sequence.make_sampling_table(3), "no replacement"),
])
def test_each_removed_utility_works_and_warns_naming_the_keras3_way(make, replacement):
    with pytest.warns(LaminaDeprecationWarning, match=f"Keras 1/2 utility that Keras 3 removed.*{replacement}"):
        make()


# ---------------------------------------------------------------------------------------- text
TEXTS = ["The cat sat on the mat.", "The dog sat!", "a cat, a dog; a bird"]
# counts: the 3, cat 2, sat 2, on 1, mat 1, dog 2, a 3, bird 1 -> by count, ties by first appearance
INDEX = {"the": 1, "a": 2, "cat": 3, "sat": 4, "dog": 5, "on": 6, "mat": 7, "bird": 8}


def test_text_to_word_sequence_filters_lowercases_and_splits(quiet):
    assert text.text_to_word_sequence("Hello, World!\tAgain") == ["hello", "world", "again"]
    assert text.text_to_word_sequence("A-b c", filters="", lower=False, split="-") == ["A", "b c"]


def test_tokenizer_word_index_and_counts_by_hand(quiet):
    tok = text.Tokenizer()
    tok.fit_on_texts(TEXTS)
    assert tok.word_index == INDEX
    assert tok.index_word == {i: w for w, i in INDEX.items()}
    assert dict(tok.word_counts) == {"the": 3, "cat": 2, "sat": 2, "on": 1, "mat": 1, "dog": 2, "a": 3, "bird": 1}
    assert tok.word_docs["the"] == 2 and tok.word_docs["a"] == 1 and tok.document_count == 3
    assert tok.texts_to_sequences(["the bird sat on a zebra"]) == [[1, 8, 4, 6, 2]]


def test_num_words_keeps_the_most_frequent_and_oov_token_takes_index_1(quiet):
    tok = text.Tokenizer(num_words=4, oov_token="<unk>")
    tok.fit_on_texts(TEXTS)
    assert tok.word_index["<unk>"] == 1 and tok.word_index["the"] == 2 and tok.word_index["a"] == 3
    assert tok.word_index["cat"] == 4
    # ids < 4 kept: <unk>=1, the=2, a=3; cat (4), zebra (unknown) -> 1
    assert tok.texts_to_sequences(["the cat a zebra"]) == [[2, 1, 3, 1]]
    assert tok.sequences_to_texts([[2, 4, 3]]) == ["the <unk> a"]
    plain = text.Tokenizer(num_words=3)
    plain.fit_on_texts(TEXTS)
    assert plain.texts_to_sequences(["the cat a zebra"]) == [[1, 2]]


def test_char_level_and_lists_of_tokens(quiet):
    tok = text.Tokenizer(char_level=True)
    tok.fit_on_texts(["abca"])
    assert tok.word_index == {"a": 1, "b": 2, "c": 3}
    tok = text.Tokenizer()
    tok.fit_on_texts([["New York", "is"], ["is"]])
    assert tok.word_index == {"is": 1, "new york": 2}


def test_matrices_in_every_mode_by_hand(quiet):
    tok = text.Tokenizer()
    tok.fit_on_texts(TEXTS)
    seqs = [[1, 1, 3], [8], []]
    width = len(INDEX) + 1
    binary = np.zeros((3, width)); binary[0, [1, 3]] = 1; binary[1, 8] = 1
    count = np.zeros((3, width)); count[0, 1] = 2; count[0, 3] = 1; count[1, 8] = 1
    freq = np.zeros((3, width)); freq[0, 1] = 2 / 3; freq[0, 3] = 1 / 3; freq[1, 8] = 1
    # tfidf = (1 + ln count) * ln(1 + documents / (1 + documents containing the word))
    tfidf = np.zeros((3, width))
    tfidf[0, 1] = (1 + math.log(2)) * math.log(1 + 3 / (1 + 2))  # "the" in 2 texts
    tfidf[0, 3] = 1 * math.log(1 + 3 / (1 + 2))                  # "cat" in 2 texts
    tfidf[1, 8] = 1 * math.log(1 + 3 / (1 + 1))                  # "bird" in 1 text
    for mode, expected in (("binary", binary), ("count", count), ("freq", freq), ("tfidf", tfidf)):
        np.testing.assert_allclose(tok.sequences_to_matrix(seqs, mode=mode), expected, err_msg=mode)
    np.testing.assert_allclose(tok.texts_to_matrix(["the the cat", "bird"], mode="count"), count[:2])


def test_fit_on_sequences_gives_tfidf_its_document_frequencies(quiet):
    tok = text.Tokenizer(num_words=4)
    tok.fit_on_sequences([[1, 2], [1, 1, 3]])
    out = tok.sequences_to_matrix([[1]], mode="tfidf")
    np.testing.assert_allclose(out, [[0, math.log(1 + 2 / 3), 0, 0]])


def test_matrix_errors_name_the_fix(quiet):
    tok = text.Tokenizer()
    with pytest.raises(ValueError, match=r"needs the number of columns: pass Tokenizer\(num_words=...\)"):
        tok.sequences_to_matrix([[1]])
    tok = text.Tokenizer(num_words=3)
    with pytest.raises(ValueError, match="tfidf.*call fit_on_texts or fit_on_sequences first"):
        tok.sequences_to_matrix([[1]], mode="tfidf")
    with pytest.raises(ValueError, match="unknown mode 'cout'. Did you mean 'count'?"):
        tok.sequences_to_matrix([[1]], mode="cout")
    with pytest.raises(TypeError, match="received one string. Wrap it in a list"):
        tok.fit_on_texts("one text")
    with pytest.raises(TypeError, match="unexpected keyword arguments \\['num_word'\\]. Did you mean 'num_words'"):
        text.Tokenizer(num_word=3)


def test_to_json_round_trip_and_keras2_json_is_read(quiet):
    tok = text.Tokenizer(num_words=5, oov_token="?")
    tok.fit_on_texts(TEXTS)
    again = text.tokenizer_from_json(tok.to_json())
    assert again.word_index == tok.word_index and again.index_word == tok.index_word
    assert again.num_words == 5 and again.oov_token == "?"
    assert again.texts_to_sequences(["the bird"]) == tok.texts_to_sequences(["the bird"])
    np.testing.assert_allclose(again.texts_to_matrix(TEXTS, "tfidf"), tok.texts_to_matrix(TEXTS, "tfidf"))
    spec = json.loads(tok.to_json())
    assert spec["class_name"] == "Tokenizer" and isinstance(spec["config"]["word_index"], str)


def test_nb_words_is_the_keras1_spelling():
    with pytest.warns(LaminaDeprecationWarning) as record:
        tok = text.Tokenizer(nb_words=7)
    assert tok.num_words == 7
    assert any("num_words" in str(w.message) for w in record)


def test_hashing_trick_md5_and_one_hot_stay_in_range(quiet):
    import hashlib

    words = ["the", "cat", "the"]
    expected = [int(hashlib.md5(w.encode()).hexdigest(), 16) % 9 + 1 for w in words]
    assert text.hashing_trick("The cat, the", 10, hash_function="md5") == expected
    ids = text.one_hot("a b c a", 5)
    assert all(1 <= i <= 4 for i in ids) and ids[0] == ids[3]
    assert text.hashing_trick("x y", 4, hash_function=len) == [len("x") % 3 + 1, len("y") % 3 + 1]


# -------------------------------------------------------------------------------------- sequence
def test_timeseries_generator_windows_by_hand(quiet):
    data = np.arange(20).reshape(10, 2)
    targets = np.arange(10) * 10
    gen = sequence.TimeseriesGenerator(data, targets, length=4, sampling_rate=2, stride=3,
                                       start_index=1, batch_size=2)
    # window ends: rows 5, 8 (start_index + length = 5, stride 3, end_index 9)
    assert len(gen) == 1
    x, y = gen[0]
    np.testing.assert_array_equal(x, [data[[1, 3]], data[[4, 6]]])
    np.testing.assert_array_equal(y, [50, 80])
    rev = sequence.TimeseriesGenerator(data, targets, length=2, reverse=True, batch_size=3)
    x, y = rev[2]  # rows 8, 9
    np.testing.assert_array_equal(x, [data[[7, 6]], data[[8, 7]]])
    np.testing.assert_array_equal(y, [80, 90])
    assert len(rev) == 3


def test_timeseries_generator_trains_a_model(quiet):
    series = np.sin(np.arange(200) / 5.0).astype("float32")[:, None]
    gen = sequence.TimeseriesGenerator(series, series, length=8, batch_size=16)
    model = lamina.Sequential([lamina.Input((8, 1)), lamina.layers.Flatten(), lamina.layers.Dense(1)])
    model.compile("adam", "mse")
    hist = model.fit(gen, epochs=3, verbose=0)
    assert len(hist.history["loss"]) == 3 and hist.history["loss"][-1] < hist.history["loss"][0]
    with pytest.warns(LaminaDeprecationWarning):
        model.fit_generator(gen, steps_per_epoch=len(gen), epochs=1, verbose=0)
        assert model.predict_generator(gen, verbose=0).shape == (192, 1)


def test_timeseries_generator_errors(quiet):
    with pytest.raises(ValueError, match="same length.*received 5 and 4"):
        sequence.TimeseriesGenerator(np.zeros(5), np.zeros(4), length=2)
    with pytest.raises(ValueError, match="start_index \\+ length = 6 is past end_index = 4"):
        sequence.TimeseriesGenerator(np.zeros(5), np.zeros(5), length=6)


def test_skipgrams_pairs_by_hand(quiet):
    couples, labels = sequence.skipgrams([1, 0, 2, 3], 4, window_size=2, negative_samples=0, shuffle=False)
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2]]  # 0 is padding, never a word nor a context
    assert labels == [1, 1, 1, 1]
    couples, labels = sequence.skipgrams([1, 2, 3], 10, window_size=1, negative_samples=2.0,
                                         categorical=True, seed=3)
    positives = [c for c, l in zip(couples, labels) if l == [0, 1]]
    negatives = [c for c, l in zip(couples, labels) if l == [1, 0]]
    assert sorted(positives) == [[1, 2], [2, 1], [2, 3], [3, 2]]
    assert len(negatives) == 8 and all(c[0] in (1, 2, 3) and 1 <= c[1] <= 9 for c in negatives)
    again = sequence.skipgrams([1, 2, 3], 10, window_size=1, negative_samples=0, seed=3)
    assert again == sequence.skipgrams([1, 2, 3], 10, window_size=1, negative_samples=0, seed=3)


def test_sampling_table_formula_and_its_use(quiet):
    table = sequence.make_sampling_table(6, sampling_factor=1e-3)
    rank = np.array([1, 1, 2, 3, 4, 5], dtype=float)
    f = 1e-3 * (rank * (np.log(rank) + 0.577) + 0.5 - 1 / (12 * rank))
    np.testing.assert_allclose(table, np.minimum(1.0, f / np.sqrt(f)))
    couples, _ = sequence.skipgrams([1, 2, 1, 2], 3, window_size=1, negative_samples=0,
                                    sampling_table=np.array([0.0, 0.0, 1.0]))
    assert couples and all(c[0] == 2 for c in couples)  # word 1 is never kept as a target


@pytest.mark.parametrize("module", [text, sequence, lamina.preprocessing.timeseries_generator,
                                    lamina.preprocessing.image_data_generator])
def test_docstring_examples(module, quiet):
    result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
