"""UpSampling1D: repeat each step ``size`` times."""

from __future__ import annotations

from lamina.layers.reshaping.up_sampling import BaseUpSampling


class UpSampling1D(BaseUpSampling):
    """Repeats each temporal step ``size`` times: ``(batch, steps, features)`` ->
    ``(batch, steps * size, features)``.

    Args:
        size: int, the repetition factor (Keras 1: ``length``).

    Example:
        >>> import lamina
        >>> lamina.layers.UpSampling1D(3)(lamina.ops.ones((2, 4, 5))).shape
        torch.Size([2, 12, 5])
    """

    _legacy_kwargs = {"length": ("size", None)}

    def __init__(self, size=2, **kwargs):
        if not isinstance(size, int) or isinstance(size, bool):
            raise ValueError(f"UpSampling1D: size must be an int, received size={size!r}. Example: UpSampling1D(2).")
        super().__init__(1, size, data_format="channels_last", **kwargs)
        self.size = size

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config
