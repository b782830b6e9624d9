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
import warnings
import zipfile

from lamina.errors import FileFormatError, LaminaWarning
from lamina.saving import file_io

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"


def save_model(model, filepath, include_optimizer=True):
    import h5py

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


def open_archive(filepath):
    try:
        zf = zipfile.ZipFile(filepath, "r")
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise FileFormatError(
            filepath, f"it is not a readable .keras archive (the zip is corrupt or truncated: {e}).",
            "Save the model again; a save interrupted by a crash leaves the previous file intact.",
        ) from None
    bad = None
    try:
        bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        bad = str(e)
    if bad is not None:
        zf.close()
        raise FileFormatError(filepath, f"the .keras archive is corrupt (member {bad!r} fails its checksum).")
    return zf


def read_config(zf, filepath):
    names = zf.namelist()
    if CONFIG not in names:
        raise FileFormatError(
            filepath, f"this zip file is not a Keras model archive: it has no '{CONFIG}' "
            f"(members: {names[:8]}).", "Pass a file written by model.save('name.keras').")
    try:
        return json.loads(zf.read(CONFIG).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise FileFormatError(filepath, f"its {CONFIG} is not valid JSON ({e}).") from None


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    from lamina.saving.model_config import compile_from_config
    from lamina.saving.serialization_lib import deserialize_keras_object

    with open_archive(filepath) as zf:
        config = read_config(zf, filepath)
        compile_config = config.pop("compile_config", None) if isinstance(config, dict) else None
        model = deserialize_keras_object(config, custom_objects, safe_mode, kind="model")
        if compile and compile_config:
            try:
                compile_from_config(model, compile_config, custom_objects)
            except Exception as e:  # noqa: BLE001
                warnings.warn(
                    f"'{filepath}' was loaded but not compiled: its compile config could not be "
                    f"restored ({type(e).__name__}: {e}). Call model.compile(...) yourself.",
                    LaminaWarning, stacklevel=3)
        load_weights_from_archive(model, zf, filepath, load_optimizer=compile)
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
    try:
        h5 = h5py.File(io.BytesIO(zf.read(WEIGHTS)), "r")
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise FileFormatError(filepath, f"its {WEIGHTS} is not a readable HDF5 file ({e}).") from None
    with h5:
        load_weights_from_h5(model, h5, skip_mismatch=skip_mismatch, load_optimizer=load_optimizer,
                             source=f"'{filepath}'")
