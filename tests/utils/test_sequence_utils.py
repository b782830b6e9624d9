import numpy as np
import pytest

from lamina.utils import pad_sequences
from tests.keras3 import keras3

SEQS = [[1, 2, 3, 4], [5], [], [6, 7]]


def test_closed_form():
    out = pad_sequences(SEQS, maxlen=3)
    assert out.dtype == np.int32
    assert out.tolist() == [[2, 3, 4], [0, 0, 5], [0, 0, 0], [0, 6, 7]]
    out = pad_sequences(SEQS, maxlen=3, padding="post", truncating="post", value=-1)
    assert out.tolist() == [[1, 2, 3], [5, -1, -1], [-1, -1, -1], [6, 7, -1]]


@pytest.mark.parametrize("kw", [
    {}, dict(maxlen=2), dict(maxlen=6, padding="post"), dict(truncating="post", maxlen=3),
    dict(dtype="float32", value=0.5), dict(maxlen=3, padding="post", truncating="post"),
])
def test_matches_keras(kw):
    keras = keras3()
    ours = pad_sequences(SEQS, **kw)
    theirs = keras.utils.pad_sequences(SEQS, **kw)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_vector_items_and_strings():
    out = pad_sequences([np.ones((2, 3)), np.zeros((1, 3))], maxlen=2, dtype="float32")
    assert out.shape == (2, 2, 3) and out[1, 0].tolist() == [0, 0, 0]
    out = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert out.tolist() == [["a", "b"], ["<pad>", "c"]]


def test_errors():
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'; received 'left'"):
        pad_sequences(SEQS, padding="left")
    with pytest.raises(ValueError, match="item 1 is 5"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match="same shape"):
        pad_sequences([np.ones((2, 3)), np.ones((1, 2))])
