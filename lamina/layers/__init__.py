"""lamina.layers: the layer catalogue (Keras names, arguments and weight layouts)."""

from lamina.layers.core.activation import Activation
from lamina.layers.core.dense import Dense
from lamina.layers.core.dropout import Dropout
from lamina.layers.core.flatten import Flatten
from lamina.layers.core.input_layer import Input, InputLayer
from lamina.layers.core.lambda_layer import Lambda
from lamina.layers.core.backend_function import BackendFunction
from lamina.layers.core.op_layer import GetItem, OpLayer
from lamina.layers.core.repeat_vector import RepeatVector
from lamina.layers.core.reshape import Permute, Reshape
from lamina.layers.core.torch_module_wrapper import TorchModuleWrapper
from lamina.layers.input_spec import InputSpec
from lamina.layers.keras_tensor import KerasTensor
from lamina.layers.layer import Layer

# -- families added by the layer library (issue 3) are imported below --

# normalization, attention, merging, activation and regularization layers
from lamina.layers.activations.elu import ELU
from lamina.layers.activations.leaky_relu import LeakyReLU
from lamina.layers.activations.prelu import PReLU
from lamina.layers.activations.relu import ReLU
from lamina.layers.activations.softmax import Softmax
from lamina.layers.attention.additive_attention import AdditiveAttention
from lamina.layers.attention.attention import Attention
from lamina.layers.attention.multi_head_attention import MultiHeadAttention
from lamina.layers.merging.add import Add, add
from lamina.layers.merging.average import Average, average
from lamina.layers.merging.concatenate import Concatenate, concatenate
from lamina.layers.merging.dot import Dot, dot
from lamina.layers.merging.maximum import Maximum, maximum
from lamina.layers.merging.minimum import Minimum, minimum
from lamina.layers.merging.multiply import Multiply, multiply
from lamina.layers.merging.subtract import Subtract, subtract
from lamina.layers.normalization.batch_normalization import BatchNormalization
from lamina.layers.normalization.group_normalization import GroupNormalization
from lamina.layers.normalization.layer_normalization import LayerNormalization
from lamina.layers.normalization.rms_normalization import RMSNormalization
from lamina.layers.normalization.unit_normalization import UnitNormalization
from lamina.layers.regularization.activity_regularization import ActivityRegularization
from lamina.layers.regularization.alpha_dropout import AlphaDropout
from lamina.layers.regularization.gaussian_dropout import GaussianDropout
from lamina.layers.regularization.gaussian_noise import GaussianNoise
from lamina.layers.regularization.spatial_dropout import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
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
from lamina.layers.convolutional.conv1d import Conv1D, Convolution1D
from lamina.layers.convolutional.conv2d import Conv2D, Convolution2D
from lamina.layers.convolutional.conv3d import Conv3D, Convolution3D
from lamina.layers.convolutional.conv1d_transpose import Conv1DTranspose, Convolution1DTranspose
from lamina.layers.convolutional.conv2d_transpose import Conv2DTranspose, Convolution2DTranspose
from lamina.layers.convolutional.conv3d_transpose import Conv3DTranspose, Convolution3DTranspose
from lamina.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from lamina.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from lamina.layers.convolutional.separable_conv1d import SeparableConv1D, SeparableConvolution1D
from lamina.layers.convolutional.separable_conv2d import SeparableConv2D, SeparableConvolution2D
from lamina.layers.pooling.max_pooling1d import MaxPool1D, MaxPooling1D
from lamina.layers.pooling.max_pooling2d import MaxPool2D, MaxPooling2D
from lamina.layers.pooling.max_pooling3d import MaxPool3D, MaxPooling3D
from lamina.layers.pooling.average_pooling1d import AveragePooling1D, AvgPool1D
from lamina.layers.pooling.average_pooling2d import AveragePooling2D, AvgPool2D
from lamina.layers.pooling.average_pooling3d import AveragePooling3D, AvgPool3D
from lamina.layers.pooling.global_max_pooling1d import GlobalMaxPool1D, GlobalMaxPooling1D
from lamina.layers.pooling.global_max_pooling2d import GlobalMaxPool2D, GlobalMaxPooling2D
from lamina.layers.pooling.global_max_pooling3d import GlobalMaxPool3D, GlobalMaxPooling3D
from lamina.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D, GlobalAvgPool1D
from lamina.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D, GlobalAvgPool2D
from lamina.layers.pooling.global_average_pooling3d import GlobalAveragePooling3D, GlobalAvgPool3D
from lamina.layers.reshaping.up_sampling1d import UpSampling1D
from lamina.layers.reshaping.up_sampling2d import UpSampling2D
from lamina.layers.reshaping.up_sampling3d import UpSampling3D
from lamina.layers.reshaping.zero_padding1d import ZeroPadding1D
from lamina.layers.reshaping.zero_padding2d import ZeroPadding2D
from lamina.layers.reshaping.zero_padding3d import ZeroPadding3D
from lamina.layers.reshaping.cropping1d import Cropping1D
from lamina.layers.reshaping.cropping2d import Cropping2D
from lamina.layers.reshaping.cropping3d import Cropping3D
from lamina.layers.cudnn_recurrent import CuDNNGRU, CuDNNLSTM  # Keras 2 (deprecated)

from lamina.saving.serialization_lib import deserialize_layer as deserialize  # noqa: E402
from lamina.saving.serialization_lib import serialize_layer as serialize  # noqa: E402

# preprocessing layers (issue 11)
from lamina.layers.preprocessing.center_crop import CenterCrop  # noqa: E402
from lamina.layers.preprocessing.normalization import Normalization  # noqa: E402
from lamina.layers.preprocessing.rescaling import Rescaling  # noqa: E402
from lamina.layers.preprocessing.resizing import Resizing  # noqa: E402
from lamina.layers.preprocessing.category_encoding import CategoryEncoding  # noqa: E402
from lamina.layers.preprocessing.discretization import Discretization  # noqa: E402
from lamina.layers.preprocessing.hashing import Hashing  # noqa: E402
from lamina.layers.preprocessing.hashed_crossing import HashedCrossing  # noqa: E402
from lamina.layers.preprocessing.integer_lookup import IntegerLookup  # noqa: E402
from lamina.layers.preprocessing.string_lookup import StringLookup  # noqa: E402
from lamina.layers.preprocessing.pipeline import Pipeline  # noqa: E402
from lamina.layers.preprocessing.text_vectorization import TextVectorization  # noqa: E402
from lamina.layers.preprocessing.random_brightness import RandomBrightness  # noqa: E402
from lamina.layers.preprocessing.random_contrast import RandomContrast  # noqa: E402
from lamina.layers.preprocessing.random_crop import RandomCrop  # noqa: E402
from lamina.layers.preprocessing.random_flip import RandomFlip  # noqa: E402
from lamina.layers.preprocessing.random_rotation import RandomRotation  # noqa: E402
from lamina.layers.preprocessing.random_translation import RandomTranslation  # noqa: E402
from lamina.layers.preprocessing.random_zoom import RandomZoom  # noqa: E402
from lamina.layers.preprocessing.auto_contrast import AutoContrast  # noqa: E402
from lamina.layers.preprocessing.random_grayscale import RandomGrayscale  # noqa: E402
from lamina.layers.preprocessing.random_invert import RandomInvert  # noqa: E402
from lamina.layers.preprocessing.random_hue import RandomHue  # noqa: E402
from lamina.layers.preprocessing.random_saturation import RandomSaturation  # noqa: E402
from lamina.layers.preprocessing.random_sharpness import RandomSharpness  # noqa: E402
from lamina.layers.preprocessing.random_shear import RandomShear  # noqa: E402
from lamina.layers.preprocessing.random_erasing import RandomErasing  # noqa: E402
from lamina.layers.preprocessing.random_gaussian_blur import RandomGaussianBlur  # noqa: E402
from lamina.layers.preprocessing.random_posterization import RandomPosterization  # noqa: E402
from lamina.layers.preprocessing.random_color_jitter import RandomColorJitter  # noqa: E402
from lamina.layers.preprocessing.random_color_degeneration import RandomColorDegeneration  # noqa: E402
from lamina.layers.preprocessing.random_perspective import RandomPerspective  # noqa: E402
from lamina.layers.preprocessing.random_elastic_transform import RandomElasticTransform  # noqa: E402
from lamina.layers.preprocessing.equalization import Equalization  # noqa: E402
from lamina.layers.preprocessing.solarization import Solarization  # noqa: E402
from lamina.layers.preprocessing.mix_up import MixUp  # noqa: E402
from lamina.layers.preprocessing.cut_mix import CutMix  # noqa: E402
from lamina.layers.preprocessing.aug_mix import AugMix  # noqa: E402
from lamina.layers.preprocessing.rand_augment import RandAugment  # noqa: E402

# issue 14: the missing layers
from lamina.layers.rnn.conv_lstm_cell import ConvLSTM1DCell, ConvLSTM2DCell, ConvLSTM3DCell, ConvLSTMCell  # noqa: E402
from lamina.layers.rnn.conv_lstm1d import ConvLSTM1D  # noqa: E402
from lamina.layers.rnn.conv_lstm2d import ConvLSTM2D  # noqa: E402
from lamina.layers.rnn.conv_lstm3d import ConvLSTM3D  # noqa: E402
from lamina.layers.core.identity import Identity  # noqa: E402
from lamina.layers.core.wrapper import Wrapper  # noqa: E402
from lamina.layers.normalization.spectral_normalization import SpectralNormalization  # noqa: E402
from lamina.layers.pooling.adaptive_average_pooling1d import AdaptiveAveragePooling1D  # noqa: E402
from lamina.layers.pooling.adaptive_average_pooling2d import AdaptiveAveragePooling2D  # noqa: E402
from lamina.layers.pooling.adaptive_average_pooling3d import AdaptiveAveragePooling3D  # noqa: E402
from lamina.layers.pooling.adaptive_max_pooling1d import AdaptiveMaxPooling1D  # noqa: E402
from lamina.layers.pooling.adaptive_max_pooling2d import AdaptiveMaxPooling2D  # noqa: E402
from lamina.layers.pooling.adaptive_max_pooling3d import AdaptiveMaxPooling3D  # noqa: E402
from lamina.layers.core.einsum_dense import EinsumDense  # noqa: E402
from lamina.layers.core.reversible_embedding import ReversibleEmbedding  # noqa: E402
from lamina.layers.locally_connected.locally_connected1d import LocallyConnected1D  # noqa: E402
from lamina.layers.locally_connected.locally_connected2d import LocallyConnected2D  # noqa: E402
from lamina.layers.attention.grouped_query_attention import GroupedQueryAttention, GroupQueryAttention  # noqa: E402
from lamina.layers.preprocessing.stft_spectrogram import STFTSpectrogram  # noqa: E402
from lamina.layers.preprocessing.mel_spectrogram import MelSpectrogram  # noqa: E402
