"""LocallyConnected1D: a 1D convolution with unshared weights (Keras 2)."""

from __future__ import annotations

from lamina.layers.locally_connected.base_locally_connected import BaseLocallyConnected


class LocallyConnected1D(BaseLocallyConnected):
    """Like Conv1D, but each output position has its own filters (Keras 2; Keras 3 dropped it).

    Weight layouts per ``implementation`` are Keras 2's (see BaseLocallyConnected), so
    Keras 2 HDF5 files load.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 1 ints. strides: int or tuple of 1 ints.
        padding: 'valid' (default) or 'same' (implementation 2 or 3 only).
        data_format: 'channels_last' (default) or 'channels_first'.
        activation, use_bias, kernel_initializer, bias_initializer, kernel/bias/activity
        regularizers, kernel/bias constraints: as Conv1D.
        implementation: 1 (default), 2 or 3: the weight layout.

    Input shape: (batch, steps, channels) (channels_last). Output shape: spatial axes shrunk as a 'valid'
    convolution, channels = filters.

    Example:
        >>> import lamina
        >>> layer = lamina.layers.LocallyConnected1D(4, 3)
        >>> tuple(layer(lamina.ops.ones((2, 10, 3))).shape)
        (2, 8, 4)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 implementation=1, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         implementation=implementation, **kwargs)
