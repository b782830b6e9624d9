"""AdditiveAttention: Bahdanau-style attention over [query, value(, key)]."""

from __future__ import annotations

from lamina import ops
from lamina.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """Additive (Bahdanau) attention: scores are ``sum(scale * tanh(query_i + key_j))`` over the
    feature axis, then ``softmax(scores) . value``.

    Inputs, masks and call arguments are those of ``Attention``. The query and key must have
    the same feature size.

    Args:
        use_scale: learn a per-feature ``scale`` vector (glorot_uniform initialised); without
            it the tanh terms are summed.
        dropout: fraction of attention weights to drop during training.
        seed: an int makes the random draws reproducible (a SeedGenerator per layer); None uses the
            global generator (seeded by ``lamina.utils.set_random_seed``).

    Example:
        >>> import lamina
        >>> q, v = lamina.ops.ones((2, 3, 4)), lamina.ops.ones((2, 5, 4))
        >>> lamina.layers.AdditiveAttention()([q, v]).shape
        torch.Size([2, 3, 4])
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate(input_shape)
        dim = input_shape[0][-1]
        self.concat_score_weight = None
        if not self.use_scale:
            self.scale = None
        else:
            if dim is None:
                raise ValueError(
                    f"AdditiveAttention layer '{self.name}' needs a known query feature size, received "
                    f"input shapes {[tuple(s) for s in input_shape]}."
                )
            self.scale = self.add_weight(shape=(dim,), initializer="glorot_uniform", name="scale")

    def _scores(self, query, key):
        t = ops.tanh(ops.expand_dims(query, -2) + ops.expand_dims(key, -3))
        if self.scale is not None:
            t = t * self.scale
        return ops.sum(t, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
