"""Keras 2 ``keras.layers.cudnn_recurrent``: ``CuDNNLSTM`` and ``CuDNNGRU``, deprecated.

Keras 2 had separate layers for NVIDIA's cuDNN kernels. They are LSTM / GRU with the only settings
cuDNN supports (tanh, sigmoid gates, a bias, no dropout, GRU with ``reset_after=True``), and lamina
builds them as exactly that: ``CuDNNLSTM(8)`` is an ``LSTM(8)`` that runs torch's fused kernel (on
the GPU, cuDNN). Keras 2 saved their weights in cuDNN's layout; :func:`from_cudnn_weights`
translates them when a Keras 2 HDF5 file is loaded (into these layers or into a plain LSTM / GRU).
Everything else about the module (``from lamina.layers.cudnn_recurrent import LSTM``) resolves to
``lamina.layers`` with a warning.
"""

from __future__ import annotations

import numpy as np

from lamina.errors import deprecated
from lamina.layers.legacy_paths import module_getattr
from lamina.layers.rnn.gru import GRU
from lamina.layers.rnn.lstm import LSTM

__all__ = ["CuDNNGRU", "CuDNNLSTM", "from_cudnn_weights"]

_fallback_getattr = module_getattr("lamina.layers.cudnn_recurrent")


def __getattr__(name):
    return _fallback_getattr(name)


# The only settings cuDNN supports; a config that asks for another value is refused.
_FIXED = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
          "dropout": 0.0, "recurrent_dropout": 0.0, "unroll": False}


def _check_fixed(layer_name, kwargs, extra=None):
    fixed = dict(_FIXED, **(extra or {}))
    for key, value in list(kwargs.items()):
        if key in fixed:
            if value != fixed[key]:
                raise ValueError(
                    f"{layer_name}: cuDNN supports only {key}={fixed[key]!r}; received "
                    f"{key}={value!r}. Use lamina.layers.{layer_name[5:]} for other settings."
                )
            del kwargs[key]


class CuDNNLSTM(LSTM):
    """Keras 2's cuDNN LSTM: an :class:`~lamina.layers.LSTM` with cuDNN's settings (deprecated).

    Args:
        units: output size.
        kernel_initializer, recurrent_initializer, bias_initializer, unit_forget_bias,
        kernel/recurrent/bias/activity regularizers, kernel/recurrent/bias constraints,
        return_sequences, return_state, go_backwards, stateful: as for LSTM.

    Example:
        >>> import warnings, lamina
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     layer = CuDNNLSTM(4)
        >>> layer.get_config()["recurrent_activation"], tuple(layer(lamina.ops.ones((2, 3, 5))).shape)
        ('sigmoid', (2, 4))
    """

    def __init__(self, units, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 **kwargs):
        deprecated("CuDNNLSTM(units, ...)", "lamina.layers.LSTM(units, ...) (it uses cuDNN by itself)", stacklevel=4)
        _check_fixed("CuDNNLSTM", kwargs)
        super().__init__(
            units, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, return_sequences=return_sequences,
            return_state=return_state, go_backwards=go_backwards, stateful=stateful, **kwargs)


class CuDNNGRU(GRU):
    """Keras 2's cuDNN GRU: a :class:`~lamina.layers.GRU` with ``reset_after=True`` (deprecated).

    Args:
        units: output size.
        kernel_initializer, recurrent_initializer, bias_initializer, kernel/recurrent/bias/activity
        regularizers, kernel/recurrent/bias constraints, return_sequences, return_state,
        go_backwards, stateful: as for GRU.
    """

    def __init__(self, units, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, **kwargs):
        deprecated("CuDNNGRU(units, ...)", "lamina.layers.GRU(units, ...) (it uses cuDNN by itself)", stacklevel=4)
        _check_fixed("CuDNNGRU", kwargs, {"reset_after": True})
        super().__init__(
            units, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            return_sequences=return_sequences, return_state=return_state,
            go_backwards=go_backwards, stateful=stateful, reset_after=True, **kwargs)


def _per_gate(kernel, n_gates, fn):
    return np.concatenate([fn(k) for k in np.split(kernel, n_gates, axis=-1)], axis=-1)


def _cudnn_input_kernel(k):
    # Keras 2 kept cuDNN's (units, input) row-major buffer in an (input, units) variable.
    return k.T.reshape(k.shape, order="F")


def from_cudnn_weights(layer, arrays):
    """Keras 2 CuDNNLSTM / CuDNNGRU weights as the LSTM / GRU weights of ``layer``.

    A Keras 2 file holds cuDNN's layout: per gate, the input kernel is cuDNN's (units, input)
    buffer read as (input, units), the recurrent kernel is transposed, and the bias holds the
    input and the recurrent biases (LSTM: ``8*units`` values, summed into one; GRU: ``6*units``,
    reshaped to ``(2, 3*units)``). Arrays in any other layout are returned unchanged, so it is
    safe to call on every LSTM / GRU being loaded.

    Args:
        layer: the LSTM or GRU (or CuDNNLSTM / CuDNNGRU) receiving the weights.
        arrays: the file's ``[kernel, recurrent_kernel, bias]``.

    Returns:
        ``[kernel, recurrent_kernel, bias]`` for ``layer``.
    """
    if len(arrays) != 3:
        return arrays
    kernel, recurrent, bias = (np.asarray(a) for a in arrays)
    units = recurrent.shape[0]
    if isinstance(layer, LSTM) and bias.shape == (8 * units,):
        return [_per_gate(kernel, 4, _cudnn_input_kernel), _per_gate(recurrent, 4, np.transpose),
                bias[:4 * units] + bias[4 * units:]]
    if isinstance(layer, GRU) and bias.shape == (6 * units,) and getattr(layer, "reset_after", True):
        return [_per_gate(kernel, 3, _cudnn_input_kernel), _per_gate(recurrent, 3, np.transpose),
                bias.reshape(2, 3 * units)]
    return arrays
