"""The whole state of a fit() in progress, as NumPy arrays: what ``BackupAndRestore`` saves.

Exact resumption needs more than the weights. This module captures and puts back, in one
``.npz`` file (no pickles, so loading a backup never runs code):

- every model variable (weights, non-trainable state, the layers' ``SeedGenerator`` states);
- the optimizer's variables (iteration, learning rate, slots);
- the running loss and the compiled metrics' variables, for a backup taken inside an epoch;
- the host random generators (Python's ``random``, NumPy's global state, and NumPy's state at
  the start of the epoch, from which fit drew the epoch's shuffling order) and the backend's
  global generator (dropout built with ``seed=None``; a torch ``DataLoader``'s shuffling), now
  and at the start of the epoch;
- the state of the callbacks that decide things from history (EarlyStopping, ReduceLROnPlateau,
  ModelCheckpoint): the attributes named in ``CALLBACK_STATE``.
"""

from __future__ import annotations

import json
import random as _py_random

import numpy as np

from lamina import backend, ops

FORMAT = "lamina.training_state/1"

# The attributes that carry a callback's decisions across epochs (by class name).
CALLBACK_STATE = {
    "EarlyStopping": ("wait", "stopped_epoch", "best", "best_epoch", "best_weights"),
    "ReduceLROnPlateau": ("wait", "cooldown_counter", "best"),
    "ModelCheckpoint": ("best", "_batches_seen", "_last_batch", "_current_epoch"),
}


def numpy_state() -> dict:
    """NumPy's global generator state as plain values (``np.random.get_state()``)."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {"name": name, "keys": np.asarray(keys, dtype=np.uint32), "pos": int(pos),
            "has_gauss": int(has_gauss), "cached": float(cached)}


def set_numpy_state(state: dict) -> None:
    np.random.set_state((state["name"], state["keys"], state["pos"], state["has_gauss"], state["cached"]))


def _metric_variables(model) -> list:
    cm = getattr(model, "_compile_metrics", None)
    if cm is None or not cm.built:
        return []
    return [v for m in cm.metrics for v in m.variables]


def _loss_keeper(model):
    """What holds the epoch's running loss: the backend's steps when they keep it themselves
    (JAX, on the device between steps), else the step logic; None under a custom train_step."""
    steps = model._get_steps()
    return steps if hasattr(steps, "running_loss") else getattr(steps, "logic", None)


def _callback_key(callbacks, cb) -> str:
    same = [c for c in callbacks if type(c).__name__ == type(cb).__name__]
    return f"{type(cb).__name__}/{same.index(cb)}"


def epoch_start_state() -> dict:
    """The generators fit draws the epoch's data order from (NumPy for arrays, the backend's
    for a torch ``DataLoader``), taken at ``on_epoch_begin``."""
    return {"numpy": numpy_state(), "backend": backend.random.get_global_state()}


def capture(model, callbacks, epoch: int, step: int, epoch_start: dict | None) -> dict:
    """The arrays of a backup taken after ``step`` batches of ``epoch`` (step 0: at its start);
    ``epoch_start`` is :func:`epoch_start_state` at that epoch's start."""
    arrays, meta = {}, {"format": FORMAT, "epoch": int(epoch), "step": int(step)}
    for i, v in enumerate(model.variables):
        arrays[f"model/{i}"] = np.asarray(v.numpy())
    meta["n_model"] = len(model.variables)
    opt = model.optimizer
    opt_weights = opt.get_weights() if opt is not None and opt.built else []
    for i, w in enumerate(opt_weights):
        arrays[f"optimizer/{i}"] = np.asarray(w)
    meta["n_optimizer"] = len(opt_weights)
    if step > 0:  # the epoch's running loss and metrics
        keeper = _loss_keeper(model)
        running = keeper.running_loss() if keeper is not None else None
        if running is not None:
            loss_sum, per_output, count = running
            arrays["loss/sum"] = ops.convert_to_numpy(loss_sum)
            for k, t in per_output.items():
                arrays[f"loss/output/{k}"] = ops.convert_to_numpy(t)
            meta["loss_count"] = count
        metric_vars = _metric_variables(model)
        for i, v in enumerate(metric_vars):
            arrays[f"metric/{i}"] = np.asarray(v.numpy())
        meta["n_metric"] = len(metric_vars)
    for k, a in backend.random.get_global_state().items():
        arrays[f"rng/backend/{k}"] = a
    if epoch_start is not None:
        for k, a in epoch_start["backend"].items():
            arrays[f"rng/backend_epoch/{k}"] = a
    for label, st in (("numpy", numpy_state()), ("numpy_epoch", epoch_start and epoch_start["numpy"])):
        if st is not None:
            arrays[f"rng/{label}/keys"] = st["keys"]
            meta[f"rng_{label}"] = {k: st[k] for k in ("name", "pos", "has_gauss", "cached")}
    version, internal, gauss = _py_random.getstate()
    arrays["rng/python"] = np.asarray(internal, dtype=np.int64)
    meta["rng_python"] = [version, gauss]
    meta["callbacks"] = {}
    for cb in callbacks:
        attrs = CALLBACK_STATE.get(type(cb).__name__)
        if not attrs:
            continue
        key, state = _callback_key(callbacks, cb), {}
        for a in attrs:
            value = getattr(cb, a, None)
            if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
                for j, w in enumerate(value):
                    arrays[f"callback/{key}/{a}/{j}"] = w
                state[a] = {"arrays": len(value)}
            else:
                state[a] = value.item() if isinstance(value, np.generic) else value
        meta["callbacks"][key] = state
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    return arrays


class TrainingState:
    """A loaded backup; puts its parts back in the order fit() needs them.

    Args:
        arrays: the ``.npz`` contents (``capture``'s output).
        source: the file it came from (named in errors).
    """

    def __init__(self, arrays: dict, source: str):
        self.arrays = arrays
        self.source = source
        self.meta = json.loads(bytes(arrays["meta"]).decode())
        if self.meta.get("format") != FORMAT:
            raise ValueError(f"'{source}' is not a lamina training backup (format "
                             f"{self.meta.get('format')!r}, expected {FORMAT!r}).")
        self.epoch = self.meta["epoch"]
        self.step = self.meta["step"]

    def _list(self, prefix, n):
        return [self.arrays[f"{prefix}/{i}"] for i in range(n)]

    def _mismatch(self, what, have, saved):
        return ValueError(
            f"The backup '{self.source}' does not fit this model: it holds {saved} {what} but the "
            f"model has {have}. BackupAndRestore resumes the same script with the same model; "
            "delete the backup folder to start training from scratch.")

    def restore_model(self, model) -> None:
        """Weights, seed-generator states and optimizer state (building the optimizer)."""
        variables = model.variables
        saved = self._list("model", self.meta["n_model"])
        if len(saved) != len(variables):
            raise self._mismatch("variables", len(variables), len(saved))
        for v, a in zip(variables, saved):
            if tuple(v.shape) != a.shape:
                raise self._mismatch(f"shape {a.shape} for '{getattr(v, 'path', v.name)}'", tuple(v.shape), a.shape)
            v.assign(a)
        n_opt = self.meta["n_optimizer"]
        if n_opt:
            opt = model.optimizer
            if not opt.built:
                opt.build(model.trainable_weights)  # on the model's variables, as fit() builds it
            opt.set_weights(self._list("optimizer", n_opt))

    def restore_callbacks(self, callbacks) -> None:
        saved = self.meta["callbacks"]
        for cb in callbacks:
            if type(cb).__name__ not in CALLBACK_STATE:
                continue
            key = _callback_key(callbacks, cb)
            for a, value in saved.get(key, {}).items():
                if isinstance(value, dict) and "arrays" in value:
                    value = self._list(f"callback/{key}/{a}", value["arrays"])
                setattr(cb, a, value)

    def restore_metrics(self, model, first_batch) -> None:
        """The running loss and metric variables of a backup taken inside an epoch. The compiled
        metrics are built from ``first_batch`` (an inference pass) when the run has not built them."""
        keeper = _loss_keeper(model)
        if keeper is not None and "loss/sum" in self.arrays:
            keeper.set_running_loss(
                self.arrays["loss/sum"],
                {k[len("loss/output/"):]: a for k, a in self.arrays.items() if k.startswith("loss/output/")},
                self.meta["loss_count"])
        n = self.meta.get("n_metric", 0)
        if not n:
            return
        cm = model._compile_metrics
        if not cm.built and first_batch is not None:
            xb, yb, _ = first_batch
            cm.build(yb, model._get_steps().predict(xb))
        metric_vars = _metric_variables(model)
        if len(metric_vars) != n:
            raise self._mismatch("metric variables", len(metric_vars), n)
        for v, a in zip(metric_vars, self._list("metric", n)):
            v.assign(a)

    def _numpy(self, label):
        m = self.meta.get(f"rng_{label}")
        return None if m is None else dict(m, keys=self.arrays[f"rng/{label}/keys"])

    def _backend(self, prefix):
        return {k[len(prefix):]: a for k, a in self.arrays.items() if k.startswith(prefix)}

    def epoch_start(self):
        """The saved :func:`epoch_start_state`, or None."""
        st = self._numpy("numpy_epoch")
        return None if st is None else {"numpy": st, "backend": self._backend("rng/backend_epoch/")}

    def restore_epoch_start(self) -> None:
        """The generators as they were at the start of the saved epoch: fit then draws the same
        data order."""
        st = self.epoch_start()
        if st is not None:
            set_numpy_state(st["numpy"])
            if st["backend"]:
                backend.random.set_global_state(st["backend"])

    def restore_random(self) -> None:
        """Every generator's current state: backend, NumPy, Python."""
        backend.random.set_global_state(self._backend("rng/backend/"))
        set_numpy_state(self._numpy("numpy"))
        version, gauss = self.meta["rng_python"]
        _py_random.setstate((version, tuple(int(i) for i in self.arrays["rng/python"]), gauss))
