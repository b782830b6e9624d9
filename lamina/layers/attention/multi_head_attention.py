"""MultiHeadAttention: scaled dot-product attention with several heads (Vaswani et al., 2017)."""

from __future__ import annotations

import math

from lamina import backend
from lamina import constraints, initializers, regularizers
from lamina import random as _random
from lamina.ops import _internal as ops
from lamina.layers.attention.projection import HeadProjection
from lamina.layers.keras_tensor import KerasTensor
from lamina.layers.layer import Layer

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_HEADS_FIRST = (0, 2, 1, 3)  # (batch, length, heads, depth) <-> (batch, heads, length, depth)


def _build(layer, shape):
    layer.build(shape)
    layer.built = True


class MultiHeadAttention(Layer):
    """Multi-head attention: project query, key and value into ``num_heads`` heads, attend
    with ``softmax(q k^T / sqrt(key_dim)) v`` in each head, and project the concatenated heads
    back to the query's feature size (or ``output_shape``).

    Weights, in Keras's order and layout (sub-layers ``query``, ``key``, ``value``,
    ``attention_output``): query/key kernels (features, num_heads, key_dim) with biases
    (num_heads, key_dim); value kernel (features, num_heads, value_dim) with bias
    (num_heads, value_dim); output kernel (num_heads, value_dim, features) with bias
    (features,). With ``use_gate`` a ``gate`` projection (sigmoid) sits between key and value.

    For 3-D inputs the attention runs in torch's fused ``scaled_dot_product_attention`` unless
    the scores are requested. As in Keras, a query that may attend to nothing (fully masked
    row) averages all values on that fused path, but gets zero attention when the scores are
    returned or the layer has dropout.

    Args:
        num_heads: number of heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default: key_dim).
        dropout: dropout rate on the attention weights (training only).
        use_bias: whether the projections have biases.
        output_shape: the output's trailing shape (default: the query's feature size).
        attention_axes: axes of the query (0 = batch) over which attention is applied; default
            all axes but batch, heads and features (the time axis of 3-D inputs).
        sliding_window: if set, position i attends only to positions j with |i - j| < window.
        flash_attention: accepted for Keras compatibility (torch picks its fused kernel).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: for the projections.
        use_gate: multiply the attention output by a sigmoid gate computed from the query.
        seed: an int makes the random draws reproducible (a SeedGenerator per layer); None uses the
            global generator (seeded by ``lamina.utils.set_random_seed``).

    Call arguments:
        query: (batch, Tq, dim). value: (batch, Tv, dim_v). key: (batch, Tv, dim_k), default
            value.
        attention_mask: boolean (batch, Tq, Tv); True = may attend. Combined with the masks the
            inputs carry (query, value, key masks) and the causal mask.
        return_attention_scores: also return the attention weights (batch, heads, Tq, Tv).
        training: apply dropout when True.
        use_causal_mask: query position i attends only to positions j <= i.

    Output shape: (batch, Tq, dim) (or (batch, Tq, *output_shape)).

    Example:
        >>> import lamina
        >>> mha = lamina.layers.MultiHeadAttention(num_heads=2, key_dim=4)
        >>> x = lamina.ops.ones((3, 5, 8))
        >>> mha(x, x).shape
        torch.Size([3, 5, 8])
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, use_gate=False, seed=None, **kwargs):
        for arg, value, optional in (("num_heads", num_heads, False), ("key_dim", key_dim, False),
                                     ("value_dim", value_dim, True)):
            if value is None and optional:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"MultiHeadAttention: {arg} must be a positive integer, received {arg}={value!r}. "
                    "Example: MultiHeadAttention(num_heads=8, key_dim=64)."
                )
        if sliding_window is not None and (isinstance(sliding_window, bool)
                                           or not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(
                f"MultiHeadAttention: sliding_window must be None or a positive integer, received "
                f"sliding_window={sliding_window!r}."
            )
        if not 0 <= dropout < 1:
            raise ValueError(f"MultiHeadAttention: dropout must be in [0, 1), received dropout={dropout!r}.")
        super().__init__(**kwargs)
        self.supports_masking = True
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout = dropout
        self.use_bias = use_bias
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None:
            if not isinstance(attention_axes, (list, tuple)):
                raise ValueError(
                    f"MultiHeadAttention: attention_axes must be an int, a list or a tuple, received "
                    f"attention_axes={attention_axes!r}."
                )
            attention_axes = tuple(attention_axes)
        self.attention_axes = attention_axes
        self.sliding_window = sliding_window
        self.flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.use_gate = use_gate
        self.seed = seed
        self.seed_generator = _random.seed_generator_for(seed)
        self._scale = 1.0 / math.sqrt(float(key_dim))

    # ------------------------------------------------------------------ sub-layers
    @property
    def query_dense(self):
        return self._query_dense

    @property
    def key_dense(self):
        return self._key_dense

    @property
    def value_dense(self):
        return self._value_dense

    @property
    def output_dense(self):
        return self._output_dense

    def _projection(self, in_axes, out_dims, name, activation=None):
        return HeadProjection(
            in_axes, out_dims, use_bias=self.use_bias, activation=activation, name=name, dtype=self.dtype,
            kernel_initializer=self.kernel_initializer, bias_initializer=self.bias_initializer,
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            activity_regularizer=self._activity_regularizer, kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint)

    def build(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"MultiHeadAttention layer '{self.name}': value and key must agree on every axis but "
                f"the last, received value shape {value_shape} and key shape {key_shape}."
            )
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) < 3 or shape[-1] is None:
                raise ValueError(
                    f"MultiHeadAttention layer '{self.name}': the {what} must have shape (batch, ..., "
                    f"features) with a known feature size, received {shape}."
                )
        h = self.num_heads
        self._query_dense = self._projection(1, (h, self.key_dim), "query")
        _build(self._query_dense, query_shape)
        self._key_dense = self._projection(1, (h, self.key_dim), "key")
        _build(self._key_dense, key_shape)
        self._gate_dense = None
        if self.use_gate:
            self._gate_dense = self._projection(1, (h, self.value_dim), "gate", activation="sigmoid")
            _build(self._gate_dense, query_shape)
        self._value_dense = self._projection(1, (h, self.value_dim), "value")
        _build(self._value_dense, value_shape)
        out_dims = self._output_shape or (query_shape[-1],)
        self._output_dense = self._projection(2, out_dims, "attention_output")
        _build(self._output_dense, query_shape[:-1] + (h, self.value_dim))
        self._build_attention(len(query_shape) + 1)

    def _build_attention(self, rank):
        """Einsum equations for projected tensors of ``rank`` (batch, ..., heads, depth)."""
        if self.attention_axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else (rank - 1) + a for a in self.attention_axes)
        bad = [a for a in axes if not 0 < a < rank - 2]
        if bad:
            raise ValueError(
                f"MultiHeadAttention layer '{self.name}': attention_axes={self.attention_axes} resolve to "
                f"{axes}, but for {rank - 1}-D inputs they must lie in [1, {rank - 3}] (not the batch or "
                "feature axis)."
            )
        self._attn_axes = axes
        batch = [i for i in range(rank - 1) if i not in axes]
        target = _LETTERS[:rank]
        source = list(target)
        for n, a in enumerate(axes):
            source[a] = _LETTERS[rank + n]
        source = "".join(source)
        scores = "".join([target[i] for i in batch] + [target[i] for i in axes] + [source[i] for i in axes])
        self._dot_eq = f"{source},{target}->{scores}"
        self._combine_eq = f"{scores},{source}->{target}"
        n = len(scores)
        self._norm_axes = tuple(range(n - len(axes), n))
        self._fast = rank == 4 and axes == (1,)

    # ------------------------------------------------------------------ call
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False):
        if query_mask is None:
            query_mask = backend.get_mask(query)
        if value_mask is None:
            value_mask = backend.get_mask(value)
        if key is None:
            key = value
        elif key_mask is None:
            key_mask = backend.get_mask(key)
        causal_only = (use_causal_mask and query_mask is None and value_mask is None and key_mask is None
                       and attention_mask is None and self.sliding_window is None)
        mask = None if causal_only else self._attention_mask(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self._gate_dense is not None else None
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        rate = self.dropout if training else 0.0
        scores = None
        # Seeded dropout draws its own mask, so it takes the general path.
        if self._fast and not return_attention_scores and not (rate > 0 and self.seed_generator is not None):
            if mask is not None:
                mask = ops.expand_dims(mask, 1) if mask.ndim == 3 else mask
            q, k, v = (ops.transpose(t, _HEADS_FIRST) for t in (q, k, v))
            out = ops.dot_product_attention(q, k, v, mask=mask, is_causal=causal_only, scale=self._scale,
                                            dropout_rate=rate, zero_empty_rows=self.dropout > 0)
            out = ops.transpose(out, _HEADS_FIRST)
        else:
            if causal_only:
                mask = ops.causal_mask(query.shape[1], value.shape[1], like=query)
            out, scores = self._attend(q, k, v, mask, rate)
        if gate is not None:
            out = out * gate
        out = self._output_dense(out)
        if query_mask is not None:
            backend.set_mask(out, query_mask)
        if return_attention_scores:
            return out, scores
        return out

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        """The boolean (batch, Tq, Tv) mask from all sources (None if there is none)."""
        auto = None

        def both(a, b):
            return b if a is None else ops.logical_and(a, b)

        if query_mask is not None:
            auto = ops.expand_dims(ops.cast(query_mask, "bool"), -1)
        if value_mask is not None:
            auto = both(auto, ops.expand_dims(ops.cast(value_mask, "bool"), -2))
        if key_mask is not None:
            auto = both(auto, ops.expand_dims(ops.cast(key_mask, "bool"), -2))
        if use_causal_mask:
            auto = both(auto, ops.causal_mask(query.shape[1], value.shape[1], like=query))
        if self.sliding_window is not None:
            auto = both(auto, ops.sliding_window_mask(query.shape[1], value.shape[1], self.sliding_window,
                                                      like=query))
        if attention_mask is not None:
            attention_mask = ops.cast(attention_mask, "bool")
            return attention_mask if auto is None else ops.logical_and(attention_mask, auto)
        return auto

    def _attend(self, q, k, v, mask, rate):
        """General attention over ``attention_axes`` with explicit scores (Keras's einsums)."""
        scores = ops.einsum(self._dot_eq, k, q * self._scale)
        axes = self._norm_axes if len(self._norm_axes) > 1 else self._norm_axes[0]
        if mask is not None:
            at = -2 * len(self._attn_axes) - 1
            while mask.ndim < scores.ndim:
                mask = ops.expand_dims(mask, at)
            probs = ops.masked_softmax(scores, mask, axes)
        else:
            probs = ops.softmax(scores, axes)
        weights = _random.dropout(probs, rate, seed=self.seed_generator) if rate > 0 else probs
        return ops.einsum(self._combine_eq, weights, v), probs

    # ------------------------------------------------------------------ shapes & config
    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None and key_shape is not None and \
                tuple(value_shape)[1:-1] != tuple(key_shape)[1:-1]:
            raise ValueError(
                f"MultiHeadAttention layer '{self.name}': value and key must agree on every axis but "
                f"the last, received value shape {tuple(value_shape)} and key shape {tuple(key_shape)}."
            )
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
                            attention_mask=None, return_attention_scores=False, training=None,
                            use_causal_mask=False):
        key = value if key is None else key
        out = KerasTensor(self.compute_output_shape(query.shape, value.shape, key.shape), self.compute_dtype)
        if not return_attention_scores:
            return out
        axes = getattr(self, "_attn_axes", tuple(range(1, len(query.shape) - 1)))
        qp = tuple(query.shape[:-1]) + (self.num_heads,)
        kp = tuple(key.shape[:-1]) + (self.num_heads,)
        batch = [qp[i] for i in range(len(qp)) if i not in axes]
        shape = tuple(batch + [qp[a] for a in axes] + [kp[a] for a in axes])
        return out, KerasTensor(shape, self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "output_shape": list(self._output_shape) if self._output_shape else None,
            "attention_axes": list(self.attention_axes) if self.attention_axes is not None else None,
            "sliding_window": self.sliding_window,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        })
        return config
