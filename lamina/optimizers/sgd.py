"""SGD: gradient descent with optional (Nesterov) momentum."""

from __future__ import annotations

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (Keras 3 formulas).

    Without momentum: ``w -= learning_rate * g``. With momentum:
    ``m = momentum * m - learning_rate * g``, then ``w += m`` or, with ``nesterov=True``,
    ``w += momentum * m - learning_rate * g``. For a constant learning rate this is
    ``torch.optim.SGD(lr, momentum, nesterov=...)`` exactly (with dampening 0).

    Args:
        learning_rate: float >= 0 or a schedule (default 0.01).
        momentum: float in [0, 1] (default 0.0: plain gradient descent).
        nesterov: use Nesterov momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> opt = lamina.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
        >>> opt.get_config()["momentum"]
        0.9
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.momentum = _checks.unit_interval(
            "SGD", "momentum", momentum, what="Use 0.0 for no momentum or e.g. 0.9.")
        self.nesterov = bool(nesterov)

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(self._trainable_variables, "momentum")

    def _update(self, grads, variables, learning_rate, index) -> None:
        self._kernels.sgd_update(variables, grads, _pick(self.momentums, index) if self.momentums else [],
                                 learning_rate, self.momentum, self.nesterov)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
