"""The one compile/fit/evaluate/predict loop, shared by every backend.

A backend supplies only the compiled steps (``lamina.backend.trainer.make_*_step``). The loop
never forces a device sync per step: losses and metrics accumulate on the device and are read
only when a callback or the progress bar asks for them.
"""

from __future__ import annotations

import numpy as np

from lamina import backend, ops
from lamina.errors import NotCompiledError, deprecated
from lamina.layers.keras_tensor import flatten, map_structure
from lamina.training import argument_checks as checks
from lamina.training.data_adapter import ArrayData, make_data
from lamina.training.resume import begin_backups, epoch_batches
from lamina.training.step_api import StepAPI
from lamina.training.step_logic import StepLogic

_FIT_LEGACY = {"nb_epoch": "epochs", "nb_val_samples": "validation_steps", "samples_per_epoch": None}


class Trainer(StepAPI):
    """Mixin giving Model its training API."""

    def __init__(self):
        self.__dict__.update(optimizer=None, compiled=False, stop_training=False, history=None,
                             _compile_loss=None, _compile_metrics=None, _compile_config=None,
                             _steps=None)

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1, jit_compile="auto",
                auto_scale_loss=True, **kwargs):
        """Configure training: the optimizer, the loss (per output) and the metrics to report.

        The positional order is Keras 1/2's (optimizer, loss, metrics, loss_weights), so the
        tutorial spelling ``compile('adam', 'categorical_crossentropy', ['accuracy'])`` works;
        Keras 3 code passes these by keyword.
        """
        from lamina import optimizers
        from lamina.training.compile_utils import CompileLoss, CompileMetrics

        if "sample_weight_mode" in kwargs:
            kwargs.pop("sample_weight_mode")
        if kwargs:
            raise ValueError(f"compile() got unexpected arguments {sorted(kwargs)}.")
        self.optimizer = optimizers.get(optimizer)
        if (auto_scale_loss and self.optimizer is not None and self.dtype_policy.name == "mixed_float16"
                and not isinstance(self.optimizer, optimizers.LossScaleOptimizer)):
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer)  # as Keras 3 does
        names = self._output_names_for_compile()
        self._compile_loss = CompileLoss(loss, loss_weights, output_names=names) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, output_names=names, loss=loss)
        self._compile_config = {"optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
                                "metrics": metrics, "weighted_metrics": weighted_metrics}
        self.compiled = True
        self.__dict__["_jit_compile"] = backend.compiled.resolve(jit_compile, run_eagerly)
        self._steps = None

    def _output_names_for_compile(self):
        try:
            return list(self.output_names)
        except (AttributeError, ValueError):
            return None

    def _assert_compiled(self, what):
        if not self.compiled or self.optimizer is None and what in ("fit", "train_on_batch"):
            raise NotCompiledError(
                f"You must call model.compile(optimizer=..., loss=...) before model.{what}(). "
                "For example: model.compile(optimizer='adam', loss='categorical_crossentropy', "
                "metrics=['accuracy'])."
            )
        if self._compile_loss is None and what in ("fit", "train_on_batch") and not self._custom_steps():
            raise ValueError(
                f"model.{what}() needs a loss: call model.compile(..., loss='mse') (or the loss "
                "that fits your targets) first."
            )

    @property
    def metrics_names(self) -> list:
        names = ["loss"]
        if self._compile_metrics is not None:
            names += [name for name, _ in self._compile_metrics._log_names]
        return names

    def _custom_steps(self) -> bool:
        from lamina.training.custom_steps import uses_custom_steps

        return uses_custom_steps(self)

    def _get_steps(self):
        if self._steps is None:
            from lamina.distribution import data_parallel_active

            steps_class = backend.data_parallel.DataParallelSteps if data_parallel_active() else backend.trainer.Steps
            self._steps = steps_class(self, StepLogic(self))
            if self._custom_steps():  # the user's train_step/test_step/... run per batch
                from lamina.training.custom_steps import CustomSteps

                self._steps = backend.trainer.custom_steps(CustomSteps(self, self._steps))
        return self._steps

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, **kwargs):
        """Train the model for ``epochs`` passes over the data; returns a ``History``."""
        epochs = _legacy_fit_kwargs(kwargs, epochs)
        self._assert_compiled("fit")
        from lamina.callbacks import CallbackList
        from lamina.callbacks.progbar_logger import resolve_verbose

        verbose = resolve_verbose(verbose)
        checks.check_fit_arguments(self, x, y, batch_size, epochs, initial_epoch, class_weight, steps_per_epoch)
        split_first = bool(validation_split) and validation_data is None  # class weights after the split
        data = make_data(x, y, sample_weight, batch_size, shuffle, None if split_first else class_weight,
                         steps_per_epoch)
        checks.check_data(self, data, steps_per_epoch, "fit")
        val_data = None
        if validation_data is not None:
            val_data = _validation(validation_data, validation_batch_size or batch_size, validation_steps)
        elif validation_split:
            if not isinstance(data, ArrayData):
                raise ValueError(
                    "validation_split only works with arrays; with a generator or dataset pass "
                    "validation_data instead."
                )
            data, val_data = data.split(validation_split)
            data.apply_class_weight(class_weight)  # the validation loss stays unweighted (Keras)
        self._check_data_against_inputs(data)
        self.__dict__["_fit_validates"] = val_data is not None  # monitor checks wait for 'val_'
        steps = self._get_steps()
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=epochs, steps=len(data) if len(data) else None)
        self.stop_training = False
        logs = {}
        with backend.compute_scope():
            steps.begin_fit()
            cbs.on_train_begin()
            resume = begin_backups(self, cbs)  # a BackupAndRestore found a backup to continue from
            for epoch in range(initial_epoch if resume is None else resume.epoch, epochs):
                steps.reset_metrics()
                cbs.on_epoch_begin(epoch)
                batches, first = epoch_batches(self, data, cbs, resume)
                resume = None
                self.train(True)
                try:
                    for i, (xb, yb, swb) in enumerate(_device_batches(steps, batches), first):
                        cbs.on_train_batch_begin(i)
                        steps.train(xb, yb, swb)
                        cbs.on_train_batch_end(i, getattr(steps, "batch_logs", steps.logs))
                        if self.stop_training:
                            break
                finally:
                    self.train(False)
                    steps.sync()  # state back into the variables before callbacks read them
                logs = steps.logs()
                if val_data is not None and _due(epoch, validation_freq):
                    val_logs = self._evaluate_data(val_data, cbs, verbose=0, in_fit=True)
                    logs.update({"val_" + k: v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            steps.end_fit()
            cbs.on_train_end(logs)
        return self.history

    def find_learning_rate(self, x=None, y=None, batch_size=None, **kwargs):
        """Sweep the learning rate over ~``num_steps`` batches (``lamina.callbacks.LRFinder``)
        and put the model back exactly; returns the finder (``.suggestion()``, ``.plot()``)."""
        from lamina.callbacks.lr_finder import find_learning_rate

        return find_learning_rate(self, x, y, batch_size, **kwargs)

    def _check_data_against_inputs(self, data):
        if not isinstance(data, ArrayData):
            return
        try:
            inputs = self.inputs
        except (AttributeError, ValueError):
            return
        from lamina.errors import ShapeError

        xs = flatten(data.x) if not isinstance(data.x, dict) else list(data.x.values())
        if len(xs) != len(inputs):
            raise ValueError(
                f"Model '{self.name}' has {len(inputs)} input(s) but fit/evaluate received {len(xs)} "
                "input array(s). Pass one array per model input (a list, or a dict by input name)."
            )
        for t, sym in zip(xs, inputs):
            want, got = sym.shape[1:], tuple(t.shape[1:])
            if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got)):
                raise ShapeError(
                    f"Input data of shape {tuple(t.shape)} does not fit model '{self.name}', which "
                    f"expects (batch,) + {want} = {sym.shape}. Reshape the data or rebuild the model "
                    f"with input_shape={tuple(got)}."
                )

    # ------------------------------------------------------------------ evaluate
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Loss and metrics on the data: a scalar, a list in ``metrics_names`` order, or a dict."""
        if kwargs:
            raise ValueError(f"evaluate() got unexpected arguments {sorted(kwargs)}.")
        self._assert_compiled("evaluate")
        from lamina.callbacks import CallbackList
        from lamina.callbacks.progbar_logger import resolve_verbose

        verbose = resolve_verbose(verbose)
        checks.check_eval_arguments(self, x, y, batch_size, steps, "evaluate")
        data = make_data(x, y, sample_weight, batch_size, False, None, steps, what="evaluate")
        checks.check_data(self, data, steps, "evaluate")
        self._check_data_against_inputs(data)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=len(data) if len(data) else None)
        with backend.compute_scope():
            logs = self._evaluate_data(data, cbs, verbose)
        return _format(logs, return_dict)

    def _evaluate_data(self, data, cbs, verbose, in_fit=False):
        steps = self._get_steps()
        steps.reset_metrics()
        if not in_fit:
            steps.begin_evaluate()
        cbs.on_test_begin()
        for i, (xb, yb, swb) in enumerate(_device_batches(steps, data.epoch())):
            cbs.on_test_batch_begin(i)
            steps.test(xb, yb, swb)
            cbs.on_test_batch_end(i, getattr(steps, "batch_logs", steps.logs))
        steps.sync()
        logs = steps.logs()
        cbs.on_test_end(logs)
        if in_fit:
            steps.reset_metrics()
        return logs

    # ------------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        """Model outputs for the inputs, as NumPy arrays (batches concatenated)."""
        if kwargs:
            raise ValueError(f"predict() got unexpected arguments {sorted(kwargs)}.")
        from lamina.callbacks.progbar_logger import resolve_verbose

        verbose = resolve_verbose(verbose)
        checks.check_eval_arguments(self, x, None, batch_size, steps, "predict")
        bs = batch_size or 32
        if (verbose == 0 and callbacks is None and steps is None and type(x) is np.ndarray
                and 0 < len(x) <= bs and x.dtype.kind not in "USO"):
            # One numeric batch, nothing to report: skip the loop machinery (one-sample latency).
            return map_structure(ops.convert_to_numpy, self._get_steps().predict(_one_batch(x)))
        from lamina.callbacks import CallbackList

        data = make_data(x, None, None, batch_size, False, None, steps, what="predict")
        checks.check_data(self, data, steps, "predict")
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=len(data) if len(data) else None)
        outs = []
        step_fn = self._get_steps()
        with backend.compute_scope():
            cbs.on_predict_begin()
            for i, (xb, _, _) in enumerate(_device_batches(step_fn, data.epoch())):
                cbs.on_predict_batch_begin(i)
                outs.append(map_structure(ops.convert_to_numpy, step_fn.predict(xb)))
                cbs.on_predict_batch_end(i, {"outputs": outs[-1]})
            cbs.on_predict_end()
        if not outs:
            raise ValueError("predict() received no data (the input was empty).")
        return _concat(outs)

    # ------------------------------------------------------------------ batch-level API
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False,
                       reset_metrics=True):
        """One gradient update on one batch; returns the loss (and metrics) for that batch.

        With ``reset_metrics=False`` (Keras 2's argument) the loss and metrics returned accumulate
        over consecutive such calls, starting after the last call that reset (Keras 2 reset at the
        end of that call; here the reset comes first, so that ``model.metrics`` hold the batch's
        values after the call, as in Keras 3).
        """
        self._assert_compiled("train_on_batch")
        xb, yb, swb = _batch_arrays(x, y, sample_weight, class_weight)
        steps = self._on_batch_steps(reset_metrics)
        self.train(True)
        try:
            with backend.compute_scope():
                steps.train(xb, yb, swb)
        finally:
            self.train(False)
        return _format(steps.logs(), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False, reset_metrics=True):
        """The loss (and metrics) of the model on one batch; ``reset_metrics`` as in train_on_batch."""
        self._assert_compiled("test_on_batch")
        xb, yb, swb = _batch_arrays(x, y, sample_weight)
        steps = self._on_batch_steps(reset_metrics)
        steps.test(xb, yb, swb)
        return _format(steps.logs(), return_dict)

    def _on_batch_steps(self, reset_metrics):
        """The steps for one *_on_batch call, their metrics reset as Keras 2's ``reset_metrics``
        says: by this call, or by the previous one (Keras 2 reset at its end)."""
        steps = self._get_steps()
        if reset_metrics or self.__dict__.get("_on_batch_reset", True):
            steps.reset_metrics()
        self.__dict__["_on_batch_reset"] = bool(reset_metrics)
        return steps

    def predict_on_batch(self, x):
        return map_structure(ops.convert_to_numpy, self._get_steps().predict(_one_batch(x)))

    # ------------------------------------------------------------------ Keras 1/2 generator API
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, **kwargs):
        deprecated("model.fit_generator(gen, ...)", "model.fit(gen, ...)")
        kwargs = _gen_kwargs(kwargs)
        kwargs.setdefault("epochs", epochs)
        if "samples_per_epoch" in kwargs:  # Keras 1 counted samples, not batches
            raise ValueError(
                "fit_generator(samples_per_epoch=...) is Keras 1: pass steps_per_epoch = "
                "samples_per_epoch // batch_size to model.fit(generator, steps_per_epoch=...)."
            )
        return self.fit(generator, steps_per_epoch=steps_per_epoch, **kwargs)

    def evaluate_generator(self, generator, steps=None, **kwargs):
        deprecated("model.evaluate_generator(gen, ...)", "model.evaluate(gen, ...)")
        return self.evaluate(generator, steps=steps, **_gen_kwargs(kwargs))

    def predict_generator(self, generator, steps=None, **kwargs):
        deprecated("model.predict_generator(gen, ...)", "model.predict(gen, ...)")
        return self.predict(generator, steps=steps, **_gen_kwargs(kwargs))


def _batch_arrays(x, y, sample_weight, class_weight=None):
    """``(x, y, sample_weight)`` of one *_on_batch call, moved the way fit moves a batch: kept on
    the host and handed to the backend's step (under JAX the compiled step takes the NumPy arrays
    itself: one transfer inside the dispatch instead of a ``device_put`` per array). Plain numeric
    NumPy arrays of one length skip ArrayData's checks (most of the host cost of a tiny call)."""
    arrays = (x, y) if sample_weight is None else (x, y, sample_weight)
    if class_weight is None and all(_plain_array(a) for a in arrays) and len({len(a) for a in arrays}) == 1:
        conv = backend.data.host_tensor
        sw = None if sample_weight is None else conv(sample_weight)
        return next(backend.data.device_batches(((conv(x), conv(y), sw),)))
    data = ArrayData(x, y, sample_weight, batch_size=None, class_weight=class_weight, host=True)
    return next(backend.data.device_batches(((data.x, data.y, data.sw),)))


def _plain_array(a) -> bool:
    return type(a) is np.ndarray and a.ndim > 0 and len(a) > 0 and a.dtype.kind in "biuf"


def _one_batch(x):
    """``x`` as one batch for the backend's predict step, kept on the host and moved the way the
    predict loop moves its batches (under JAX the compiled step takes the NumPy array itself)."""
    data = backend.data
    if isinstance(x, np.ndarray) and x.ndim and len(x) and x.dtype.kind not in "USO":
        xb = data.host_tensor(x)  # what ArrayData makes of one array, minus its checks
    else:
        xb = ArrayData(x, batch_size=None, host=True).x
    return next(data.device_batches(((xb, None, None),)))[0]


def _device_batches(steps, batches):
    """The batches moved to the device; data-parallel steps keep only their rank's rows first."""
    own = getattr(steps, "device_batches", None)
    return own(batches) if own is not None else backend.data.device_batches(batches)


def _gen_kwargs(kwargs):
    for k in ("workers", "use_multiprocessing", "max_queue_size", "pickle_safe", "nb_worker"):
        kwargs.pop(k, None)
    if "nb_epoch" in kwargs:
        deprecated("nb_epoch=", "epochs=")
        kwargs["epochs"] = kwargs.pop("nb_epoch")
    if "nb_val_samples" in kwargs:
        deprecated("nb_val_samples=", "validation_steps=")
        kwargs["validation_steps"] = kwargs.pop("nb_val_samples")
    return kwargs


def _legacy_fit_kwargs(kwargs, epochs):
    if "nb_epoch" in kwargs:
        deprecated("fit(nb_epoch=...)", "fit(epochs=...)", stacklevel=4)
        epochs = kwargs.pop("nb_epoch")
    if "show_accuracy" in kwargs:
        kwargs.pop("show_accuracy")
        deprecated("fit(show_accuracy=True)", "model.compile(..., metrics=['accuracy'])", stacklevel=4)
    if kwargs:
        from lamina.errors import suggest

        known = ["batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data",
                 "shuffle", "class_weight", "sample_weight", "initial_epoch", "steps_per_epoch",
                 "validation_steps", "validation_batch_size", "validation_freq"]
        raise TypeError(
            f"fit() got unexpected keyword arguments {sorted(kwargs)}."
            + "".join(suggest(k, known) for k in kwargs)
        )
    return epochs


def _validation(vd, batch_size, steps):
    if isinstance(vd, (tuple, list)) and len(vd) in (2, 3):  # a list too, as Keras 2 took it
        x, y = vd[0], vd[1]
        sw = vd[2] if len(vd) == 3 else None
        return make_data(x, y, sw, batch_size, False, None, steps, what="validation")
    return make_data(vd, None, None, batch_size, False, None, steps, what="validation")


def _due(epoch, freq):
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def _format(logs, return_dict):
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _concat(outs):
    first = outs[0]
    if isinstance(first, (list, tuple)):
        return type(first)(_concat([o[i] for o in outs]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _concat([o[k] for o in outs]) for k in first}
    return np.concatenate(outs, axis=0)
