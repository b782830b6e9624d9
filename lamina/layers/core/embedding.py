"""Embedding: turn integer ids into dense vectors of a fixed size."""

from __future__ import annotations

from lamina import constraints, initializers, regularizers
from lamina.ops import _internal as ops
from lamina.errors import deprecated
from lamina.layers._variants import refuse_variants
from lamina.layers.layer import Layer


def _ser(module, obj):
    return None if obj is None else module.serialize(obj)


class Embedding(Layer):
    """Maps each integer id in [0, input_dim) to a trainable vector of size ``output_dim``.

    The table is the weight ``embeddings`` of shape (input_dim, output_dim), as in Keras (and
    torch's ``nn.Embedding.weight``). Ids given as floats are cast to integers; an id outside
    [0, input_dim) raises a ValueError naming input_dim.

    Args:
        input_dim: vocabulary size (largest id + 1).
        output_dim: size of each vector.
        embeddings_initializer: 'uniform' (uniform in [-0.05, 0.05]) by default (Keras 1: ``init``).
        embeddings_regularizer, activity_regularizer, embeddings_constraint: as in Keras
            (Keras 1: ``W_regularizer``, ``W_constraint``).
        mask_zero: treat id 0 as padding: the output carries a mask (False where the id is 0)
            that recurrent layers use to skip those steps. id 0 then must not be a real token,
            so input_dim should be vocabulary size + 1.
        input_length: (deprecated in Keras 3) the sequence length; lamina uses it as the input
            shape of a first layer, as Keras 2 did.
        weights: initial [embeddings] (Keras 2's spelling), set when the layer is built.
        lora_rank, lora_alpha, quantization_config: Keras 3 variants, accepted only at None
            (their default); any other value raises NotImplementedError.

    Input shape: (batch, ...) integers. Output shape: (batch, ..., output_dim).

    Example:
        >>> import lamina
        >>> emb = lamina.layers.Embedding(10, 3, mask_zero=True)
        >>> y = emb(lamina.ops.convert_to_tensor([[1, 2, 0]]))
        >>> tuple(y.shape), y._keras_mask.tolist()
        ((1, 3, 3), [[True, True, False]])
    """

    _casts_integer_inputs = False  # integer inputs are indices/values to keep

    _legacy_kwargs = {
        "init": ("embeddings_initializer", None),
        "W_regularizer": ("embeddings_regularizer", None),
        "W_constraint": ("embeddings_constraint", None),
    }

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 activity_regularizer=None, weights=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        refuse_variants("Embedding", lora_rank, lora_alpha, quantization_config)
        if weights is not None:
            kwargs["weights"] = weights
        if "dropout" in kwargs:  # Keras 1: whole-row dropout, removed in Keras 2
            rate = kwargs.pop("dropout")
            if rate:
                raise ValueError(
                    f"Embedding(dropout={rate!r}) is a Keras 1 option that Keras 2 removed. Put "
                    "a Dropout or SpatialDropout1D layer after the Embedding instead."
                )
            deprecated("Embedding(dropout=0.0)", "Embedding(...) without dropout", stacklevel=4)
        if "input_length" in kwargs:
            deprecated("Embedding(input_length=...)",
                       "Embedding(input_dim, output_dim) after lamina.Input(shape=(input_length,))",
                       stacklevel=4)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(
                    f"Embedding: {name} must be a positive integer, received {name}={value!r}. "
                    "Example: Embedding(input_dim=10000, output_dim=64) for a vocabulary of 10000 ids."
                )
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint, name="embeddings")

    def call(self, inputs):
        try:
            return ops.embedding_lookup(self.embeddings, inputs)
        except IndexError as e:
            raise ValueError(f"Embedding layer '{self.name}' (input_dim={self.input_dim}): {e}") from None

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        if not ops.is_tensor(inputs):
            inputs = ops.convert_to_tensor(inputs)
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": _ser(regularizers, self.embeddings_regularizer),
            "activity_regularizer": _ser(regularizers, self.activity_regularizer),
            "embeddings_constraint": _ser(constraints, self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        })
        return config
