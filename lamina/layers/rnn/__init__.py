"""Recurrent layers (LSTM, GRU, SimpleRNN, Bidirectional, ...). Import them from ``lamina.layers``;
``from lamina.layers.rnn import LSTM`` works too but warns (the Keras 1 path was
``keras.layers.recurrent``, kept as ``lamina.layers.recurrent``)."""

from lamina.layers.legacy_paths import module_getattr

__getattr__ = module_getattr("lamina.layers.rnn")
