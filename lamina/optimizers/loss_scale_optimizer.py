"""LossScaleOptimizer: dynamic loss scaling for float16 training."""

from __future__ import annotations

from lamina import ops
from lamina.optimizers.optimizer import Optimizer
from lamina.optimizers.optimizer_variable import OptimizerVariable


class LossScaleOptimizer(Optimizer):
    """Wraps an optimizer with dynamic loss scaling (Keras 3 semantics), for 'mixed_float16'.

    float16 gradients underflow to zero for small values. The loss is multiplied by a large
    scale before the backward pass (:meth:`scale_loss`, which ``fit`` calls) and the gradients
    are divided by it before the inner update. If any gradient is inf or NaN, the step is
    skipped and the scale halves; after ``dynamic_growth_steps`` finite steps in a row it
    doubles. Under torch, :meth:`apply` reads one flag back from the device per step (as
    ``torch.amp.GradScaler`` does); inside the compiled JAX train step the scale and the counter
    are state of the step and :meth:`stateless_apply` decides with ``lax.cond``, nothing read
    back. The state is Keras 3's (``step_counter``, ``dynamic_scale`` in :attr:`variables`), so
    it is saved and loaded with the optimizer. ``compile`` wraps the optimizer automatically when
    the model's dtype policy is 'mixed_float16' (``auto_scale_loss=True``, as in Keras).

    Args:
        inner_optimizer: the optimizer doing the updates.
        initial_scale: the starting loss scale (default 2**15).
        dynamic_growth_steps: finite steps before the scale doubles (default 2000).
        name: name of the optimizer.

    Example:
        >>> import lamina
        >>> opt = lamina.optimizers.LossScaleOptimizer(lamina.optimizers.SGD(0.1), initial_scale=8.0)
        >>> opt.scale_loss(2.0)
        16.0
    """

    def __init__(self, inner_optimizer, initial_scale=2.0**15, dynamic_growth_steps=2000, name=None,
                 **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer(dynamic=False) is not supported (nor by Keras 3): set "
                "loss_scale_factor=<scale> on the inner optimizer for a fixed scale."
            )
        for arg in ("weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema",
                    "loss_scale_factor", "gradient_accumulation_steps", "ema_momentum",
                    "ema_overwrite_frequency"):
            value = kwargs.pop(arg, None)
            if value not in (None, False, 0.99):
                raise ValueError(
                    f"LossScaleOptimizer does not take `{arg}`; received {arg}={value!r}. Set it "
                    "on the inner optimizer instead."
                )
        if kwargs:
            raise ValueError(f"LossScaleOptimizer: unknown arguments {sorted(kwargs)}.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "LossScaleOptimizer: inner_optimizer must be a lamina optimizer such as "
                f"lamina.optimizers.Adam(); received {inner_optimizer!r}."
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = int(dynamic_growth_steps)
        inner_optimizer.loss_scale_factor = None
        self._scale = self.initial_scale
        self._good_steps = 0
        # Keras 3's own variables: its (unused) iteration and learning rate, then the two that
        # matter. Host numbers, as the iteration is; a compiled JAX step carries them as arrays.
        self._own = [
            self._iteration_handle, self._learning_rate_handle,
            OptimizerVariable("step_counter", f"{self.name}/step_counter", getter=lambda: self._good_steps,
                              setter=self._set_step_counter, dtype="int32"),
            OptimizerVariable("dynamic_scale", f"{self.name}/dynamic_scale", getter=lambda: self._scale,
                              setter=self._set_dynamic_scale, dtype="float32"),
        ]

    def _set_step_counter(self, value) -> None:
        self._good_steps = int(value)

    def _set_dynamic_scale(self, value) -> None:
        self._scale = float(value)

    @property
    def dynamic_scale(self) -> float:
        """The current loss scale."""
        return self._scale

    @property
    def step_counter(self) -> int:
        """Finite steps since the scale last changed."""
        return self._good_steps

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        self.inner_optimizer.build(variables, paths)
        self._trainable_variables = self.inner_optimizer._trainable_variables
        self.built = True

    @property
    def variables(self) -> list:
        """Keras 3's order: ``iteration``, ``learning_rate`` (both unused: the inner optimizer's
        count), ``step_counter``, ``dynamic_scale``, then the inner optimizer's variables."""
        return self._own + self.inner_optimizer.variables

    def apply(self, grads, variables=None) -> None:
        grads = list(grads)
        present = [g for g in grads if g is not None]
        if not present:
            return self.inner_optimizer.apply(grads, variables)  # raises the inner's message
        with self._kernels.no_grad():
            finite = bool(self._kernels.all_finite(present))  # the one host read per step
        if not finite:
            self._scale *= 0.5
            self._good_steps = 0
            if not self.built and variables is not None:
                self.build(variables)
            return
        with self._kernels.no_grad():  # a division, as Keras: 1 / 2**127 would be a denormal
            unscaled = [None if g is None else g / self._scale for g in grads]
        self.inner_optimizer.apply(unscaled, variables)
        if not self.built:
            self._trainable_variables = self.inner_optimizer._trainable_variables
            self.built = True
        if self._good_steps == self.dynamic_growth_steps - 1:
            self._good_steps = 0
            self._scale *= 2.0
        else:
            self._good_steps += 1

    def scale_loss(self, loss):
        """``loss * dynamic_scale``: what to differentiate."""
        return loss * self._scale

    def stateless_scale_loss(self, optimizer_variables, loss):
        """``loss`` times the ``dynamic_scale`` held in ``optimizer_variables`` (the values of
        :attr:`variables`): what a stateless (compiled) step differentiates."""
        return loss * ops.cast(optimizer_variables[3], ops.dtype(loss))

    @property
    def iterations(self) -> int:
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, value) -> None:
        self.inner_optimizer.iterations = value

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self.inner_optimizer.learning_rate = value

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """Keras 3's stateless step: ``(new_trainable_values, new_optimizer_values)``.

        ``optimizer_variables`` follow :attr:`variables` (Keras 3's order). With finite
        gradients the inner optimizer steps on the gradients divided by the scale and the counter
        grows (every ``dynamic_growth_steps``-th finite step it restarts and the scale doubles);
        otherwise everything is returned unchanged except the scale, which halves, and the
        counter, which restarts. The choice is ``ops.cond`` on the device: under ``jax.jit``
        (the compiled train step) ``lax.cond`` runs one branch and nothing is read back to the
        host; under torch it is a Python branch on one flag read back, as in :meth:`apply`.
        """
        if not self.built:
            raise ValueError(
                f"LossScaleOptimizer '{self.name}' must be built before stateless_apply: call "
                "optimizer.build(trainable_variables) first."
            )
        handles = self.variables
        values = list(optimizer_variables)
        if len(values) != len(handles):
            raise ValueError(
                f"LossScaleOptimizer '{self.name}'.stateless_apply expects {len(handles)} "
                f"optimizer values (optimizer.variables), received {len(values)}."
            )
        grads, trainable_variables = list(grads), list(trainable_variables)
        counter = ops.convert_to_tensor(values[2], "int32")
        scale = ops.convert_to_tensor(values[3], "float32")
        present = [g for g in grads if g is not None]
        with self._kernels.no_grad():
            finite = self._kernels.all_finite(present)

        def as_state(new_tv, new_values):  # both branches give the same dtypes (lax.cond needs it)
            tv = [ops.cast(ops.convert_to_tensor(n), ops.dtype(ops.convert_to_tensor(o)))
                  for n, o in zip(new_tv, trainable_variables)]
            return tv, [ops.cast(ops.convert_to_tensor(v), h.dtype) for v, h in zip(new_values, handles)]

        def finite_step():
            unscaled = [None if g is None else g / ops.cast(scale, ops.dtype(g)) for g in grads]
            new_tv, new_inner = self.inner_optimizer.stateless_apply(values[4:], unscaled, trainable_variables)
            grow = ops.equal(counter, self.dynamic_growth_steps - 1)
            new_counter = ops.where(grow, ops.zeros_like(counter), counter + 1)
            new_scale = ops.where(grow, scale * 2.0, scale)
            return as_state(new_tv, values[:2] + [new_counter, new_scale] + list(new_inner))

        def skipped_step():
            return as_state(trainable_variables, values[:2] + [ops.zeros_like(counter), scale * 0.5] + values[4:])

        with self._kernels.no_grad():
            return ops.cond(finite, finite_step, skipped_step)

    def get_config(self) -> dict:
        from lamina.optimizers.serialization import serialize

        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from lamina.optimizers.serialization import deserialize

        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)
