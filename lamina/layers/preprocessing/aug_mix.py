"""AugMix: mix the image with several chains of random augmentations during training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing import _color, _policy
from lamina.layers.preprocessing._augment import BaseAugmentation


class AugMix(BaseAugmentation):
    """Hendrycks et al. 2020, as Keras 3 builds it: ``num_chains`` chains each apply up to
    ``chain_depth`` operations picked at random (each step may also be skipped) from Keras's
    list (shear, translation, rotation, posterization, solarization, auto-contrast,
    equalization, and with ``all_ops`` brightness, colour degeneration, contrast, sharpness);
    the chains are averaged with Dirichlet(alpha) weights and the result is blended with the
    original by ``w ~ Beta(alpha, alpha)``, then clipped to ``value_range``. The picks come
    from the layer's SeedGenerator (Keras uses Python's unseeded ``random``).
    Identity at inference.

    Args:
        value_range: the (min, max) of pixel values (default (0, 255)).
        num_chains: the number of chains (default 3).
        chain_depth: the largest number of operations in a chain (default 3).
        factor: a number ``f`` (meaning (0, f)) or a pair in [0, 1]: magnitudes (default 0.3).
        alpha: the Dirichlet and Beta parameter (default 1.0).
        all_ops: also use the colour operations (default True).
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: an int for reproducible results.
        data_format: 'channels_last' or 'channels_first'.

    Example:
        >>> tuple(AugMix(seed=1)(np.random.rand(2, 8, 8, 3) * 255, training=True).shape)
        (2, 8, 8, 3)
    """

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0, all_ops=True,
                 interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        for name, v in (("num_chains", num_chains), ("chain_depth", chain_depth)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"AugMix: {name} must be an int >= 1; received {name}={v!r}.")
        self.value_range, self.num_chains, self.chain_depth = value_range, num_chains, chain_depth
        self.factor = _color.factor_pair("AugMix", "factor", factor)
        self.alpha, self.all_ops, self.interpolation = alpha, bool(all_ops), interpolation
        names = _policy.GEOMETRIC_AND_TONAL + (_policy.COLOUR if self.all_ops else [])
        self._ops = _policy.make_ops(names, self.factor, value_range, interpolation, seed, self.data_format)
        for name, layer in zip(names, self._ops):
            setattr(self, name, layer)

    def augment(self, x):
        g = random.gamma((self.num_chains,), self.alpha, seed=self.generator)
        weights = ops.cast(g / ops.sum(g), self.compute_dtype)
        w = ops.cast(random.beta((), self.alpha, self.alpha, seed=self.generator), self.compute_dtype)
        picks = ops.convert_to_numpy(random.randint((self.num_chains, self.chain_depth), 0, len(self._ops) + 1,
                                                    seed=self.generator))
        mixed = ops.zeros_like(x)
        for c, chain in enumerate(picks.tolist()):
            y = x
            for i in chain:
                if i < len(self._ops):  # the last index means "skip this step", as Keras's None
                    y = _policy.apply(self._ops[i], y, self.compute_dtype)
            mixed = mixed + y * weights[c]
        return ops.clip(w * x + (1.0 - w) * mixed, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_chains": self.num_chains,
                       "chain_depth": self.chain_depth, "factor": self.factor, "alpha": self.alpha,
                       "all_ops": self.all_ops, "interpolation": self.interpolation})
        return config
