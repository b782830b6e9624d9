"""AdamW: Adam with decoupled weight decay."""

from __future__ import annotations

from lamina.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), Keras 3 formulas.

    Before each Adam update, ``w -= w * weight_decay * learning_rate``. Keras's default
    ``weight_decay`` is 0.004 (``torch.optim.AdamW`` uses 0.01), and the Adam part is Keras's
    (see :class:`Adam`).

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        weight_decay: the decoupled decay rate, a float >= 0 (default 0.004).
        beta_1, beta_2, epsilon, amsgrad: see :class:`Adam`.
        clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
        loss_scale_factor, gradient_accumulation_steps, name: see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.AdamW().weight_decay
        0.004
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        if weight_decay is None:
            raise ValueError(
                "AdamW: `weight_decay` must be a float >= 0; received weight_decay=None. "
                "Use e.g. weight_decay=0.004 (the default), or Adam for no weight decay."
            )
        super().__init__(
            learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
            amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
            global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency, loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
