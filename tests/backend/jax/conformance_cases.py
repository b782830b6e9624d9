"""Every public layer's reference cases, run under each backend by the cross-backend conformance test.

``python tests/backend/jax/conformance_cases.py OUT.npz [fast]`` (with LAMINA_BACKEND set) runs
each case in one process (``fast``: the one-case-per-family subset ``FAST``) and saves into OUT.npz:

- ``<case>/out/<i>``: the layer's eager output(s) with the case's call arguments (random layers
  run with ``training=True`` and a seed: lamina's seeded draws are the same under every backend);
- ``<case>/grad_in/<i>``, ``<case>/grad_w/<j>``: the gradients of ``sum(output ** 2)`` with respect
  to each float input and each trainable weight (``layer_grads`` of tests/layers/conftest.py:
  torch autograd, or ``stateless_call`` under ``jax.grad``);
- ``<case>/losses``: the losses the call added (activity regularizers);
- ``<case>/predict/<i>``: the output of a functional model around the layer through
  ``model.predict`` (the compiled inference path);
- ``<case>/after_step/<i>``: the weights after one SGD step of a mean-square loss through
  ``model.fit`` (the compiled train step: training-mode layers, moving statistics, gradients).

Weights are drawn from NumPy, so they are the same under every backend. A case that raises is
recorded as ``<case>/error`` and reported by the test. ``EXCLUDED`` names the public classes with
no case and why; the test fails when a public class has neither.
"""

from __future__ import annotations

import sys
import traceback
import warnings

import numpy as np

import lamina
from lamina import layers, ops

# --------------------------------------------------------------------------------- input makers
def F(*shape, lo=None, hi=None):
    """Float32 input: standard normal, or uniform in [lo, hi)."""
    if lo is None:
        return lambda rng: rng.normal(size=shape).astype("float32")
    return lambda rng: rng.uniform(lo, hi, size=shape).astype("float32")


def I(high, *shape, low=0):  # noqa: E743 - a short name, as F
    """Int32 input in [low, high)."""
    return lambda rng: rng.integers(low, high, size=shape).astype("int32")


def A(array):
    """A fixed input (strings, special values)."""
    return lambda rng: np.asarray(array)


IMG = F(2, 8, 8, 3, lo=0.0, hi=255.0)  # an image batch in the preprocessing layers' [0, 255]


class Case:
    """One reference case: a layer factory, its inputs, and what to compare.

    Args:
        make: builds the (unbuilt) layer.
        inputs: input makers (F, I, A).
        kw: call arguments (``training=True`` for random layers, ``reverse=True``...).
        packed: pass the inputs as one list (merge, Attention) instead of one argument each.
        grads: compare the gradients of ``sum(output ** 2)`` (False for integer/string outputs).
        model: compare ``model.predict`` of a functional model around the layer.
        fit: compare the weights after one SGD step (only where the layer has trainable weights).
        fill: overwrite the float weights with NumPy draws (False keeps adapted statistics).
        tol: a larger relative tolerance for this case, with the reason in a comment.
    """

    def __init__(self, make, *inputs, kw=None, packed=False, grads=True, model=True, fit=True,
                 fill=True, tol=None):
        self.make, self.inputs, self.kw, self.packed = make, inputs, kw or {}, packed
        self.grads, self.model, self.fit, self.fill, self.tol = grads, model, fit, fill, tol


def _quiet(factory):
    """A factory whose deprecation warnings (Keras 1/2 names under test) are silenced."""
    def make():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return factory()
    return make


def _adapted(layer, data):
    layer.adapt(data)
    return layer


def _backend_function():
    from lamina.layers.core.backend_function import BackendFunction, deserialize

    return BackendFunction("mean", deserialize({"args": [{"__tensor__": 0}], "kwargs": {"axis": -1}}))


TRAIN = {"training": True}
S = 3  # the seed of every random layer
_rng0 = np.random.default_rng(0)
_ADAPT = _rng0.normal(1.0, 2.0, size=(20, 4)).astype("float32")
_CORPUS = np.array(["the cat sat", "The dog ran fast!", "a cat and a dog", "fast cat"])
_WORDS = np.array([["cat", "dog", "bird"], ["fish", "cat", ""]])

CASES = {
    # ------------------------------------------------------------------ core
    "dense": Case(lambda: layers.Dense(5, activation="tanh"), F(4, 6)),
    "einsum_dense": Case(lambda: layers.EinsumDense("abc,cd->abd", (None, 4), bias_axes="d"), F(2, 3, 5)),
    "embedding": Case(lambda: layers.Embedding(10, 4), I(10, 3, 5)),
    "embedding_mask_zero": Case(lambda: layers.Embedding(10, 4, mask_zero=True), I(10, 3, 5)),
    "reversible_embedding": Case(lambda: layers.ReversibleEmbedding(10, 4), I(10, 3, 5)),
    "reversible_embedding_reverse": Case(lambda: layers.ReversibleEmbedding(10, 4, logit_soft_cap=2.0),
                                         F(3, 5, 4), kw={"reverse": True}),
    "identity": Case(lambda: layers.Identity(), F(2, 5)),
    "activation_gelu": Case(lambda: layers.Activation("gelu"), F(2, 5)),
    "flatten": Case(lambda: layers.Flatten(), F(2, 3, 4)),
    "permute": Case(lambda: layers.Permute((2, 1)), F(2, 3, 4)),
    "reshape": Case(lambda: layers.Reshape((4, -1)), F(2, 3, 4)),
    "repeat_vector": Case(lambda: layers.RepeatVector(3), F(2, 4)),
    "masking": Case(lambda: layers.Masking(0.0), A(np.array([[[1.0, 2], [0, 0], [3, -1]]] * 2, "float32"))),
    "lambda": Case(lambda: layers.Lambda(lambda x: ops.sin(x) * 2.0 + x), F(2, 5)),
    "op_layer": Case(lambda: layers.OpLayer("multiply"), F(2, 5), F(2, 5)),
    "get_item": Case(lambda: layers.GetItem((slice(None), slice(1, 3))), F(2, 5, 3)),
    "backend_function": Case(_backend_function, F(2, 5), packed=True),
    # ------------------------------------------------------------------ activations
    "elu": Case(lambda: layers.ELU(), F(2, 5)),
    "leaky_relu": Case(lambda: layers.LeakyReLU(0.2), F(2, 5)),
    "prelu": Case(lambda: layers.PReLU(), F(2, 5)),
    "relu_capped": Case(lambda: layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2), F(3, 5)),
    "softmax": Case(lambda: layers.Softmax(), F(2, 5)),
    # ------------------------------------------------------------------ attention
    "attention": Case(lambda: layers.Attention(use_scale=True), F(2, 3, 4), F(2, 5, 4), packed=True),
    "attention_causal_concat": Case(lambda: layers.Attention(score_mode="concat"), F(2, 4, 4), F(2, 4, 4),
                                    packed=True, kw={"use_causal_mask": True}),
    "additive_attention": Case(lambda: layers.AdditiveAttention(), F(2, 3, 4), F(2, 5, 4), packed=True),
    "multi_head_attention": Case(lambda: layers.MultiHeadAttention(2, 3), F(2, 4, 6), F(2, 4, 6)),
    "multi_head_attention_dropout": Case(lambda: layers.MultiHeadAttention(2, 3, dropout=0.3, seed=S),
                                         F(2, 4, 6), F(2, 3, 6), kw=TRAIN, model=False),
    "grouped_query_attention": Case(lambda: layers.GroupedQueryAttention(3, 4, 2), F(2, 4, 6), F(2, 5, 6)),
    # ------------------------------------------------------------------ convolutions
    "conv1d_causal": Case(lambda: layers.Conv1D(3, 3, padding="causal", dilation_rate=2), F(2, 9, 4)),
    "conv1d_groups": Case(lambda: layers.Conv1D(4, 3, groups=2, strides=2), F(2, 9, 4)),
    "conv2d_same_s2": Case(lambda: layers.Conv2D(4, 3, strides=2, padding="same"), F(2, 7, 7, 3)),
    "conv2d_valid": Case(lambda: layers.Conv2D(2, (2, 3), activation="relu"), F(2, 6, 5, 3)),
    "convolution2d_keras1": Case(_quiet(lambda: layers.Convolution2D(2, 3, 2)), F(2, 5, 5, 2)),
    "conv3d": Case(lambda: layers.Conv3D(2, 2, padding="same"), F(1, 3, 4, 4, 2)),
    "convolution3d_keras1": Case(_quiet(lambda: layers.Convolution3D(2, 2, 1, 2)), F(1, 3, 4, 4, 2)),
    "conv1d_transpose": Case(lambda: layers.Conv1DTranspose(2, 4, strides=3, padding="same"), F(2, 5, 3)),
    "conv2d_transpose_same": Case(lambda: layers.Conv2DTranspose(3, 3, strides=2, padding="same"), F(2, 4, 5, 2)),
    "conv2d_transpose_valid": Case(lambda: layers.Conv2DTranspose(2, 3, strides=2), F(2, 3, 3, 2)),
    "conv3d_transpose": Case(lambda: layers.Conv3DTranspose(2, 2, strides=2, padding="same"), F(1, 2, 3, 3, 2)),
    "depthwise_conv1d": Case(lambda: layers.DepthwiseConv1D(3, depth_multiplier=2), F(2, 7, 3)),
    "depthwise_conv2d": Case(lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), F(2, 5, 5, 3)),
    "separable_conv1d": Case(lambda: layers.SeparableConv1D(4, 3, padding="same"), F(2, 7, 3)),
    "separable_conv2d": Case(lambda: layers.SeparableConv2D(4, 3, padding="same"), F(2, 5, 5, 3)),
    "separable_convolution2d_keras1": Case(_quiet(lambda: layers.SeparableConvolution2D(3, 2, 3)), F(2, 5, 5, 2)),
    "locally_connected1d": Case(lambda: layers.LocallyConnected1D(3, 2), F(2, 6, 3)),
    "locally_connected2d": Case(lambda: layers.LocallyConnected2D(2, 2, strides=2), F(2, 5, 4, 3)),
    # ------------------------------------------------------------------ pooling
    "max_pool1d": Case(lambda: layers.MaxPooling1D(3, strides=2, padding="same"), F(2, 8, 3)),
    "max_pool2d_same": Case(lambda: layers.MaxPooling2D(3, strides=2, padding="same"), F(2, 7, 6, 3)),
    "max_pool3d": Case(lambda: layers.MaxPooling3D(2), F(1, 4, 4, 5, 2)),
    "avg_pool1d": Case(lambda: layers.AveragePooling1D(2), F(2, 8, 3)),
    "avg_pool2d_same": Case(lambda: layers.AveragePooling2D(3, strides=2, padding="same"), F(2, 7, 6, 3)),
    "avg_pool3d_same": Case(lambda: layers.AveragePooling3D(2, padding="same"), F(1, 3, 4, 5, 2)),
    "global_avg_pool1d": Case(lambda: layers.GlobalAveragePooling1D(), F(2, 5, 3)),
    "global_avg_pool2d": Case(lambda: layers.GlobalAveragePooling2D(), F(2, 4, 4, 3)),
    "global_avg_pool3d": Case(lambda: layers.GlobalAveragePooling3D(keepdims=True), F(1, 3, 3, 4, 2)),
    "global_max_pool1d": Case(lambda: layers.GlobalMaxPooling1D(), F(2, 5, 3)),
    "global_max_pool2d": Case(lambda: layers.GlobalMaxPooling2D(), F(2, 4, 4, 3)),
    "global_max_pool3d": Case(lambda: layers.GlobalMaxPooling3D(), F(1, 3, 3, 4, 2)),
    "adaptive_avg_pool1d": Case(lambda: layers.AdaptiveAveragePooling1D(3), F(2, 7, 3)),
    "adaptive_avg_pool2d": Case(lambda: layers.AdaptiveAveragePooling2D((2, 3)), F(2, 5, 7, 3)),
    "adaptive_avg_pool3d": Case(lambda: layers.AdaptiveAveragePooling3D(2), F(1, 3, 5, 4, 2)),
    "adaptive_max_pool1d": Case(lambda: layers.AdaptiveMaxPooling1D(3), F(2, 7, 3)),
    "adaptive_max_pool2d": Case(lambda: layers.AdaptiveMaxPooling2D((2, 3)), F(2, 5, 7, 3)),
    "adaptive_max_pool3d": Case(lambda: layers.AdaptiveMaxPooling3D(2), F(1, 3, 5, 4, 2)),
    # ------------------------------------------------------------------ merging
    "add": Case(lambda: layers.Add(), F(2, 4), F(2, 4), F(2, 4), packed=True),
    "subtract": Case(lambda: layers.Subtract(), F(2, 4), F(2, 4), packed=True),
    "multiply": Case(lambda: layers.Multiply(), F(2, 4), F(2, 4), packed=True),
    "average": Case(lambda: layers.Average(), F(2, 4), F(2, 4), packed=True),
    "maximum": Case(lambda: layers.Maximum(), F(2, 4), F(2, 4), packed=True),
    "minimum": Case(lambda: layers.Minimum(), F(2, 4), F(2, 4), packed=True),
    "concatenate": Case(lambda: layers.Concatenate(axis=1), F(2, 3, 4), F(2, 2, 4), packed=True),
    "dot_normalized": Case(lambda: layers.Dot(axes=(2, 2), normalize=True), F(2, 3, 4), F(2, 5, 4), packed=True),
    # ------------------------------------------------------------------ normalization
    "batch_norm": Case(lambda: layers.BatchNormalization(), F(6, 4)),
    "batch_norm_training": Case(lambda: layers.BatchNormalization(axis=1, momentum=0.9), F(4, 3, 5), kw=TRAIN),
    "layer_norm": Case(lambda: layers.LayerNormalization(), F(3, 5, 4)),
    "group_norm": Case(lambda: layers.GroupNormalization(2), F(2, 3, 4)),
    "rms_norm": Case(lambda: layers.RMSNormalization(), F(3, 5)),
    "unit_norm": Case(lambda: layers.UnitNormalization(axis=(1, 2)), F(2, 3, 4)),
    "spectral_norm": Case(lambda: layers.SpectralNormalization(layers.Dense(3), power_iterations=2),
                          F(4, 5), kw=TRAIN),
    # ------------------------------------------------------------------ regularization (training, seeded)
    "dropout": Case(lambda: layers.Dropout(0.4, seed=S), F(4, 6), kw=TRAIN),
    "dropout_noise_shape": Case(lambda: layers.Dropout(0.5, noise_shape=(None, 1, 3), seed=S), F(3, 4, 3), kw=TRAIN),
    "alpha_dropout": Case(lambda: layers.AlphaDropout(0.3, seed=S), F(4, 6), kw=TRAIN),
    "gaussian_dropout": Case(lambda: layers.GaussianDropout(0.3, seed=S), F(4, 6), kw=TRAIN),
    "gaussian_noise": Case(lambda: layers.GaussianNoise(0.5, seed=S), F(4, 6), kw=TRAIN),
    "spatial_dropout1d": Case(lambda: layers.SpatialDropout1D(0.5, seed=S), F(3, 4, 5), kw=TRAIN),
    "spatial_dropout2d": Case(lambda: layers.SpatialDropout2D(0.5, seed=S), F(2, 3, 3, 5), kw=TRAIN),
    "spatial_dropout3d": Case(lambda: layers.SpatialDropout3D(0.5, seed=S), F(2, 2, 3, 2, 5), kw=TRAIN),
    "activity_regularization": Case(lambda: layers.ActivityRegularization(l1=0.01, l2=0.02), F(3, 4)),
    # ------------------------------------------------------------------ reshaping
    "cropping1d": Case(lambda: layers.Cropping1D((1, 2)), F(2, 6, 3)),
    "cropping2d": Case(lambda: layers.Cropping2D(((1, 0), (0, 1))), F(1, 4, 4, 2)),
    "cropping3d": Case(lambda: layers.Cropping3D(((1, 0), (0, 1), (1, 1))), F(1, 3, 4, 4, 2)),
    "zero_padding1d": Case(lambda: layers.ZeroPadding1D((2, 1)), F(2, 3, 2)),
    "zero_padding2d": Case(lambda: layers.ZeroPadding2D(((1, 0), (2, 1))), F(1, 3, 3, 2)),
    "zero_padding3d": Case(lambda: layers.ZeroPadding3D(1), F(1, 2, 3, 2, 2)),
    "upsampling1d": Case(lambda: layers.UpSampling1D(3), F(2, 3, 2)),
    "upsampling2d": Case(lambda: layers.UpSampling2D(2), F(1, 3, 3, 2)),
    "upsampling2d_bilinear": Case(lambda: layers.UpSampling2D(2, interpolation="bilinear"), F(1, 3, 3, 2)),
    "upsampling3d": Case(lambda: layers.UpSampling3D((1, 2, 2)), F(1, 2, 2, 3, 2)),
    # ------------------------------------------------------------------ recurrent
    "simple_rnn": Case(lambda: layers.SimpleRNN(3), F(2, 5, 4)),
    "lstm_seq": Case(lambda: layers.LSTM(3, return_sequences=True), F(2, 5, 4)),
    "gru": Case(lambda: layers.GRU(3), F(2, 5, 4)),
    "gru_reset_before_state": Case(lambda: layers.GRU(3, reset_after=False, return_state=True), F(2, 5, 4),
                                   fit=False),
    "lstm_dropout": Case(lambda: layers.LSTM(3, dropout=0.3, recurrent_dropout=0.2, seed=S), F(2, 5, 4),
                         kw=TRAIN, model=False),
    "rnn_simple_cell": Case(lambda: layers.RNN(layers.SimpleRNNCell(3), go_backwards=True), F(2, 5, 4)),
    "rnn_lstm_cell": Case(lambda: layers.RNN(layers.LSTMCell(3), return_sequences=True), F(2, 5, 4)),
    "rnn_gru_cell": Case(lambda: layers.RNN(layers.GRUCell(3)), F(2, 5, 4)),
    "stacked_cells": Case(lambda: layers.RNN(layers.StackedRNNCells([layers.LSTMCell(3), layers.GRUCell(2)])),
                          F(2, 5, 4)),
    "cudnn_lstm": Case(_quiet(lambda: layers.CuDNNLSTM(3, return_sequences=True)), F(2, 4, 3)),
    "cudnn_gru": Case(_quiet(lambda: layers.CuDNNGRU(3)), F(2, 4, 3)),
    "conv_lstm1d": Case(lambda: layers.ConvLSTM1D(2, 3, padding="same"), F(2, 3, 6, 2)),
    "conv_lstm2d": Case(lambda: layers.ConvLSTM2D(2, 2, return_sequences=True), F(1, 3, 4, 4, 2)),
    "conv_lstm3d": Case(lambda: layers.ConvLSTM3D(2, 2, padding="same"), F(1, 2, 3, 3, 2, 2)),
    "conv_lstm1d_cell": Case(lambda: layers.RNN(layers.ConvLSTM1DCell(2, 3)), F(2, 3, 6, 2)),
    "conv_lstm2d_cell": Case(lambda: layers.RNN(layers.ConvLSTM2DCell(2, 2, padding="same")), F(1, 3, 4, 4, 2)),
    "conv_lstm3d_cell": Case(lambda: layers.RNN(layers.ConvLSTM3DCell(2, 2)), F(1, 2, 3, 3, 3, 2)),
    "conv_lstm_cell_rank2": Case(lambda: layers.RNN(layers.ConvLSTMCell(2, 2, 3, padding="same")),
                                 F(1, 3, 4, 4, 2)),
    "bidirectional_lstm": Case(lambda: layers.Bidirectional(layers.LSTM(2)), F(2, 4, 3)),
    "bidirectional_gru_sum": Case(lambda: layers.Bidirectional(layers.GRU(2, return_sequences=True),
                                                               merge_mode="sum"), F(2, 4, 3)),
    "time_distributed_dense": Case(lambda: layers.TimeDistributed(layers.Dense(3)), F(2, 4, 5)),
    "time_distributed_conv2d": Case(lambda: layers.TimeDistributed(layers.Conv2D(2, 2)), F(1, 3, 4, 4, 2)),
    # ------------------------------------------------------------------ preprocessing: numeric
    "rescaling": Case(lambda: layers.Rescaling(1 / 127.5, offset=-1), IMG),
    "resizing_bilinear": Case(lambda: layers.Resizing(5, 11), IMG),
    "resizing_nearest_crop": Case(lambda: layers.Resizing(6, 4, interpolation="nearest",
                                                          crop_to_aspect_ratio=True), IMG),
    "resizing_pad": Case(lambda: layers.Resizing(5, 9, pad_to_aspect_ratio=True, fill_value=1.0), IMG),
    "center_crop": Case(lambda: layers.CenterCrop(5, 6), IMG),
    "normalization_adapt": Case(lambda: _adapted(layers.Normalization(), _ADAPT), F(3, 4), fill=False),
    "normalization_invert": Case(lambda: layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.5], invert=True),
                                 F(3, 2), fill=False),
    "discretization": Case(lambda: layers.Discretization(bin_boundaries=[-1.0, 0.0, 0.5]), F(3, 4), grads=False),
    "discretization_adapt_one_hot": Case(lambda: _adapted(layers.Discretization(num_bins=4, output_mode="one_hot"),
                                                          _ADAPT[:, 0]), F(6), grads=False),
    "category_encoding_count": Case(lambda: layers.CategoryEncoding(6, output_mode="count"), I(6, 3, 4), grads=False),
    "hashing": Case(lambda: layers.Hashing(7, salt=5), I(100, 3, 4), grads=False),
    "hashing_strings": Case(lambda: layers.Hashing(5), A(_WORDS), grads=False, model=False),
    "hashed_crossing": Case(lambda: layers.HashedCrossing(9), I(10, 4), I(10, 4), packed=True, grads=False,
                            model=False),
    "integer_lookup": Case(lambda: layers.IntegerLookup(vocabulary=[3, 7, 9], output_mode="multi_hot"),
                           I(11, 3, 4), grads=False, model=False),
    "string_lookup": Case(lambda: layers.StringLookup(vocabulary=["cat", "dog"], mask_token=""),
                          A(_WORDS), grads=False, model=False),
    "string_lookup_tf_idf": Case(lambda: layers.StringLookup(vocabulary=["cat", "dog"], output_mode="tf_idf",
                                                             idf_weights=[0.5, 1.5]), A(_WORDS), grads=False,
                                 model=False),
    "text_vectorization": Case(lambda: _adapted(layers.TextVectorization(output_sequence_length=5), _CORPUS),
                               A(_CORPUS[::-1]), grads=False, model=False),
    "text_vectorization_tf_idf": Case(lambda: _adapted(layers.TextVectorization(output_mode="tf_idf",
                                                                                ngrams=2), _CORPUS),
                                      A(_CORPUS), grads=False, model=False),
    "stft_spectrogram": Case(lambda: layers.STFTSpectrogram(frame_length=16, frame_step=8, fft_length=16,
                                                            mode="magnitude"), F(2, 64, 1), fill=False),
    "mel_spectrogram": Case(lambda: layers.MelSpectrogram(fft_length=32, sequence_stride=16, num_mel_bins=8,
                                                          sampling_rate=800), F(2, 128)),
    "auto_contrast": Case(lambda: layers.AutoContrast(), IMG),
    "equalization": Case(lambda: layers.Equalization(bins=16), IMG, grads=False),
    "solarization": Case(lambda: layers.Solarization(0.2, 0.3, seed=S), IMG, kw=TRAIN),
    "pipeline": Case(lambda: layers.Pipeline([layers.Rescaling(0.5), layers.CenterCrop(6, 6),
                                              layers.RandomFlip(seed=S)]), IMG, kw=TRAIN),
    # ------------------------------------------------------------------ preprocessing: random (seeded, training)
    "random_brightness": Case(lambda: layers.RandomBrightness(0.3, seed=S), IMG, kw=TRAIN),
    "random_contrast": Case(lambda: layers.RandomContrast(0.5, seed=S), IMG, kw=TRAIN),
    "random_color_degeneration": Case(lambda: layers.RandomColorDegeneration(0.5, seed=S), IMG, kw=TRAIN),
    "random_color_jitter": Case(lambda: layers.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.3,
                                                                 saturation_factor=0.4, hue_factor=0.1, seed=S),
                                IMG, kw=TRAIN),
    "random_crop": Case(lambda: layers.RandomCrop(5, 6, seed=S), IMG, kw=TRAIN),
    "random_elastic_transform": Case(lambda: layers.RandomElasticTransform(seed=S), IMG, kw=TRAIN),
    "random_erasing": Case(lambda: layers.RandomErasing(seed=S), IMG, kw=TRAIN),
    "random_flip": Case(lambda: layers.RandomFlip(seed=S), IMG, kw=TRAIN),
    "random_gaussian_blur": Case(lambda: layers.RandomGaussianBlur(seed=S), IMG, kw=TRAIN),
    "random_grayscale": Case(lambda: layers.RandomGrayscale(0.5, seed=S), IMG, kw=TRAIN),
    "random_hue": Case(lambda: layers.RandomHue(0.3, seed=S), IMG, kw=TRAIN),
    "random_invert": Case(lambda: layers.RandomInvert(0.7, seed=S), IMG, kw=TRAIN),
    "random_perspective": Case(lambda: layers.RandomPerspective(0.8, seed=S), IMG, kw=TRAIN),
    "random_posterization": Case(lambda: layers.RandomPosterization(4, seed=S), IMG, kw=TRAIN, grads=False),
    "random_rotation": Case(lambda: layers.RandomRotation(0.2, seed=S), IMG, kw=TRAIN),
    "random_saturation": Case(lambda: layers.RandomSaturation(0.5, seed=S), IMG, kw=TRAIN),
    "random_sharpness": Case(lambda: layers.RandomSharpness(0.5, seed=S), IMG, kw=TRAIN),
    "random_shear": Case(lambda: layers.RandomShear(0.3, 0.2, seed=S), IMG, kw=TRAIN),
    "random_translation": Case(lambda: layers.RandomTranslation(0.2, 0.3, fill_mode="constant", seed=S),
                               IMG, kw=TRAIN),
    "random_zoom": Case(lambda: layers.RandomZoom(0.3, fill_mode="nearest", seed=S), IMG, kw=TRAIN),
    "rand_augment": Case(lambda: layers.RandAugment(seed=S), IMG, kw=TRAIN, grads=False),
    "aug_mix": Case(lambda: layers.AugMix(seed=S), IMG, kw=TRAIN, grads=False),
    "cut_mix": Case(lambda: layers.CutMix(seed=S), IMG, kw=TRAIN),
    "mix_up": Case(lambda: layers.MixUp(seed=S), IMG, kw=TRAIN),
}

# One case per family: the default-tier subset (the full run is slow-tier).
FAST = ["dense", "prelu", "attention", "conv2d_same_s2", "locally_connected1d", "max_pool2d_same", "concatenate",
        "batch_norm", "spatial_dropout2d", "zero_padding2d", "rnn_simple_cell", "string_lookup"]

# Public classes with no case, and why (the test fails when a public class has neither).
EXCLUDED = {
    "Layer": "the abstract base: every case exercises it",
    "Wrapper": "an abstract base (its call is the subclass's): covered by Bidirectional, TimeDistributed, "
               "SpectralNormalization",
    "InputLayer": "holds a placeholder and computes nothing: every predict/fit case goes through one",
    "TorchModuleWrapper": "wraps a torch.nn.Module, which only exists under the torch backend",
}


def _fill_weights(layer, rng):
    for v in layer.weights:
        if v.dtype.startswith("float"):
            w = rng.normal(scale=0.5, size=v.shape).astype(v.dtype)
            v.assign(np.abs(w) + 0.5 if "variance" in v.name else w)


def _flat(out):
    if isinstance(out, dict):
        return [o for _, v in sorted(out.items()) for o in _flat(v)]
    if isinstance(out, (list, tuple)):
        return [o for v in out for o in _flat(v)]
    return [out]


def _np(x):
    return lamina.ops.convert_to_numpy(x) if lamina.ops.is_tensor(x) else np.asarray(x)


def _square_sum(out):
    outs = [o for o in _flat(out) if ops.is_float_dtype(o.dtype)]
    total = ops.sum(ops.square(outs[0]))
    for o in outs[1:]:
        total = total + ops.sum(ops.square(o))
    return total


def _tensors(xs):
    return [x if x.dtype.kind in "US" else ops.convert_to_tensor(x) for x in xs]


def _layer(name, xs, rng):
    case = CASES[name]
    layer = case.make()
    args = _tensors(xs)
    layer(args, **case.kw) if case.packed else layer(*args, **case.kw)
    losses = [float(_np(v)) for v in layer.losses]  # stateless calls (JAX's gradients) keep none
    if case.fill:
        _fill_weights(layer, rng)
    return layer, losses


def _case(name, results):
    from tests.layers.conftest import layer_grads

    case = CASES[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    xs = [make(rng) for make in case.inputs]
    weights_seed = int(rng.integers(1 << 30))
    layer, losses = _layer(name, xs, np.random.default_rng(weights_seed))
    if losses:
        results[f"{name}/losses"] = np.array(losses)
    if case.grads:
        out, g_in, g_w = layer_grads(layer, xs, _square_sum, call_kwargs=case.kw, packed=case.packed)
        for i, g in enumerate(list(g_in) + list(g_w.values())):
            results[f"{name}/grad_{'in' if i < len(g_in) else 'w'}/{i}"] = np.zeros(0) if g is None else g
    else:
        args = _tensors(xs)
        out = layer(args, **case.kw) if case.packed else layer(*args, **case.kw)
    for i, o in enumerate(_flat(out)):
        results[f"{name}/out/{i}"] = _np(o)
    if not case.model:
        return
    layer, _ = _layer(name, xs, np.random.default_rng(weights_seed))  # fresh: seed state, weights
    inputs = [lamina.Input(shape=x.shape[1:], dtype=str(x.dtype)) for x in xs]
    kw = {k: v for k, v in case.kw.items() if k != "training"}  # predict / fit choose
    out = layer(inputs, **kw) if case.packed else layer(*inputs, **kw)
    model = lamina.Model(inputs, out)
    predicted = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    for i, o in enumerate(_flat(predicted)):
        results[f"{name}/predict/{i}"] = o
    if case.fit and model.trainable_weights and len(_flat(predicted)) == 1:
        target = rng.normal(size=predicted.shape).astype("float32")
        model.compile(optimizer=lamina.optimizers.SGD(0.1), loss="mse")
        model.fit(xs if len(xs) > 1 else xs[0], target, batch_size=len(xs[0]), epochs=1, shuffle=False,
                  verbose=0)
        for i, w in enumerate(model.get_weights()):
            results[f"{name}/after_step/{i}"] = w


def run(path, names=None):
    results = {}
    for name in names or CASES:
        try:
            _case(name, results)
        except Exception:  # noqa: BLE001 - recorded, the test reports it by case
            results = {k: v for k, v in results.items() if not k.startswith(f"{name}/")}
            results[f"{name}/error"] = np.array(traceback.format_exc())
    np.savez(path, **results)


if __name__ == "__main__":
    run(sys.argv[1], FAST if sys.argv[2:] == ["fast"] else None)
