"""Global configuration: backend name, floatx, epsilon, image_data_format.

Read once at import, from the environment variable ``LAMINA_BACKEND`` and then from
``~/.lamina/lamina.json`` (keys ``backend``, ``floatx``, ``epsilon``, ``image_data_format``).
The default backend is torch.
"""

from __future__ import annotations

import json
import os

_BACKENDS = ("torch", "jax")
_DATA_FORMATS = ("channels_last", "channels_first")
_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")

_settings = {
    "backend": "torch",
    "floatx": "float32",
    "epsilon": 1e-7,
    "image_data_format": "channels_last",
}


def config_path() -> str:
    home = os.environ.get("LAMINA_HOME") or os.path.join(os.path.expanduser("~"), ".lamina")
    return os.path.join(home, "lamina.json")


def _load() -> None:
    path = config_path()
    if os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as f:
                user = json.load(f)
        except (OSError, ValueError) as e:
            raise ValueError(
                f"The lamina config file '{path}' is not valid JSON ({e}). Fix or delete it; "
                "it holds keys 'backend', 'floatx', 'epsilon' and 'image_data_format'."
            ) from None
        for key in _settings:
            if key in user:
                _settings[key] = user[key]
    env = os.environ.get("LAMINA_BACKEND")
    if env:
        _settings["backend"] = env
    backend = str(_settings["backend"]).lower()
    if backend not in _BACKENDS:
        raise ValueError(
            f"Unknown lamina backend '{_settings['backend']}' (from LAMINA_BACKEND or {path}). "
            f"Expected one of {_BACKENDS}."
        )
    _settings["backend"] = backend
    set_floatx(_settings["floatx"])
    set_image_data_format(_settings["image_data_format"])
    set_epsilon(_settings["epsilon"])


def backend() -> str:
    """The name of the numeric engine in use: 'torch' or 'jax'."""
    return _settings["backend"]


def floatx() -> str:
    """The default float dtype as a string, e.g. 'float32'."""
    return _settings["floatx"]


# Called with the new floatx after every change: a backend's own reaction (JAX turns its 64-bit
# types on while floatx is float64).
_floatx_hooks: list = []


def set_floatx(value: str) -> None:
    value = str(value)
    if value not in _FLOAT_TYPES:
        raise ValueError(f"Unknown floatx '{value}'. Expected one of {_FLOAT_TYPES}.")
    _settings["floatx"] = value
    for hook in _floatx_hooks:
        hook(value)


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (default 1e-7, as in Keras)."""
    return _settings["epsilon"]


def set_epsilon(value: float) -> None:
    _settings["epsilon"] = float(value)


def image_data_format() -> str:
    """'channels_last' (the default, NHWC) or 'channels_first' (NCHW)."""
    return _settings["image_data_format"]


def set_image_data_format(value: str) -> None:
    value = str(value).lower()
    if value not in _DATA_FORMATS:
        raise ValueError(
            f"Unknown image_data_format '{value}'. Expected one of {_DATA_FORMATS}."
        )
    _settings["image_data_format"] = value


def standardize_data_format(data_format: str | None) -> str:
    """Return ``data_format`` checked, or the global default when it is None."""
    if data_format is None:
        return image_data_format()
    value = str(data_format).lower()
    if value not in _DATA_FORMATS:
        raise ValueError(
            f"Unknown data_format '{data_format}'. Expected 'channels_last' or 'channels_first'."
        )
    return value


_load()
