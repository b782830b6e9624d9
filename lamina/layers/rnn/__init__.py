"""Recurrent layers (LSTM, GRU, SimpleRNN, RNN, Bidirectional, TimeDistributed).

Import them from ``lamina.layers``; the Keras 1 path ``lamina.layers.recurrent`` also works.
"""
