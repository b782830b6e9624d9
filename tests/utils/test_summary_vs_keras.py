"""summary() reports the same output shapes and parameter counts as Keras for the same model."""

import re


import lamina
from tests.keras3 import keras3


def _build(lib):
    L = lib.layers
    cnn = lib.Sequential([
        lib.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.Conv2D(64, 3, activation="relu"),
        L.MaxPooling2D(2), L.Dropout(0.25), L.Flatten(), L.Dense(128, activation="relu"),
        L.Dropout(0.5), L.Dense(10, activation="softmax")])
    text = lib.Sequential([
        lib.Input((20,), dtype="int32"), L.Embedding(50, 16, mask_zero=True),
        L.Bidirectional(L.LSTM(8, return_sequences=True)), L.GRU(4), L.BatchNormalization(), L.Dense(1)])
    a, b = lib.Input((8, 4)), lib.Input((8, 4))
    att = L.MultiHeadAttention(num_heads=2, key_dim=3)(a, b)
    merged = L.Concatenate()([L.GlobalAveragePooling1D()(att), L.GlobalMaxPooling1D()(b)])
    func = lib.Model([a, b], L.Dense(2)(L.LayerNormalization()(merged)))
    return [cnn, text, func]


def _table(model):
    lines = []
    model.summary(print_fn=lambda s, **kw: lines.append(s))
    text = "\n".join(lines)
    shapes = re.findall(r"\((?:None|\d+)(?:, (?:None|\d+))*,?\)", text)
    total = int(re.search(r"Total params: ([\d,]+)", text).group(1).replace(",", ""))
    return shapes, total


def test_summary_shapes_and_counts_match_keras():
    keras = keras3()
    for mine, theirs in zip(_build(lamina), _build(keras)):
        assert mine.count_params() == theirs.count_params()
        my_shapes, my_total = _table(mine)
        assert my_total == theirs.count_params()
        want = [tuple(l.output.shape) for l in theirs.layers]
        got = [tuple(l.output.shape) for l in mine.layers]
        assert got == want
        assert set(map(str, want)) <= set(my_shapes)  # each Keras shape is printed in the table
