"""The loss and metrics that ``compile()`` configures, as the training loop uses them.

``CompileLoss`` turns ``compile(loss=..., loss_weights=...)`` into one callable returning the
total loss; ``CompileMetrics`` turns ``metrics=`` / ``weighted_metrics=`` into stateful
metrics with Keras 3 log names. Both accept a single output (a tensor), several outputs (a
list in output order) or a dict keyed by output name, and resolve themselves on first use,
when the shapes of targets and predictions are known ('accuracy' and 'crossentropy' are
chosen from the loss and those shapes).

Example:

>>> import numpy as np, lamina
>>> from lamina.training.compile_utils import CompileLoss, CompileMetrics
>>> y = lamina.ops.convert_to_tensor(np.array([0, 2]))
>>> p = lamina.ops.convert_to_tensor(np.array([[0.8, 0.1, 0.1], [0.2, 0.2, 0.6]]))
>>> loss = CompileLoss("sparse_categorical_crossentropy")
>>> round(float(loss(y, p)), 4)
0.367
>>> cm = CompileMetrics(["accuracy"], loss="sparse_categorical_crossentropy")
>>> cm.update_state(y, p)
>>> {k: float(v) for k, v in cm.result().items()}
{'accuracy': 1.0}
"""

from __future__ import annotations

from lamina import errors, losses, metrics, ops

_ACCURACY = ("accuracy", "acc")
_CROSSENTROPY = ("crossentropy", "ce")


# ---------------------------------------------------------------- output structure
def _is_config(spec) -> bool:
    return isinstance(spec, dict) and "class_name" in spec


def _output_names(y_pred, output_names):
    """The output names, in the order flattened values are given."""
    if isinstance(y_pred, dict):
        if output_names and set(output_names) == set(y_pred):
            return list(output_names)
        return sorted(y_pred)
    if isinstance(y_pred, (list, tuple)):
        if output_names and len(output_names) == len(y_pred):
            return list(output_names)
        if len(y_pred) == 1 and output_names:
            return [output_names[0]]
        return [f"output_{i + 1}" for i in range(len(y_pred))]
    return [output_names[0]] if output_names else ["output"]


def _flatten(y, names, what):
    """A list with one entry per output (in ``names`` order) from a tensor, list or dict."""
    n = len(names)
    if isinstance(y, dict):
        missing = [k for k in names if k not in y]
        if missing and n == len(y):
            return list(y.values())  # keyed differently but one entry per output: use order
        if missing:
            raise ValueError(
                f"{what} is a dict with keys {sorted(y)}, but the model's outputs are {names}: "
                f"missing {missing}. Key {what} by output name, or pass a list in output order."
            )
        return [y[k] for k in names]
    if isinstance(y, (list, tuple)):
        if len(y) != n:
            raise ValueError(
                f"{what} has {len(y)} entries but the model has {n} output(s) {names}. Pass "
                f"one entry per output, in output order (or a dict keyed by output name)."
            )
        return list(y)
    if n != 1:
        if what == "sample_weight":
            return [y] * n
        raise ValueError(
            f"{what} is a single array but the model has {n} outputs {names}. Pass a list with "
            f"one array per output, or a dict keyed by output name."
        )
    return [y]


def _per_output(spec, names, what):
    """One spec per output from a single spec, a list (one per output) or a dict by name."""
    n = len(names)
    if spec is None:
        return [None] * n
    if isinstance(spec, dict) and not _is_config(spec):
        unknown = [k for k in spec if k not in names]
        if unknown:
            hint = errors.suggest(unknown[0], names)
            raise ValueError(
                f"`{what}` has key(s) {unknown} that are not output names.{hint} The model's "
                f"outputs are {names}."
            )
        return [spec.get(k) for k in names]
    if isinstance(spec, (list, tuple)):
        if len(spec) != n:
            raise ValueError(
                f"`{what}` is a list of {len(spec)} entries but the model has {n} output(s) "
                f"{names}. Pass one entry per output, a dict keyed by output name, or a single "
                f"value for every output."
            )
        return list(spec)
    return [spec] * n


def _is_binary_or_sparse(y_true, y_pred):
    """Keras's rule: binary if one unit; sparse if the labels have one axis fewer, or width 1."""
    t, p = tuple(y_true.shape), tuple(y_pred.shape)
    is_binary = len(p) <= 1 or p[-1] == 1
    is_sparse = len(t) < len(p) or (len(t) > 0 and t[-1] == 1 and p[-1] > 1)
    return is_binary, is_sparse


def _loss_family(loss):
    """('binary' | 'sparse' | 'categorical', from_logits) for the cross-entropies, else None."""
    if isinstance(loss, str):
        loss = losses.ALL_OBJECTS_DICT.get(loss)
    if isinstance(loss, type) and issubclass(loss, losses.LossFunctionWrapper):
        loss = loss()
    fn, kwargs = loss, {}
    if isinstance(loss, losses.LossFunctionWrapper):
        fn, kwargs = loss.fn, loss._fn_kwargs
    for family, known in (("binary", losses.binary_crossentropy),
                          ("sparse", losses.sparse_categorical_crossentropy),
                          ("categorical", losses.categorical_crossentropy)):
        if fn is known:
            return family, bool(kwargs.get("from_logits", False))
    return None


def _family(loss, y_true, y_pred):
    found = _loss_family(loss)
    if found:
        return found
    is_binary, is_sparse = _is_binary_or_sparse(y_true, y_pred)
    return ("binary" if is_binary else "sparse" if is_sparse else "categorical"), False


# ---------------------------------------------------------------- losses
def _check_loss_identifier(spec):
    if isinstance(spec, str) and spec.lower() not in _CROSSENTROPY:
        losses.get(spec)  # raises the nearest-name error now, at compile time


def _resolve_loss(spec, y_true, y_pred):
    if spec is None:
        return None
    if isinstance(spec, str) and spec.lower() in _CROSSENTROPY:
        family, _ = _family(None, y_true, y_pred)
        obj = {"binary": losses.binary_crossentropy, "sparse": losses.sparse_categorical_crossentropy,
               "categorical": losses.categorical_crossentropy}[family]
    else:
        obj = losses.get(spec)
    if isinstance(obj, losses.Loss):
        return obj
    name = spec if isinstance(spec, str) else getattr(obj, "__name__", "loss")
    return losses.LossFunctionWrapper(obj, name=name)


class CompileLoss:
    """The total loss of a compiled model: sum over outputs of weight_i * loss_i.

    Args:
        loss: a loss name, function or Loss; a list with one per output; or a dict keyed by
            output name (outputs without an entry get no loss).
        loss_weights: a number, a list (one per output) or a dict by output name.
        output_names: the model's output names, in output order.

    Call arguments:
        y_true, y_pred: a tensor, a list of tensors (one per output) or a dict by output name.
        sample_weight: None, one array for every output, or a list / dict per output.

    After each call, ``per_output`` maps '<output_name>_loss' to each output's unweighted
    loss (detached, for logging) when more than one output has a loss, else it is empty.
    Target shapes are checked against the losses on the first call after construction or
    ``reset_check()``, never on the other steps.
    """

    def __init__(self, loss, loss_weights=None, output_names=None):
        if loss is None:
            raise ValueError(
                "compile() needs a loss, e.g. loss='categorical_crossentropy' or loss='mse'."
            )
        specs = loss.values() if isinstance(loss, dict) and not _is_config(loss) else (
            loss if isinstance(loss, (list, tuple)) else [loss])
        for spec in specs:
            _check_loss_identifier(spec)
        self._user_loss = loss
        self._user_loss_weights = loss_weights
        self.output_names = list(output_names) if output_names else None
        self.built = False
        self._checked = False
        self.per_output = {}
        self._entries = []  # (index, output_name, Loss, weight)

    def reset_check(self) -> None:
        """Run the one-time target checks again on the next call (start of fit/evaluate)."""
        self._checked = False

    def build(self, y_true, y_pred) -> None:
        names = _output_names(y_pred, self.output_names)
        yts, yps = _flatten(y_true, names, "y"), _flatten(y_pred, names, "y_pred")
        specs = _per_output(self._user_loss, names, "loss")
        if self._user_loss_weights is None or isinstance(self._user_loss_weights, (int, float)):
            weights = [self._user_loss_weights] * len(names)
        else:
            weights = _per_output(self._user_loss_weights, names, "loss_weights")
        self._entries = []
        for i, (name, spec, weight) in enumerate(zip(names, specs, weights)):
            loss = _resolve_loss(spec, yts[i], yps[i])
            if loss is not None:
                self._entries.append((i, name, loss, weight))
        if not self._entries:
            raise ValueError(f"`loss` gives no loss for any of the outputs {names}.")
        self._names = names
        self._single = len(names) == 1
        self._log_per_output = len(self._entries) > 1
        self.built = True

    def check(self, y_true, y_pred) -> None:
        """Raise a ValueError if some target cannot be the target of its output's loss."""
        yts, yps = self._flat(y_true, y_pred)
        for i, name, loss, _ in self._entries:
            losses.check_targets(loss, yts[i], yps[i], None if self._single else name)
        self._checked = True

    def _flat(self, y_true, y_pred):
        return _flatten(y_true, self._names, "y"), _flatten(y_pred, self._names, "y_pred")

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        if not self._checked:
            self.check(y_true, y_pred)
        if self._single and not isinstance(y_pred, (list, tuple, dict)):
            if isinstance(y_true, (list, tuple)):
                y_true = y_true[0]
            elif isinstance(y_true, dict):
                y_true = next(iter(y_true.values()))
            if isinstance(sample_weight, (list, tuple)):
                sample_weight = sample_weight[0]
            elif isinstance(sample_weight, dict):
                sample_weight = next(iter(sample_weight.values()))
            _, _, loss, weight = self._entries[0]
            value = loss(y_true, y_pred, sample_weight)
            return value if weight is None else value * weight
        yts, yps = self._flat(y_true, y_pred)
        sws = [None] * len(self._names) if sample_weight is None else _flatten(
            sample_weight, self._names, "sample_weight")
        total = None
        per_output = {}
        for i, name, loss, weight in self._entries:
            value = loss(yts[i], yps[i], sws[i])
            if self._log_per_output:
                per_output[f"{name}_loss"] = ops.stop_gradient(value)
            if weight is not None:
                value = value * weight
            total = value if total is None else total + value
        self.per_output = per_output
        return total


# ---------------------------------------------------------------- metrics
def _check_metric_identifier(spec):
    if isinstance(spec, (list, tuple)):
        for s in spec:
            _check_metric_identifier(s)
    elif isinstance(spec, dict) and not _is_config(spec):
        for s in spec.values():
            _check_metric_identifier(s)
    elif isinstance(spec, str) and spec.lower() not in _ACCURACY + _CROSSENTROPY:
        metrics.get(spec)


def _resolve_metric(spec, y_true, y_pred, loss):
    if isinstance(spec, str) and spec.lower() in _ACCURACY:
        family, from_logits = _family(loss, y_true, y_pred)
        if family == "binary":
            from lamina.layers.output_checks import warn_if_binary_loss_on_softmax

            warn_if_binary_loss_on_softmax(y_pred)
            # A sigmoid output is positive above 0.5; its logit, above 0.
            return metrics.BinaryAccuracy(name=spec, threshold=0.0 if from_logits else 0.5)
        if family == "sparse":
            return metrics.SparseCategoricalAccuracy(name=spec)
        return metrics.CategoricalAccuracy(name=spec)
    if isinstance(spec, str) and spec.lower() in _CROSSENTROPY:
        family, from_logits = _family(loss, y_true, y_pred)
        cls = {"binary": metrics.BinaryCrossentropy, "sparse": metrics.SparseCategoricalCrossentropy,
               "categorical": metrics.CategoricalCrossentropy}[family]
        return cls(name=spec, from_logits=from_logits)
    obj = metrics.get(spec)
    if isinstance(obj, metrics.Metric):
        if isinstance(spec, str):
            obj.name = spec
        return obj
    name = spec if isinstance(spec, str) else getattr(obj, "__name__", "metric")
    return metrics.MeanMetricWrapper(obj, name=name)


def _as_list(spec):
    if spec is None:
        return []
    if isinstance(spec, (list, tuple)):
        out = []
        for s in spec:
            out.extend(_as_list(s))
        return out
    return [spec]


def _metric_specs(spec, names, what):
    """A list (one per output) of lists of metric specs."""
    n = len(names)
    if spec is None:
        return [[] for _ in names]
    if isinstance(spec, dict) and not _is_config(spec):
        return [_as_list(s) for s in _per_output(spec, names, what)]
    if n == 1:
        return [_as_list(spec)]
    if isinstance(spec, (list, tuple)) and len(spec) == n:
        return [_as_list(s) for s in spec]  # Keras 3: a list of the output count is per output
    return [_as_list(spec) for _ in names]  # otherwise every output gets every metric


class CompileMetrics:
    """The metrics of a compiled model, with Keras 3 log names.

    Args:
        metrics: metrics updated without sample weights: names, functions, Metric objects;
            a list (for several outputs: one entry per output, or applied to each), or a
            dict by output name.
        weighted_metrics: the same, updated with the sample weights.
        output_names: the model's output names, in output order.
        loss: the compiled loss spec (used to resolve 'accuracy' / 'crossentropy').

    Log names: one output: the name as written ('acc' stays 'acc') or the Metric's ``name``;
    several outputs: '<output_name>_<name>'. Repeated names get '_1', '_2' ...; a weighted
    metric named like an unweighted one is logged as 'weighted_<name>'.
    """

    def __init__(self, metrics, weighted_metrics=None, output_names=None, loss=None):
        _check_metric_identifier(metrics)  # unknown names fail at compile time, not in fit
        _check_metric_identifier(weighted_metrics)
        self.name = "compile_metrics"  # as Keras 3 lists it in model.metrics
        self._user_metrics = metrics
        self._user_weighted = weighted_metrics
        self._user_loss = loss
        self.output_names = list(output_names) if output_names else None
        self.built = False
        self._unweighted = []  # per output: list of Metric
        self._weighted = []
        self._log_names = []  # (log name, Metric)

    @property
    def metrics(self) -> list:
        """Every Metric object (empty until the first update builds them)."""
        return [m for _, m in self._log_names]

    def build(self, y_true, y_pred) -> None:
        names = _output_names(y_pred, self.output_names)
        yts, yps = _flatten(y_true, names, "y"), _flatten(y_pred, names, "y_pred")
        try:
            loss_specs = _per_output(self._user_loss, names, "loss")
        except ValueError:
            loss_specs = [None] * len(names)
        groups = []
        for what, spec in (("metrics", self._user_metrics), ("weighted_metrics", self._user_weighted)):
            per = _metric_specs(spec, names, what)
            groups.append([[_resolve_metric(s, yts[i], yps[i], loss_specs[i]) for s in per[i]]
                           for i in range(len(names))])
        self._unweighted, self._weighted = groups
        self._names = names
        prefix = len(names) > 1
        taken = {}
        log_names = []
        for weighted, group in ((False, self._unweighted), (True, self._weighted)):
            for i, ms in enumerate(group):
                for m in ms:
                    base = f"{names[i]}_{m.name}" if prefix else m.name
                    key = base
                    if key in taken and weighted:
                        key = f"{names[i]}_weighted_{m.name}" if prefix else f"weighted_{m.name}"
                    if key in taken:
                        taken[key] += 1
                        key = f"{key}_{taken[key] - 1}"
                    taken.setdefault(key, 1)
                    log_names.append((key, m))
        self._log_names = log_names
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Update every metric with one batch (no host synchronisation)."""
        if not self.built:
            self.build(y_true, y_pred)
        if len(self._names) == 1 and not isinstance(y_pred, (list, tuple, dict)):
            yts, yps = _flatten(y_true, self._names, "y") if isinstance(y_true, (list, tuple, dict)) \
                else [y_true], [y_pred]
            sws = [sample_weight[0] if isinstance(sample_weight, (list, tuple))
                   else next(iter(sample_weight.values())) if isinstance(sample_weight, dict)
                   else sample_weight]
        else:
            yts, yps = _flatten(y_true, self._names, "y"), _flatten(y_pred, self._names, "y_pred")
            sws = [None] * len(self._names) if sample_weight is None else _flatten(
                sample_weight, self._names, "sample_weight")
        for i, ms in enumerate(self._unweighted):
            for m in ms:
                m.update_state(yts[i], yps[i])
        for i, ms in enumerate(self._weighted):
            for m in ms:
                m.update_state(yts[i], yps[i], sample_weight=sws[i])

    def result(self) -> dict:
        """{log name: 0-d tensor} for every metric."""
        return {key: m.result() for key, m in self._log_names}

    def reset_state(self) -> None:
        for _, m in self._log_names:
            m.reset_state()

    @property
    def variables(self) -> list:
        """The variables of every metric, in order (empty until the first update builds them)."""
        return [v for m in self.metrics for v in m.variables]

    def stateless_update_state(self, metric_variables, y_true, y_pred, sample_weight=None) -> list:
        """:meth:`update_state` as a pure function of the metrics' values (Keras 3)."""
        from lamina.backend import StatelessScope

        with StatelessScope(list(zip(self.variables, metric_variables))) as scope:
            self.update_state(y_true, y_pred, sample_weight)
        return [scope.get_current_value(v) for v in self.variables]

    def stateless_result(self, metric_variables) -> dict:
        """:meth:`result` computed from the given values of the metrics' variables."""
        from lamina.backend import StatelessScope

        with StatelessScope(list(zip(self.variables, metric_variables))):
            return self.result()
