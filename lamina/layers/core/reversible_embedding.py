"""ReversibleEmbedding: an Embedding that also maps vectors back to logits over the vocabulary."""

from __future__ import annotations

from lamina.layers.core.embedding import Embedding
from lamina.layers.keras_tensor import KerasTensor
from lamina.ops import _internal as ops


class ReversibleEmbedding(Embedding):
    """Token embedding whose ``call(x, reverse=True)`` projects hidden states to vocabulary logits.

    ``layer(ids)`` looks ids up as :class:`Embedding`. ``layer(hidden, reverse=True)`` returns
    ``hidden @ embeddings.T`` (tied weights, the language-model head of GPT-2, Gemma...) or
    ``hidden @ reverse_embeddings`` with ``tie_weights=False`` (a separate (output_dim,
    input_dim) weight), optionally soft-capped as ``tanh(logits / cap) * cap``.

    Args:
        input_dim, output_dim, embeddings_initializer ('uniform'), embeddings_regularizer,
        embeddings_constraint, mask_zero: as Embedding.
        tie_weights: reuse the embeddings for the reverse projection (default True).
        reverse_dtype: dtype of the reverse matmul (None: the compute dtype).
        logit_soft_cap: None, or a float cap for the reverse logits.

    Call arguments: inputs; reverse (bool).

    Example:
        >>> import lamina
        >>> emb = lamina.layers.ReversibleEmbedding(10, 4)
        >>> h = emb(lamina.ops.convert_to_tensor([[1, 2, 3]]))
        >>> tuple(h.shape), tuple(emb(h, reverse=True).shape)
        ((1, 3, 4), (1, 3, 10))
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 reverse_dtype=None, logit_soft_cap=None, **kwargs):
        if kwargs.pop("quantization_config", None) is not None:
            raise NotImplementedError("ReversibleEmbedding: quantization_config is not supported by "
                                      "lamina yet; leave it unset.")
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero, **kwargs)
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim), initializer=self.embeddings_initializer,
                name="reverse_embeddings")

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        kernel = ops.transpose(self.embeddings, (1, 0)) if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs, kernel = ops.cast(inputs, self.reverse_dtype), ops.cast(kernel, self.reverse_dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = ops.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, mask=None):
        if ops.is_tensor(inputs) and ops.is_float_dtype(ops.dtype(inputs)):
            return None  # the reverse projection of hidden states has no padding mask
        return super().compute_mask(inputs, mask)

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return super().compute_output_shape(input_shape)

    def compute_output_spec(self, inputs, reverse=False):
        shape = self.compute_output_shape(tuple(inputs.shape), reverse=reverse)
        dtype = (self.reverse_dtype or self.compute_dtype) if reverse else self.compute_dtype
        return KerasTensor(shape, dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"tie_weights": self.tie_weights, "reverse_dtype": self.reverse_dtype,
                       "logit_soft_cap": self.logit_soft_cap, "quantization_config": None})
        return config
