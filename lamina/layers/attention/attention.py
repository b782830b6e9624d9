"""Attention: Luong-style dot-product attention over [query, value(, key)]."""

from __future__ import annotations

from lamina import backend
from lamina import random as _random
from lamina.ops import _internal as ops
from lamina.errors import deprecated
from lamina.layers.keras_tensor import KerasTensor
from lamina.layers.layer import Layer

_LARGE = 1e9


class Attention(Layer):
    """Dot-product (Luong) attention: ``softmax(query . key^T) . value``.

    Called on a list ``[query, value]`` or ``[query, value, key]`` (key defaults to value):
    query (batch, Tq, dim), value (batch, Tv, dim_v), key (batch, Tv, dim). Scores are
    ``query @ key^T`` (times a learned scalar ``scale`` if ``use_scale``); with
    ``score_mode='concat'`` they are ``concat_score_weight * sum(tanh(scale * (q + k)))``.

    Args:
        use_scale: learn a scalar ``scale`` for the scores.
        score_mode: 'dot' or 'concat'.
        dropout: fraction of attention weights to drop during training.
        seed: an int makes the random draws reproducible (a SeedGenerator per layer); None uses the
            global generator (seeded by ``lamina.utils.set_random_seed``).

    Call arguments:
        inputs: [query, value] or [query, value, key].
        mask: optional [query_mask, value_mask] (batch, Tq) / (batch, Tv) booleans; by default
            the inputs' own masks (e.g. from Embedding(mask_zero=True)). Value positions that
            are masked get no attention; output rows of masked queries are zero.
        training: apply dropout when True.
        return_attention_scores: also return the attention weights (batch, Tq, Tv).
        use_causal_mask: query position i may only attend to value positions j <= i.

    Output shape: (batch, Tq, dim_v).

    Example:
        >>> import lamina
        >>> q, v = lamina.ops.ones((2, 3, 4)), lamina.ops.ones((2, 5, 4))
        >>> lamina.layers.Attention()([q, v]).shape
        torch.Size([2, 3, 4])
    """

    _requires_multiple_inputs = True

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        causal = kwargs.pop("causal", None)
        super().__init__(**kwargs)
        if causal is not None:
            deprecated(f"{type(self).__name__}(causal={causal})",
                       f"{type(self).__name__}()([q, v], use_causal_mask={causal})")
        self._legacy_causal = bool(causal)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                f"{type(self).__name__}: score_mode must be 'dot' or 'concat', received "
                f"score_mode={score_mode!r}."
            )
        if not 0 <= dropout < 1:
            raise ValueError(
                f"{type(self).__name__}: dropout must be in [0, 1), received dropout={dropout!r}."
            )
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self.seed_generator = _random.seed_generator_for(seed)

    # ------------------------------------------------------------------ inputs
    def _validate(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            shape = getattr(inputs, "shape", None)
            what = "" if shape is None else f" of shape {tuple(shape)}"
            raise ValueError(
                f"{name} layer '{self.name}' must be called on a list [query, value] or "
                f"[query, value, key], received a single input{what}. "
                f"Example: {name}()([query, value])."
            )
        if not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{name} layer '{self.name}' takes [query, value] or [query, value, key], received a "
                f"list of {len(inputs)} inputs."
            )
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(
                f"{name} layer '{self.name}': mask must be a list [query_mask, value_mask], received "
                f"{mask!r}."
            )

    def build(self, input_shape):
        self._validate(input_shape)
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale") if self.use_scale else None
        self.concat_score_weight = (self.add_weight(shape=(), initializer="ones", name="concat_score_weight")
                                    if self.score_mode == "concat" else None)

    # ------------------------------------------------------------------ computation
    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.transpose(key, _swap_last(key.ndim)))
            return scores * self.scale if self.scale is not None else scores
        s = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)
        if self.scale is not None:
            s = self.scale * s
        return self.concat_score_weight * ops.sum(ops.tanh(s), axis=-1)

    def call(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False):
        self._validate(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        if mask is None:
            q_mask, v_mask = backend.get_mask(q), backend.get_mask(v)
        else:
            q_mask, v_mask = mask[0], mask[1]
        scores = self._scores(q, k)
        keep = None
        if v_mask is not None:
            keep = ops.cast(v_mask, "bool")
            keep = ops.expand_dims(keep, -2) if keep.ndim == 2 else keep
        if use_causal_mask or self._legacy_causal:
            causal = ops.causal_mask(scores.shape[-2], scores.shape[-1], like=scores)
            keep = causal if keep is None else ops.logical_and(keep, causal)
        if keep is not None:
            scores = ops.where(keep, scores, scores - _LARGE)
        weights = ops.softmax(scores, -1)
        if training and self.dropout > 0:
            weights = _random.dropout(weights, self.dropout, seed=self.seed_generator)
        out = ops.matmul(weights, v)
        if q_mask is not None:
            out = ops.where(ops.expand_dims(ops.cast(q_mask, "bool"), -1), out, 0.0)
            backend.set_mask(out, q_mask)
        if return_attention_scores:
            return out, weights
        return out

    def compute_mask(self, inputs, mask=None):
        if mask is not None:
            return mask[0] if isinstance(mask, (list, tuple)) else None
        if isinstance(inputs, (list, tuple)) and inputs:
            return backend.get_mask(inputs[0])
        return None

    def compute_output_shape(self, input_shape):
        self._validate(input_shape)
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def compute_output_spec(self, inputs, mask=None, training=None, return_attention_scores=False,
                            use_causal_mask=False):
        self._validate(inputs)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        out = KerasTensor(self.compute_output_shape([q.shape, v.shape]), self.compute_dtype)
        if return_attention_scores:
            return out, KerasTensor(tuple(q.shape[:-1]) + (k.shape[-2],), self.compute_dtype)
        return out

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode,
                       "dropout": self.dropout, "seed": self.seed})
        return config


def _swap_last(nd):
    axes = list(range(nd))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return tuple(axes)
