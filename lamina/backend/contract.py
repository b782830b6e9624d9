"""The backend contract: the modules and names every ``lamina/backend/<name>/`` provides.

Core lamina (layers, losses, metrics, optimizers, training, saving) reaches the engine only
through these names, via ``lamina.ops`` (the op set) and ``lamina.backend`` (everything else).
A second backend is a package with the same modules; ``lamina.backend`` loads the configured one
through its registry and checks it against this list (``check``), and
``tests/backend/test_contract.py`` checks every installed backend, lazy modules included.

Modules:

- ``ops``: the op set core code calls (the names below; a backend may offer more).
- ``core``: device and scope helpers for the one training loop.
- ``variables``: ``Variable``, the only way state changes (``assign``/``assign_add``/``assign_sub``).
- ``layer``: ``LayerBase`` (child and weight tracking, the ``training`` flag), symbolic stand-ins.
- ``masks``: ``set_mask``/``get_mask``, where a tensor's Keras mask lives.
- ``random``: keyed kernels behind ``lamina.random`` (``key=None``: the backend's global generator).
- ``optimizers`` (lazy): the optimizer kernels; each returns the updated values.
- ``trainer`` (lazy): ``Steps(model, logic)``, the backend's half of a train/test/predict step.
- ``data`` (lazy): host arrays for the data adapter (``host_tensor``), rows of a batch
  (``take_rows``), batches moved to the device (``device_batches``), framework datasets.
- ``export`` (lazy, optional): model export (ONNX under torch).
"""

from __future__ import annotations

import importlib

OPS = (
    # tensors, dtypes, conversion
    "Tensor", "is_tensor", "convert_to_tensor", "convert_to_numpy", "cast", "dtype", "standardize_dtype",
    "is_float_dtype", "is_int_dtype", "shape", "ndim", "size",
    # creation
    "zeros", "ones", "full", "zeros_like", "ones_like", "arange", "eye",
    # elementwise and reductions
    "abs", "exp", "log", "sqrt", "rsqrt", "square", "tanh", "sigmoid", "maximum", "minimum", "clip",
    "where", "equal", "not_equal", "greater", "logical_and", "logical_or", "divide_no_nan",
    "sum", "mean", "max", "all", "any", "argmax", "norm", "top_k", "in_top_k", "one_hot",
    # shapes
    "reshape", "transpose", "squeeze", "expand_dims", "concatenate", "stack", "split", "unstack",
    "broadcast_to", "flip", "pad", "matmul", "einsum", "addmm", "stop_gradient",
    # activations
    "relu", "relu6", "relu_with", "elu", "selu", "gelu", "silu", "mish", "softplus", "softsign",
    "leaky_relu", "hard_sigmoid", "hard_silu", "softmax", "log_softmax", "prelu", "masked_softmax",
    # layers' kernels
    "conv", "conv_transpose", "depthwise_conv", "separable_conv", "max_pool", "average_pool",
    "upsample", "batch_norm_inference", "batch_norm_train", "batch_norm_train_masked", "layer_norm",
    "rms_norm", "group_norm", "l2_normalize", "variance_scaling_norm", "dot_product_attention",
    "causal_mask", "sliding_window_mask", "embedding_lookup", "id_range", "fused_rnn", "scan_rnn", "dropout",
    "bernoulli_like", "normal_like",
    # random (initializers)
    "random_normal", "random_uniform", "truncated_normal", "set_seed",
    # losses
    "binary_crossentropy_probs", "binary_crossentropy_logits", "binary_crossentropy_mean",
    "categorical_crossentropy_probs", "categorical_crossentropy_logits", "categorical_crossentropy_mean",
    "sparse_categorical_crossentropy_probs", "sparse_categorical_crossentropy_logits",
    "sparse_categorical_crossentropy_logits_mean", "mean_squared_error_mean", "mean_absolute_error_mean",
)

MODULES = {
    "ops": OPS,
    "core": ("device_name", "clear_caches", "compute_scope", "no_grad"),
    "variables": ("Variable",),
    "layer": ("LayerBase", "Parameter", "Variable", "inference_scope", "zeros_spec", "reparametrized"),
    "masks": ("set_mask", "get_mask"),
    "random": ("SEED_DTYPE", "set_seed", "seed_state", "next_seed_state", "uniform", "normal",
               "truncated_normal", "randint", "dropout", "bernoulli", "categorical", "shuffle",
               "gamma", "binomial", "beta", "get_global_state", "set_global_state"),
    "optimizers": ("no_grad", "make_slots", "to_numpy", "assign", "assign_add", "scale",
                   "clip_by_value", "clip_by_norm", "clip_by_global_norm", "accumulate", "reset",
                   "decay_weights", "ema_update", "copy", "sgd_update", "rmsprop_update", "adam_update",
                   "adagrad_update", "adadelta_update", "adamax_update", "nadam_update"),
    "trainer": ("Steps",),
    "data": ("host_tensor", "take_rows", "device_batches", "batch_dataset"),
}
# What the trainer's ``Steps(model, logic)`` offers the one loop in lamina/training/trainer.py.
STEPS_METHODS = ("build", "sync", "train", "test", "predict", "logs", "reset_metrics", "begin_fit",
                 "end_fit", "begin_evaluate")
EAGER = ("ops", "core", "variables", "layer", "masks", "random")  # loaded with lamina; the rest on first use
OPTIONAL = ("export", "tensorboard")


class BackendContractError(ImportError):
    """A backend package lacks modules or names the contract requires."""


def missing(package: str, modules=None) -> dict:
    """{module: [missing names]} for the backend ``package`` (e.g. 'lamina.backend.torch')."""
    out = {}
    for mod in modules or MODULES:
        try:
            m = importlib.import_module(f"{package}.{mod}")
        except ModuleNotFoundError as e:
            if e.name != f"{package}.{mod}":
                raise
            out[mod] = ["(module missing)"]
            continue
        gaps = [n for n in MODULES[mod] if not hasattr(m, n)]
        if mod == "trainer" and hasattr(m, "Steps"):
            gaps += [f"Steps.{n}" for n in STEPS_METHODS if not hasattr(m.Steps, n)]
        if gaps:
            out[mod] = gaps
    return out


def check(name: str, package: str, modules=None) -> None:
    """Raise ``BackendContractError`` listing every gap of backend ``name`` at once."""
    gaps = missing(package, modules)
    if gaps:
        detail = "; ".join(f"{m}: {', '.join(ns)}" for m, ns in gaps.items())
        raise BackendContractError(
            f"The lamina backend '{name}' ({package}) does not fulfil the backend contract: "
            f"missing {detail}. Add them to {package} (see lamina/backend/contract.py)."
        )
