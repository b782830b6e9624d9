"""lamina.layers: the layer catalogue (Keras names, arguments and weight layouts)."""

from lamina.layers.core.activation import Activation
from lamina.layers.core.dense import Dense
from lamina.layers.core.dropout import Dropout
from lamina.layers.core.flatten import Flatten
from lamina.layers.core.input_layer import Input, InputLayer
from lamina.layers.core.lambda_layer import Lambda
from lamina.layers.core.op_layer import GetItem, OpLayer
from lamina.layers.core.repeat_vector import RepeatVector
from lamina.layers.core.reshape import Permute, Reshape
from lamina.layers.input_spec import InputSpec
from lamina.layers.keras_tensor import KerasTensor
from lamina.layers.layer import Layer

# -- families added by the layer library (issue 3) are imported below --
from lamina.layers.core.embedding import Embedding
from lamina.layers.core.masking import Masking
from lamina.layers.rnn.bidirectional import Bidirectional
from lamina.layers.rnn.gru import GRU
from lamina.layers.rnn.gru_cell import GRUCell
from lamina.layers.rnn.lstm import LSTM
from lamina.layers.rnn.lstm_cell import LSTMCell
from lamina.layers.rnn.rnn import RNN
from lamina.layers.rnn.simple_rnn import SimpleRNN
from lamina.layers.rnn.simple_rnn_cell import SimpleRNNCell
from lamina.layers.rnn.stacked_rnn_cells import StackedRNNCells
from lamina.layers.rnn.time_distributed import TimeDistributed
