"""Damaged or wrong files raise lamina.errors.FileFormatError naming the file and the problem."""

from __future__ import annotations

import json
import zipfile

import h5py
import pytest
from saving_helpers import fixture_path, mlp

import lamina
from lamina.errors import FileFormatError


def _truncate(src, dst, fraction=0.5):
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


@pytest.fixture
def saved(tmp_path):
    model = mlp()
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    model.save_weights(tmp_path / "m.weights.h5")
    return tmp_path


def test_truncated_keras_archive(saved):
    bad = _truncate(saved / "m.keras", saved / "cut.keras")
    with pytest.raises(FileFormatError, match=r"cut\.keras.*(corrupt|truncated)"):
        lamina.models.load_model(bad)


def test_corrupted_bytes_inside_the_archive(saved):
    data = bytearray((saved / "m.keras").read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(64)
    (saved / "flipped.keras").write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="flipped.keras"):
        lamina.models.load_model(saved / "flipped.keras")


@pytest.mark.parametrize("name", ["m.h5", "m.weights.h5"])
def test_truncated_hdf5(saved, name):
    bad = _truncate(saved / name, saved / ("cut_" + name))
    with pytest.raises(FileFormatError, match="cut_.*(truncated|corrupt)"):
        if name == "m.h5":
            lamina.models.load_model(bad)
        else:
            mlp().load_weights(bad)


def test_unknown_class_in_config_suggests_the_fix(tmp_path):
    model = mlp()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["class_name"] = "Dence"
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "unknown.keras", "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    with pytest.raises(FileFormatError) as info:
        lamina.models.load_model(tmp_path / "unknown.keras")
    msg = str(info.value)
    assert "unknown.keras" in msg and "'Dence'" in msg and "Did you mean 'Dense'?" in msg
    assert "custom_objects" in msg and "register_keras_serializable" in msg


@pytest.mark.parametrize("content,what", [
    (b"this is not a model\n", "neither"),
    (b"", "empty"),
    (b'{"class_name": "Sequential"}', "JSON"),
])
def test_non_model_files(tmp_path, content, what):
    path = tmp_path / "notes.keras"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=f"notes.keras.*{what}"):
        lamina.models.load_model(path)
    with pytest.raises(FileFormatError, match="notes.keras"):
        mlp().load_weights(path)


def test_zip_without_config(tmp_path):
    with zipfile.ZipFile(tmp_path / "other.keras", "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(FileFormatError, match="no 'config.json'"):
        lamina.models.load_model(tmp_path / "other.keras")


def test_weights_file_given_to_load_model(saved):
    with pytest.raises(FileFormatError, match="weights only.*load_weights"):
        lamina.models.load_model(fixture_path("k2_mlp_weights.h5"))
    with pytest.raises(FileFormatError, match="no 'model_config'"):
        lamina.models.load_model(saved / "m.weights.h5")


def test_hdf5_without_keras_content(tmp_path):
    with h5py.File(tmp_path / "data.h5", "w") as f:
        f["x"] = [1, 2, 3]
    with pytest.raises(FileFormatError, match="no Keras"):
        lamina.models.load_model(tmp_path / "data.h5")
    with pytest.raises(FileFormatError, match="no Keras weights"):
        mlp().load_weights(tmp_path / "data.h5")


def test_folder_and_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match="folder"):
        lamina.models.load_model(tmp_path)
    with pytest.raises(FileNotFoundError):
        lamina.models.load_model(tmp_path / "nope.keras")
