"""Weight initializers with Keras names and defaults.

Each initializer is a callable ``init(shape, dtype=None)`` returning a backend tensor; fan-in and
fan-out follow Keras: for a kernel of shape (..., in, out), fan_in = in * receptive field.
"""

from __future__ import annotations

import math

import numpy as np

from lamina import config, ops
from lamina.utils.registry import lookup


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight shape; with both axis lists given, the products of those axes."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: subclasses implement ``__call__(shape, dtype=None)``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _on_host(value, shape, dtype):
    """``value`` (a number or an array broadcastable to ``shape``) as a backend tensor of ``dtype``
    (default floatx), made with NumPy on the host and handed to the backend once.

    Filling on the device (``ops.zeros``/``ops.full``) compiles an XLA program for each new shape
    under JAX, one per distinct bias or normalization width of a model; the random initializers
    already draw on the host for the same reason. bfloat16, which NumPy lacks, is filled in
    float32 and cast by the backend."""
    dtype = ops.standardize_dtype(dtype) if dtype is not None else config.floatx()
    host = np.empty(tuple(shape), "float32" if dtype == "bfloat16" else dtype)
    host[...] = value
    return ops.convert_to_tensor(host, dtype)


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return _on_host(0, shape, dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return _on_host(1, shape, dtype)


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        v = np.asarray(ops.convert_to_numpy(self.value) if ops.is_tensor(self.value) else self.value)
        return _on_host(float(v) if v.ndim == 0 else np.broadcast_to(v, tuple(shape)), shape, dtype)

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return ops.random_normal(shape, self.mean, self.stddev, dtype, self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None):
        return ops.random_uniform(shape, self.minval, self.maxval, dtype, self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return ops.truncated_normal(shape, self.mean, self.stddev, dtype, self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(Initializer):
    """scale / fan (fan_in, fan_out or their average) sets the variance; normal or uniform.

    ``input_axes`` / ``output_axes`` (Keras 3.15): the kernel axes whose sizes multiply to the fan-in
    and fan-out (e.g. an EinsumDense kernel); used only when both are given, as Keras does.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive, received {scale}.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', received {mode!r}.")
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                "VarianceScaling: distribution must be 'truncated_normal', 'untruncated_normal' or "
                f"'uniform', received {distribution!r}."
            )
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        self.input_axes = _axes("input_axes", input_axes, type(self).__name__)
        self.output_axes = _axes("output_axes", output_axes, type(self).__name__)

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        if self.distribution == "truncated_normal":
            # 0.879... is the stddev of a unit normal truncated to [-2, 2].
            return ops.truncated_normal(shape, 0.0, math.sqrt(scale) / 0.87962566103423978, dtype, self.seed)
        if self.distribution == "untruncated_normal":
            return ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, self.seed)
        limit = math.sqrt(3.0 * scale)
        return ops.random_uniform(shape, -limit, limit, dtype, self.seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed,
                "input_axes": self.input_axes, "output_axes": self.output_axes}


def _axes(arg, value, owner):
    if value is None:
        return None
    if isinstance(value, int) or not all(isinstance(a, int) for a in value):
        raise TypeError(f"{owner}: {arg} must be a list of integer axes or None, received {value!r}; "
                        "e.g. input_axes=[0], output_axes=[1, 2].")
    return list(value)


def _vs(name, scale, mode, distribution):
    class _Init(VarianceScaling):
        def __init__(self, seed=None, input_axes=None, output_axes=None):
            super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

        def get_config(self):
            return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    _Init.__name__ = _Init.__qualname__ = name
    _Init.__doc__ = f"VarianceScaling(scale={scale}, mode='{mode}', distribution='{distribution}')."
    return _Init


GlorotUniform = _vs("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _vs("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _vs("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _vs("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _vs("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _vs("LecunNormal", 1.0, "fan_in", "truncated_normal")


class Orthogonal(Initializer):
    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal initializer needs a shape of rank >= 2, received {tuple(shape)}.")
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        flat = ops.convert_to_numpy(ops.random_normal((max(rows, cols), min(rows, cols)), seed=self.seed, dtype="float32"))
        q, r = np.linalg.qr(flat)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return ops.convert_to_tensor((self.gain * q[:rows, :cols]).reshape(shape), dtype)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2-D shape, received {tuple(shape)}.")
        return _on_host(np.eye(shape[0], shape[1]) * self.gain, shape, dtype)

    def get_config(self):
        return {"gain": self.gain}


_TABLE = {
    "zeros": Zeros, "Zeros": Zeros, "zero": Zeros, "ones": Ones, "Ones": Ones, "one": Ones,
    "constant": Constant, "Constant": Constant,
    "random_normal": RandomNormal, "RandomNormal": RandomNormal, "normal": RandomNormal,
    "random_uniform": RandomUniform, "RandomUniform": RandomUniform, "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "TruncatedNormal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "VarianceScaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "GlorotUniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "GlorotNormal": GlorotNormal,
    "he_uniform": HeUniform, "HeUniform": HeUniform, "he_normal": HeNormal, "HeNormal": HeNormal,
    "lecun_uniform": LecunUniform, "LecunUniform": LecunUniform,
    "lecun_normal": LecunNormal, "LecunNormal": LecunNormal,
    "orthogonal": Orthogonal, "Orthogonal": Orthogonal,
    "identity": Identity, "Identity": Identity,
}


def get(identifier):
    """An initializer from a name ('glorot_uniform'), a config dict, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, Initializer) or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    return lookup("initializer", identifier, _TABLE, instantiate=True)


def serialize(init) -> dict:
    return {"module": "keras.initializers", "class_name": type(init).__name__,
            "config": init.get_config(), "registered_name": None}


def deserialize(config):
    return get(config)


zeros, ones, constant = Zeros, Ones, Constant
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal, orthogonal, identity = LecunUniform, LecunNormal, Orthogonal, Identity
variance_scaling, OrthogonalInitializer, IdentityInitializer = VarianceScaling, Orthogonal, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal

from lamina.initializers.stft import STFT  # noqa: E402

_TABLE.update({"STFT": STFT, "stft": STFT, "STFTInitializer": STFT})
stft = STFTInitializer = STFT
