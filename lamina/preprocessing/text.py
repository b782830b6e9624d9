"""``keras.preprocessing.text``: removed in Keras 3; accessing its names explains what to use instead."""

from lamina.preprocessing._removed import removed_names_getattr

__all__: list = []

_VOCAB = (
    "Keras 3 replaces it with the TextVectorization layer. With lamina, build the vocabulary in "
    "plain Python and pad with lamina.utils.pad_sequences:\n"
    "    import collections, re\n"
    "    words = lambda s: re.findall(r\"[\\w']+\", s.lower())\n"
    "    counts = collections.Counter(w for t in texts for w in words(t))\n"
    "    index = {w: i + 1 for i, (w, _) in enumerate(counts.most_common(num_words - 1))}  # 0 = padding\n"
    "    sequences = [[index[w] for w in words(t) if w in index] for t in texts]\n"
    "    x = lamina.utils.pad_sequences(sequences, maxlen=100)"
)

__getattr__ = removed_names_getattr("lamina.preprocessing.text", {
    "Tokenizer": _VOCAB,
    "tokenizer_from_json": _VOCAB,
    "text_to_word_sequence": "Split text with re.findall(r\"[\\w']+\", text.lower()) (or str.split()).",
    "one_hot": "Map words to integer ids with a dict built from the vocabulary, e.g. "
               "index = {w: i + 1 for i, w in enumerate(sorted(vocabulary))}.",
    "hashing_trick": "Map words to ids with hash(word) % n (use hashlib for values stable across runs).",
})
