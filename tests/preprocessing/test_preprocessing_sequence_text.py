"""lamina.preprocessing.sequence / .text: pad_sequences at its Keras 2 path; removed names explain themselves."""

import warnings

import numpy as np
import pytest

import lamina.preprocessing
from lamina.preprocessing import image, sequence, text
from lamina.utils import pad_sequences


def test_pad_sequences_at_the_keras2_path_is_lamina_utils_one_and_does_not_warn():
    from lamina.preprocessing.sequence import pad_sequences as old_path

    assert old_path is pad_sequences
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = lamina.preprocessing.sequence.pad_sequences([[1, 2, 3], [4]], maxlen=4, padding="post")
    np.testing.assert_array_equal(out, [[1, 2, 3, 0], [4, 0, 0, 0]])


def test_tokenizer_raises_an_import_error_naming_the_replacement():
    with pytest.raises(ImportError, match=r"lamina.preprocessing.text.Tokenizer is a Keras 1/2 utility "
                                          r"that Keras 3 removed.*TextVectorization.*pad_sequences"):
        from lamina.preprocessing.text import Tokenizer  # noqa: F401
    with pytest.raises(ImportError, match="Tokenizer"):
        text.Tokenizer(num_words=100)


def test_the_tokenizer_advice_runs():
    message = ""
    try:
        text.Tokenizer
    except ImportError as e:
        message = str(e)
    code = message.split("pad_sequences:\n", 1)[1]
    scope = {"texts": ["The cat sat.", "the dog, the cat"], "num_words": 4, "lamina": lamina}
    exec("\n".join(line[4:] for line in code.splitlines()), scope)
    assert scope["index"] == {"the": 1, "cat": 2, "sat": 3}
    np.testing.assert_array_equal(scope["x"][:, -3:], [[1, 2, 3], [1, 1, 2]])  # "dog" is not among the 3 words kept
    assert scope["x"].shape == (2, 100)


@pytest.mark.parametrize("module, name, advice", [
    (image, "ImageDataGenerator", "PyDataset"),
    (image, "random_rotation", "np.rot90"),
    (sequence, "TimeseriesGenerator", "sliding_window_view"),
    (text, "one_hot", "enumerate"),
])
def test_other_removed_names(module, name, advice):
    with pytest.raises(ImportError, match=f"{module.__name__}.{name} is a Keras 1/2 utility.*{advice}"):
        getattr(module, name)


def test_unknown_names_are_still_attribute_errors():
    assert not hasattr(image, "no_such_thing")
    with pytest.raises(AttributeError, match="lamina.preprocessing.text' has no attribute 'nope'"):
        text.nope
