"""The ``.keras`` archive (Keras 3's native format): a zip of three members, stored uncompressed.

::

    metadata.json     {"keras_version": ..., "date_saved": ...}
    config.json       the model, serialized (module/class_name/config/registered_name,
                      build_config, compile_config)
    model.weights.h5  weights and optimizer state in the Keras 3 layout (weights_store)
"""

from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
import warnings
import zipfile

from lamina.errors import FileFormatError, UnsafeLoadError, LaminaWarning
from lamina.saving import file_io

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"


def save_model(model, filepath, include_optimizer=True):
    import h5py

    from lamina.saving.assets import write_assets
    from lamina.saving.serialization_lib import serialize_keras_object
    from lamina.saving.weights_store import save_weights_to_h5

    config = serialize_keras_object(model)
    if not include_optimizer:
        config.pop("compile_config", None)
    metadata = {"keras_version": file_io.KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                "lamina_version": file_io.lamina_version()}
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        save_weights_to_h5(model, h5, include_optimizer=include_optimizer)
    with file_io.atomic_write(filepath) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA, json.dumps(metadata))
            zf.writestr(CONFIG, json.dumps(config))
            zf.writestr(WEIGHTS, buffer.getvalue())
            write_assets(model, zf)


# Limits checked on the sizes the zip declares, before anything is inflated.
MAX_CONFIG_BYTES = 16 << 20      # config.json / metadata.json: model configs are a few MB at most
MAX_WEIGHTS_RATIO = 50           # weights may inflate to 50x their compressed size (+ slack)
WEIGHTS_SLACK = 64 << 20


def open_archive(filepath):
    """The open ``zipfile.ZipFile``; every member's declared size is checked first (a 9 MB zip
    can declare gigabytes). Checksums are checked as each member is read."""
    try:
        zf = zipfile.ZipFile(filepath, "r")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise FileFormatError(
            filepath, f"it is not a readable .keras archive (the zip is corrupt or truncated: {e}).",
            "Save the model again; a save interrupted by a crash leaves the previous file intact.",
        ) from None
    try:
        _check_sizes(zf, filepath)
    except BaseException:
        zf.close()
        raise
    return zf


def _check_sizes(zf, filepath):
    for info in zf.infolist():
        if info.filename in (CONFIG, METADATA):
            limit = MAX_CONFIG_BYTES
        else:
            limit = MAX_WEIGHTS_RATIO * info.compress_size + WEIGHTS_SLACK
        if info.file_size > limit:
            raise UnsafeLoadError(
                f"the archive member '{info.filename}' declares {info.file_size} bytes once "
                f"inflated ({info.compress_size} stored), more than lamina reads ({limit}); "
                "the file is a zip bomb or damaged.", filepath)


def _read_member(zf, name, filepath, limit=MAX_CONFIG_BYTES):
    try:
        with zf.open(name) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise FileFormatError(filepath, f"the archive member '{name}' cannot be read ({e}); the "
                              "archive is corrupt.") from None
    if len(data) > limit:
        raise UnsafeLoadError(f"the archive member '{name}' inflates to more than {limit} bytes.", filepath)
    return data


def read_config(zf, filepath):
    names = zf.namelist()
    if CONFIG not in names:
        raise FileFormatError(
            filepath, f"this zip file is not a Keras model archive: it has no '{CONFIG}' "
            f"(members: {names[:8]}).", "Pass a file written by model.save('name.keras').")
    try:
        config = json.loads(_read_member(zf, CONFIG, filepath).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise FileFormatError(filepath, f"its {CONFIG} is not valid JSON ({e}).") from None
    except RecursionError:
        raise FileFormatError(filepath, f"its {CONFIG} nests too deeply to be a model config.") from None
    return check_model_config(config, filepath, CONFIG)


def check_model_config(config, filepath, what):
    """``config`` if it has the shape of a model config; else ``FileFormatError``."""
    from lamina.saving.safe_names import check_depth

    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        found = f"a {type(config).__name__}" if not isinstance(config, dict) else \
            f"a dict without a 'class_name' string (keys {sorted(map(str, config))[:6]})"
        raise FileFormatError(filepath, f"its {what} is {found}, not a model config "
                              "({'class_name': ..., 'config': {...}}).",
                              "Pass a file written by model.save().")
    try:
        check_depth(config)
    except UnsafeLoadError as e:
        raise e.with_path(filepath) from None
    return config


def check_is_model(model, filepath):
    from lamina.models.model import Model

    if not isinstance(model, Model):
        raise FileFormatError(filepath, f"its config describes a {type(model).__name__}, not a model.",
                              "Pass a file written by model.save().")
    return model


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    from lamina.saving.assets import read_assets
    from lamina.saving.model_config import compile_from_config
    from lamina.saving.serialization_lib import deserialize_keras_object

    with open_archive(filepath) as zf:
        config = read_config(zf, filepath)
        compile_config = config.pop("compile_config", None)
        model = check_is_model(deserialize_keras_object(config, custom_objects, safe_mode, kind="model"),
                               filepath)
        if compile and compile_config:
            try:
                compile_from_config(model, compile_config, custom_objects)
            except UnsafeLoadError:
                raise
            except Exception as e:  # noqa: BLE001
                warnings.warn(
                    f"'{filepath}' was loaded but not compiled: its compile config could not be "
                    f"restored ({type(e).__name__}: {e}). Call model.compile(...) yourself.",
                    LaminaWarning, stacklevel=3)
        load_weights_from_archive(model, zf, filepath, load_optimizer=compile)
        read_assets(model, zf, filepath)
    return model


def load_weights_from_archive(model, zf, filepath, skip_mismatch=False, load_optimizer=True):
    import h5py

    from lamina.saving.weights_loading import load_weights_from_h5

    names = zf.namelist()
    if WEIGHTS not in names:
        if "model.weights.npz" in names:
            raise FileFormatError(filepath, "its weights are stored as model.weights.npz, which "
                                  "lamina does not read.", "Save it again with the default format.")
        raise FileFormatError(filepath, f"the archive has no '{WEIGHTS}'.")
    with tempfile.TemporaryDirectory(prefix="lamina-load-") as folder:
        local = os.path.join(folder, WEIGHTS)
        _extract(zf, WEIGHTS, local, filepath)
        try:
            h5 = h5py.File(local, "r")
        except (OSError, ValueError) as e:
            raise FileFormatError(filepath, f"its {WEIGHTS} is not a readable HDF5 file ({e}).") from None
        with h5:
            load_weights_from_h5(model, h5, skip_mismatch=skip_mismatch, load_optimizer=load_optimizer,
                                 source=f"'{filepath}'")


def _extract(zf, name, dest, filepath):
    """Stream one member to ``dest`` in 1 MiB pieces (memory stays flat whatever its size;
    the zip module stops at the declared size and checks the CRC at the end)."""
    info = zf.getinfo(name)
    limit = MAX_WEIGHTS_RATIO * info.compress_size + WEIGHTS_SLACK
    written = 0
    try:
        with zf.open(info) as src, open(dest, "wb") as out:
            while True:
                chunk = src.read(1 << 20)
                if not chunk:
                    break
                written += len(chunk)
                if written > limit:
                    raise UnsafeLoadError(f"the archive member '{name}' inflates past {limit} bytes.", filepath)
                out.write(chunk)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as e:
        raise FileFormatError(filepath, f"the archive member '{name}' cannot be read ({e}); the "
                              "archive is corrupt.") from None
