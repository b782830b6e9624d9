"""GroupedQueryAttention: attention where groups of query heads share key/value heads (Ainslie et al., 2023)."""

from __future__ import annotations

import math

from lamina import backend, constraints, initializers, regularizers
from lamina import random as _random
from lamina.layers.core.einsum_dense import EinsumDense
from lamina.layers.keras_tensor import KerasTensor
from lamina.layers.layer import Layer
from lamina.ops import _internal as ops


class GroupedQueryAttention(Layer):
    """Multi-head attention with ``num_key_value_heads`` key/value heads shared by
    ``num_query_heads`` query heads (``num_query_heads // num_key_value_heads`` per group):
    the attention of Llama 2/3, Mistral and Gemma. With equal counts it is multi-head
    attention; with one key/value head, multi-query attention.

    Weights (Keras 3 names and layouts, sub-layers ``query``, ``key``, [``gate``], ``value``,
    ``attention_output``): query kernel (features, num_query_heads, head_dim), key/value
    kernels (features, num_key_value_heads, head_dim), output kernel (num_query_heads,
    head_dim, features), each with a bias over its head axes when ``use_bias``.

    Args:
        head_dim: size of each head. num_query_heads, num_key_value_heads: head counts (the
            first a multiple of the second).
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: biases in the projections. use_gate: a sigmoid gate on the heads' output
            (a ``gate`` projection of the query).
        sliding_window: None, or attend only to keys within ``sliding_window - 1`` positions.
        flash_attention: accepted for Keras compatibility (the backend picks the kernel).
        kernel_initializer, bias_initializer, kernel/bias/activity regularizers,
        kernel/bias constraints, seed: as MultiHeadAttention.

    Call arguments: query (batch, Tq, features), value (batch, Tv, features), key (default:
    value), query_mask, value_mask, key_mask, attention_mask (batch, Tq, Tv),
    return_attention_scores, training, use_causal_mask.

    Example:
        >>> import lamina
        >>> gqa = lamina.layers.GroupedQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)
        >>> x = lamina.ops.ones((2, 5, 8))
        >>> out, scores = gqa(x, x, return_attention_scores=True)
        >>> tuple(out.shape), tuple(scores.shape)
        ((2, 5, 8), (2, 4, 5, 5))
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        for arg, v in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                       ("num_key_value_heads", num_key_value_heads)):
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"{name}: {arg} must be a positive integer, received {arg}={v!r}.")
        if num_query_heads % num_key_value_heads:
            raise ValueError(
                f"{name}: num_query_heads must be a multiple of num_key_value_heads, received "
                f"num_query_heads={num_query_heads} and num_key_value_heads={num_key_value_heads}."
            )
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(f"{name}: sliding_window must be None or a positive integer, received "
                             f"sliding_window={sliding_window!r}.")
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        self.sliding_window = sliding_window
        self._flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._inner_activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self.seed_generator = _random.seed_generator_for(seed) if dropout > 0 else None
        self._scale = 1.0 / math.sqrt(float(head_dim))

    def _dense(self, equation, output_shape, bias_axes, name, activation=None):
        kwargs = dict(
            kernel_initializer=initializers.get(initializers.serialize(self.kernel_initializer)),
            bias_initializer=initializers.get(initializers.serialize(self.bias_initializer)),
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            activity_regularizer=self._inner_activity_regularizer,
            kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint)
        return EinsumDense(equation, output_shape=output_shape,
                           bias_axes=bias_axes if self.use_bias else None, activation=activation,
                           name=name, dtype=self.dtype, **kwargs)

    def build(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self.feature_dim = query_shape[-1]
        hq, hkv, d = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self._query_dense = self._dense("bqm,muh->bquh", (None, hq, d), "uh", "query")
        self._query_dense._build_with((query_shape,))
        self._key_dense = self._dense("bkm,mvh->bkvh", (None, hkv, d), "vh", "key")
        self._key_dense._build_with((key_shape,))
        self._gate_dense = None
        if self.use_gate:
            self._gate_dense = self._dense("bqm,muh->bquh", (None, hq, d), "uh", "gate", "sigmoid")
            self._gate_dense._build_with((query_shape,))
        self._value_dense = self._dense("bkm,mvh->bkvh", (None, hkv, d), "vh", "value")
        self._value_dense._build_with((value_shape,))
        self._output_dense = self._dense("bquh,uhm->bqm", (None, self.feature_dim), "m", "attention_output")
        self._output_dense._build_with(((None, None, hq, d),))

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
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask,
                                    use_causal_mask)
        gate = self._gate_dense(query) if self._gate_dense is not None else None
        q = self._query_dense(query)
        k = ops.repeat(self._key_dense(key), self.num_repeats, axis=2)
        v = ops.repeat(self._value_dense(value), self.num_repeats, axis=2)
        rate = self.dropout if training else 0.0
        mask4 = None if mask is None else ops.expand_dims(mask, 1)
        if not return_attention_scores and self.dropout == 0:
            # Keras's fused path: a fully masked query row attends uniformly (not zeros).
            heads_first = (0, 2, 1, 3)
            out = ops.dot_product_attention(*(ops.transpose(t, heads_first) for t in (q, k, v)),
                                            mask=mask4, scale=self._scale)
            out = ops.transpose(out, heads_first)
            probs = None
        else:
            scores = ops.einsum("bquh,bkuh->buqk", q * self._scale, k)
            probs = ops.softmax(scores, -1) if mask4 is None else ops.masked_softmax(scores, mask4, -1)
            weights = _random.dropout(probs, rate, seed=self.seed_generator) if rate > 0 else probs
            out = ops.einsum("buqk,bkuh->bquh", weights, v)
        if gate is not None:
            out = out * gate
        out = self._output_dense(out)
        if query_mask is not None:
            backend.set_mask(out, query_mask)
        return (out, probs) if return_attention_scores else out

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        """The boolean (batch or 1, Tq, Tv) mask from every source, or None."""
        parts = []
        if query_mask is not None:
            parts.append(ops.expand_dims(ops.cast(query_mask, "bool"), -1))
        for m in (value_mask, key_mask):
            if m is not None:
                parts.append(ops.expand_dims(ops.cast(m, "bool"), -2))
        if use_causal_mask:
            parts.append(ops.causal_mask(query.shape[1], value.shape[1], like=query))
        if self.sliding_window is not None:
            parts.append(ops.sliding_window_mask(query.shape[1], value.shape[1], self.sliding_window,
                                                 like=query))
        if attention_mask is not None:
            parts.append(ops.cast(attention_mask, "bool"))
        if not parts:
            return None
        mask = parts[0]
        for p in parts[1:]:
            mask = ops.logical_and(mask, p)
        return mask

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        if tuple(query_shape)[-1] != tuple(value_shape)[-1]:
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}': query and value must have the same last "
                f"dimension, received query shape {tuple(query_shape)} and value shape {tuple(value_shape)}."
            )
        return tuple(query_shape)

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None,
                            key_mask=None, attention_mask=None, return_attention_scores=False,
                            training=None, use_causal_mask=False):
        out = KerasTensor(self.compute_output_shape(query.shape, value.shape), self.compute_dtype)
        if not return_attention_scores:
            return out
        kv = (value if key is None else key).shape[1]
        return out, KerasTensor((query.shape[0], self.num_query_heads, query.shape[1], kv), self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias,
            "use_gate": self.use_gate,
            "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._inner_activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed,
        })
        return config


GroupQueryAttention = GroupedQueryAttention
