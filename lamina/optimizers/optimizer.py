"""The Optimizer base class: the backend-neutral half of every optimizer.

Each step (:meth:`Optimizer.apply`) the base class drops missing gradients, un-scales and clips
the rest, evaluates the learning rate, applies decoupled weight decay and then hands the whole
list of variables to the subclass's ``_update``, which makes ONE call into the backend's
multi-tensor kernels (``lamina.backend.optimizers``). The step counter and the learning rate are
Python numbers, so a step never waits for the device.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from lamina import backend, errors
from lamina.optimizers import _checks, _legacy
from lamina.optimizers.optimizer_state import OptimizerState
from lamina.optimizers.optimizer_variable import LearningRateValue, OptimizerVariable
from lamina.optimizers.schedules import LearningRateSchedule
from lamina.optimizers.schedules import deserialize as _deserialize_schedule
from lamina.optimizers.schedules import serialize as _serialize_schedule
from lamina.utils import naming


class Optimizer(OptimizerState):
    """Base class of lamina's optimizers (Keras 3's ``keras.optimizers.Optimizer``).

    Subclasses create their state in ``build`` with :meth:`add_optimizer_variables` and update
    all variables in ``_update``. A custom optimizer may instead implement Keras's per-variable
    ``update_step(gradient, variable, learning_rate)`` using ``lamina.ops`` and
    :meth:`assign` / :meth:`assign_add` / :meth:`assign_sub`.

    Args:
        learning_rate: a float >= 0, a ``LearningRateSchedule`` evaluated at
            ``optimizer.iterations``, or a callable taking no arguments.
        weight_decay: if set, decoupled weight decay ``w -= w * weight_decay * lr`` each step.
        clipnorm: if set, each gradient is rescaled so its own L2 norm is at most this.
        clipvalue: if set, gradient elements are clipped into ``[-clipvalue, clipvalue]``.
        global_clipnorm: if set, all gradients are rescaled together so their joint L2 norm is
            at most this. At most one of the three clipping arguments may be set.
        use_ema: keep an exponential moving average of the variables (see
            :meth:`finalize_variable_values`).
        ema_momentum: the average's momentum (0.99).
        ema_overwrite_frequency: every this many steps, overwrite the variables with their
            average (None: only when ``finalize_variable_values`` is called).
        loss_scale_factor: gradients are divided by this before use (see :meth:`scale_loss`).
        gradient_accumulation_steps: update only every this many calls, with the mean gradient.
        name: name of the optimizer; its state's paths start with it.

    Keras 1/2 arguments: ``lr=`` is ``learning_rate=``; ``decay=d`` (time-based decay,
    ``lr / (1 + d * iterations)``) is honoured by turning the learning rate into the equivalent
    ``schedules.InverseTimeDecay`` (Keras 3 silently ignores it). Both emit a
    ``LaminaDeprecationWarning``.

    Example:
        >>> import numpy as np, lamina
        >>> w = lamina.ops.convert_to_tensor(np.ones(3, "float32"))
        >>> opt = lamina.optimizers.SGD(learning_rate=0.1)
        >>> opt.apply([lamina.ops.convert_to_tensor(np.ones(3, "float32"))], [w])
        >>> lamina.ops.convert_to_numpy(w).tolist(), opt.iterations
        ([0.8999999761581421, 0.8999999761581421, 0.8999999761581421], 1)
    """

    # A compiled step (JAX) sets the step's learning rate as a traced scalar here; None: computed
    # on the host from the schedule, as usual.
    _step_lr = None

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        owner = type(self).__name__
        learning_rate, self._legacy_decay = _legacy.take_arguments(owner, learning_rate, kwargs)
        if kwargs:
            raise _checks.unknown_arguments(type(self), kwargs)
        self._learning_rate = self._check_learning_rate(learning_rate)
        common = _checks.common_arguments(
            owner, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps)
        self.weight_decay = common["weight_decay"]
        self.clipnorm = common["clipnorm"]
        self.clipvalue = common["clipvalue"]
        self.global_clipnorm = common["global_clipnorm"]
        self.use_ema = common["use_ema"]
        self.ema_momentum = common["ema_momentum"]
        self.ema_overwrite_frequency = common["ema_overwrite_frequency"]
        self.loss_scale_factor = common["loss_scale_factor"]
        self.gradient_accumulation_steps = common["gradient_accumulation_steps"]
        self.name = name if name is not None else naming.auto_name(naming.to_snake_case(owner))
        self._kernels = backend.optimizers
        self._iterations = 0
        self.built = False
        self._trainable_variables: list = []
        self._variable_paths = None
        self._index: dict = {}
        self._constraints: dict = {}
        self._state_handles: list[OptimizerVariable] = []
        self._exclude_ids: set = set()
        self._exclude_pattern = None
        self._decay_mask = None
        self._warned_missing = False
        self._iteration_handle = OptimizerVariable(
            "iteration", f"{self.name}/iteration", getter=lambda: self._iterations,
            setter=self._set_raw_iterations, dtype="int32")
        self._learning_rate_handle = OptimizerVariable(
            "learning_rate", f"{self.name}/learning_rate", getter=self._current_learning_rate,
            setter=self._set_learning_rate_value, dtype="float32")

    def _check_learning_rate(self, value):
        if isinstance(value, LearningRateSchedule):
            return value
        if callable(value) and not _checks.is_number(value):
            return value
        return _checks.number(
            type(self).__name__, "learning_rate", value, low=0.0,
            fix="Pass a float >= 0 such as 0.001, or a lamina.optimizers.schedules object.")

    # ------------------------------------------------------------ state
    @property
    def iterations(self) -> int:
        """The number of updates applied so far (a Python int)."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value) -> None:
        self._iterations = int(value) * (self.gradient_accumulation_steps or 1)

    def _set_raw_iterations(self, value) -> None:
        self._iterations = int(value)

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next update, as a float; assign a float or a schedule."""
        return LearningRateValue(self._current_learning_rate(), self)

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, LearningRateSchedule) or (callable(value) and not _checks.is_number(value)):
            self._learning_rate = value
            self._legacy_decay = False
            return
        self._set_learning_rate_value(value)

    def _set_learning_rate_value(self, value) -> None:
        if not isinstance(value, (int, float)) and hasattr(value, "__float__"):
            value = float(value)  # NumPy scalars, 0-d arrays and tensors
        value = self._check_learning_rate(value)
        if self._legacy_decay:
            # Keras 2's K.set_value(opt.lr, x) changed the base rate and kept the decay.
            self._learning_rate.initial_learning_rate = value
        elif isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError(
                f"{type(self).__name__} '{self.name}' was created with a LearningRateSchedule "
                f"({self._learning_rate!r}), so its learning rate cannot be set to a number. "
                "Assign a new schedule, or create the optimizer with a float learning_rate."
            )
        else:
            self._learning_rate = value

    @property
    def lr(self) -> float:
        """Keras 1/2 name of :attr:`learning_rate`."""
        errors.deprecated("optimizer.lr", "optimizer.learning_rate")
        return self.learning_rate

    @lr.setter
    def lr(self, value) -> None:
        errors.deprecated("optimizer.lr", "optimizer.learning_rate")
        self.learning_rate = value

    def _current_learning_rate(self) -> float:
        lr = self._learning_rate
        if type(lr) is float:
            return lr
        if isinstance(lr, LearningRateSchedule):
            return float(lr(self._iterations))
        return float(lr())

    # ------------------------------------------------------------ building
    def build(self, variables, paths=None) -> None:
        """Create the optimizer's state for ``variables`` (the model's trainable weights).

        Args:
            variables: the backend tensors to train (under torch, the ``nn.Parameter`` objects).
            paths: optional Keras paths of those variables (``"dense/kernel"``...), used to
                name the slots Keras's way (``"dense_kernel_momentum"``). Without them a
                variable's own ``path`` or ``name`` attribute is used, else ``"variable_<i>"``.
        """
        if self.built:
            return
        variables, handle_paths = _unwrap(variables)
        paths = handle_paths if paths is None else paths
        if paths is not None:
            paths = [str(p) for p in paths]
            if len(paths) != len(variables):
                raise ValueError(
                    f"{type(self).__name__}.build(): received {len(paths)} paths for "
                    f"{len(variables)} variables; pass one path per variable or none."
                )
        self._variable_paths = paths
        self._trainable_variables = variables
        self._index = {id(v): i for i, v in enumerate(variables)}
        self._constraints = {i: c for i, v in enumerate(variables)
                             if (c := getattr(v, "constraint", None)) is not None}
        if self.use_ema:
            self._averages = self.add_optimizer_variables(variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulators = self.add_optimizer_variables(variables, "gradient_accumulator")
        self.built = True

    def _get_variable_index(self, variable) -> int:
        return self._index[id(variable)]

    # ------------------------------------------------------------ the step
    def apply_gradients(self, grads_and_vars) -> int:
        """Keras 2 style: ``apply_gradients(zip(grads, variables))``. Returns ``iterations``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self.iterations

    def apply(self, grads, variables=None) -> None:
        """Update ``variables`` (default: those the optimizer was built with) with ``grads``.

        ``grads[i]`` may be None: that variable is left alone this step.
        """
        grads = list(grads)
        if not grads:
            return
        index = None
        if variables is None:
            if not self.built:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': apply(grads) without `variables` needs "
                    "a built optimizer. Call optimizer.build(model.trainable_weights) first, or "
                    "pass the variables: optimizer.apply(grads, variables)."
                )
            variables = self._trainable_variables
        else:
            paths = None
            if not isinstance(variables, list) or variables and isinstance(variables[0], backend.Variable):
                variables, paths = _unwrap(variables)  # model.trainable_weights: Variable handles
            if not self.built:
                self.build(variables, paths)
            if variables is not self._trainable_variables:
                index = self._indices_of(variables)
                if index is None:
                    variables = self._trainable_variables
        if len(grads) != len(variables):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': received {len(grads)} gradients for "
                f"{len(variables)} variables; pass exactly one gradient (or None) per variable."
            )
        if any(g is None for g in grads):
            grads, variables, index = self._drop_missing(grads, variables, index)
        with self._kernels.no_grad():
            if self.loss_scale_factor is not None:
                grads = self._kernels.scale(grads, 1.0 / self.loss_scale_factor)
            # The learning rate of this step is computed on the host and handed to the kernels
            # as an argument (a schedule is evaluated at the current iteration). It is rounded to
            # float32, as Keras stores it: 0.01 and the 0.009999999776 a saved file gives back
            # then update identically, so save/load/continue is bit-exact.
            lr = self._step_lr if self._step_lr is not None else float(np.float32(self._current_learning_rate()))
            if self.gradient_accumulation_steps:
                self._accumulating_step(grads, variables, index, lr)
            else:
                self._step(grads, variables, index, lr)
            if self.use_ema:
                self._update_moving_averages()
            if self._constraints:
                self._apply_constraints(variables, index)
        self._iterations += 1

    def _step(self, grads, variables, index, lr) -> None:
        if self.clipnorm is not None:
            grads = self._kernels.clip_by_norm(grads, self.clipnorm)
        elif self.global_clipnorm is not None:
            grads = self._kernels.clip_by_global_norm(grads, self.global_clipnorm)
        elif self.clipvalue is not None:
            grads = self._kernels.clip_by_value(grads, self.clipvalue)
        if self.weight_decay:
            self._apply_weight_decay(variables, index, lr)
        self._update(grads, variables, lr, index)

    def _accumulating_step(self, grads, variables, index, lr) -> None:
        steps = self.gradient_accumulation_steps
        accumulators = _pick(self._accumulators, index)
        self._kernels.accumulate(accumulators, grads)

        def update():
            self._step(self._kernels.scale(accumulators, 1.0 / steps), variables, index, lr)
            self._kernels.reset(self._accumulators)

        # A Python branch on the step number, except inside a compiled JAX step where the step
        # number is traced: there the kernels keep the update only where the condition holds.
        self._kernels.when((self._iterations + 1) % steps == 0, update,
                           list(variables) + self._state_handles)

    # ------------------------------------------------------------ stateless apply (Keras 3)
    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """One update as a function of values: ``(new_trainable_values, new_optimizer_values)``.

        ``optimizer_variables`` are values for ``optimizer.variables`` (iteration, learning rate
        when it is a float, then the slots), ``trainable_variables`` values for the variables the
        optimizer was built with. Neither the optimizer's state nor the variables change.
        (torch: the values are copied into working tensors that the in-place kernels update.)

        Example:
            >>> import lamina
            >>> from lamina import ops
            >>> opt = lamina.optimizers.SGD(0.1)
            >>> w = ops.ones((2,))
            >>> opt.build([w])
            >>> new_w, new_state = opt.stateless_apply([v.numpy() for v in opt.variables],
            ...                                        [ops.ones((2,))], [w])
            >>> new_w[0].tolist(), w.tolist(), int(new_state[0])
            ([0.8999999761581421, 0.8999999761581421], [1.0, 1.0], 1)
        """
        if not self.built:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' must be built before stateless_apply: call "
                "optimizer.build(trainable_variables) first."
            )
        handles = self.variables
        values, tv = list(optimizer_variables), list(trainable_variables)
        if len(values) != len(handles) or len(tv) != len(self._trainable_variables):
            raise ValueError(
                f"{type(self).__name__} '{self.name}'.stateless_apply expects {len(handles)} optimizer "
                f"values (optimizer.variables) and {len(self._trainable_variables)} trainable values, "
                f"received {len(values)} and {len(tv)}."
                + (" In a train_step(self, state, data) of a model holding several optimizers, "
                   "optimizer_variables holds model.optimizer's variables, then each other "
                   "optimizer's in the order the model set them: pass this optimizer its slice."
                   if len(values) > len(handles) else "")
            )
        traceable = getattr(self._kernels, "stateless_apply", None)
        if traceable is not None:  # JAX: a pure function of the values, usable under jax.jit
            return traceable(self, values, grads, tv)
        saved = [h.numpy() for h in handles]
        work = self._kernels.make_slots(self._trainable_variables, 0.0)
        with self._kernels.no_grad():
            self._kernels.copy(work, [backend.ops.convert_to_tensor(v) for v in tv])
        built_for, index = self._trainable_variables, self._index
        try:
            for h, v in zip(handles, values):
                h.assign(v)
            self._trainable_variables = work
            self._index = {id(w): i for i, w in enumerate(work)}
            self._decay_mask = None
            self.apply(grads, work)
            new_state = [h.value.clone() if h.value is not None else h.numpy() for h in handles]
        finally:
            self._trainable_variables, self._index, self._decay_mask = built_for, index, None
            for h, v in zip(handles, saved):
                h.assign(v)
        return work, new_state

    def _update(self, grads, variables, learning_rate, index) -> None:
        """Update all ``variables``; built-in optimizers make one backend kernel call here.

        ``index`` is None when ``variables`` are exactly those the optimizer was built with, else
        their positions in that list (use :func:`_pick` to select the matching slots).
        """
        for grad, variable in zip(grads, variables):
            self.update_step(grad, variable, learning_rate)

    def update_step(self, gradient, variable, learning_rate) -> None:
        raise NotImplementedError(
            f"{type(self).__name__} must implement `_update(grads, variables, learning_rate, "
            "index)` or Keras's per-variable `update_step(gradient, variable, learning_rate)`."
        )

    def assign(self, variable, value) -> None:
        self._kernels.assign(variable, value)

    def assign_add(self, variable, value) -> None:
        self._kernels.assign_add(variable, value)

    def assign_sub(self, variable, value) -> None:
        self._kernels.assign_add(variable, -value)

    def _indices_of(self, variables):
        """None when ``variables`` are the built ones in order (the usual case), else their positions."""
        known = self._trainable_variables
        if len(variables) == len(known) and all(a is b for a, b in zip(variables, known)):
            return None
        try:
            return [self._index[id(v)] for v in variables]
        except KeyError:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' was built for {len(known)} other variables "
                "and received one it does not know. An optimizer updates only the variables it "
                "was built with; create a new optimizer for a different set of variables."
            ) from None

    def _drop_missing(self, grads, variables, index):
        keep = [i for i, g in enumerate(grads) if g is not None]
        if not keep:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': no gradient was provided for any variable "
                "(all are None). Check that the loss depends on the model's trainable weights."
            )
        if not self._warned_missing:
            self._warned_missing = True
            warnings.warn(
                f"{type(self).__name__} '{self.name}': {len(grads) - len(keep)} of {len(grads)} "
                "variables received no gradient and were not updated. If this is unexpected, "
                "check that the loss depends on every trainable layer.",
                errors.LaminaWarning, stacklevel=3)
        grads = [grads[i] for i in keep]
        variables = [variables[i] for i in keep]
        index = keep if index is None else [index[i] for i in keep]
        return grads, variables, index

    # ------------------------------------------------------------ weight decay, EMA, constraints
    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exempt variables from ``weight_decay``: those in ``var_list``, and those whose name
        (or path) contains any of the strings in ``var_names`` (e.g. ``["bias"]``)."""
        if self.built:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': exclude_from_weight_decay() must be called "
                "before the optimizer is built (before the first training step)."
            )
        self._exclude_ids = {id(v) for v in _unwrap(var_list or ())[0]}
        self._exclude_pattern = re.compile("|".join(var_names)) if var_names else None
        self._decay_mask = None

    def _apply_weight_decay(self, variables, index, lr) -> None:
        if self._decay_mask is None:
            self._decay_mask = [self._use_weight_decay(v, i) for i, v in enumerate(self._trainable_variables)]
            self._decayed = [v for v, m in zip(self._trainable_variables, self._decay_mask) if m]
        if index is None:
            decayed = self._decayed
        else:
            decayed = [v for v, i in zip(variables, index) if self._decay_mask[i]]
        if decayed:
            self._kernels.decay_weights(decayed, 1.0 - self.weight_decay * lr)

    def _use_weight_decay(self, variable, index) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        if self._exclude_pattern is not None:
            paths = self._variable_paths
            label = paths[index] if paths else (
                getattr(variable, "path", None) or getattr(variable, "name", None) or "")
            if self._exclude_pattern.search(str(label)):
                return False
        return True

    def _update_moving_averages(self) -> None:
        momentum = self._kernels.choose(self.iterations != 0, self.ema_momentum, 0.0)
        self._kernels.ema_update(self._averages, self._trainable_variables, momentum)
        freq = self.ema_overwrite_frequency
        if freq:
            self._kernels.when((self.iterations + 1) % freq == 0,
                               lambda: self._kernels.copy(self._trainable_variables, self._averages),
                               self._trainable_variables)

    def finalize_variable_values(self, var_list) -> None:
        """With ``use_ema=True``, overwrite ``var_list`` with their moving averages (fit() calls
        this after the last epoch); otherwise do nothing."""
        if self.use_ema and self.built:
            var_list = _unwrap(var_list)[0]
            if len(var_list) != len(self._averages):
                raise ValueError(
                    f"{type(self).__name__} '{self.name}' keeps averages of "
                    f"{len(self._averages)} variables but received {len(var_list)}; pass the "
                    "variables the optimizer was built with (model.trainable_weights)."
                )
            with self._kernels.no_grad():
                self._kernels.copy(var_list, self._averages)

    def _apply_constraints(self, variables, index) -> None:
        for pos, variable in enumerate(variables):
            constraint = self._constraints.get(pos if index is None else index[pos])
            if constraint is not None:
                self._kernels.assign(variable, constraint(variable))

    def scale_loss(self, loss):
        """Multiply ``loss`` by ``loss_scale_factor`` (if set) before taking gradients."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def stateless_scale_loss(self, optimizer_variables, loss):
        """:meth:`scale_loss` inside a stateless (compiled) step, whose optimizer state is
        ``optimizer_variables`` (a ``LossScaleOptimizer`` reads its scale there)."""
        return self.scale_loss(loss)

    # ------------------------------------------------------------ config
    def get_config(self) -> dict:
        """Keras 3's config keys and values."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = _serialize_schedule(lr)
        elif type(lr) is not float:
            lr = self._current_learning_rate()
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuild an optimizer from :meth:`get_config`'s dict. Configs written by Keras 1/2 and
        tf.keras (``lr``, ``decay``, ``is_legacy_optimizer``...) are understood without warnings."""
        config, decay = _legacy.clean_config(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _deserialize_schedule(config["learning_rate"], custom_objects)
        optimizer = cls(**config)
        if decay:
            optimizer.learning_rate = _legacy.decay_schedule(
                cls.__name__, optimizer._current_learning_rate(), decay)
            optimizer._legacy_decay = True
        return optimizer

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} learning_rate={self._learning_rate!r}>"


def _pick(slots, index):
    """The state tensors of the variables at ``index`` (all of them when ``index`` is None)."""
    return slots if index is None else [slots[i] for i in index]


def _unwrap(variables):
    """Backend tensors (and Keras paths) for ``variables``, which may be lamina Variable handles
    (``model.trainable_weights``) or the tensors themselves."""
    variables = list(variables)
    cell = backend.optimizers.cell  # torch: the Parameter; JAX: a write-through Slot
    if variables and all(isinstance(v, backend.Variable) for v in variables):
        return [cell(v) for v in variables], [v.path for v in variables]
    return [cell(v) if isinstance(v, backend.Variable) else v for v in variables], None
