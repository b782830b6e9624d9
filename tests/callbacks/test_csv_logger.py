import warnings

import pytest

from lamina.callbacks import CSVLogger
from tests.keras3 import keras3


def _logs(e):
    return {"loss": 1.0 / (e + 1), "accuracy": 0.5 + 0.1 * e, "val_loss": 2.0 / (e + 1)}


def _drive(cb, model, epochs, logs_fn):
    cb.set_model(model)
    cb.on_train_begin({})
    for e in range(epochs):
        cb.on_epoch_end(e, logs_fn(e))
    cb.on_train_end({})


def test_file_content(model, tmp_path):
    path = tmp_path / "log.csv"
    _drive(CSVLogger(path), model, 2, _logs)
    assert path.read_text().splitlines() == [
        "epoch,accuracy,loss,val_loss",
        "0,0.5,1.0,2.0",
        "1,0.6,0.5,1.0",
    ]


def test_append_writes_header_once_and_val_columns_reserved(model, tmp_path):
    path = tmp_path / "log.tsv"
    _drive(CSVLogger(path, separator="\t", append=True), model, 1, lambda e: {"loss": 1.5})
    _drive(CSVLogger(path, separator="\t", append=True), model, 1, lambda e: {"loss": 0.5})
    assert path.read_text().splitlines() == ["epoch\tloss\tval_loss", "0\t1.5\tNA", "0\t0.5\tNA"]


@pytest.mark.parametrize("append", [False, True])
def test_same_file_as_keras(model, tmp_path, append):
    keras = keras3()
    ours, theirs = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    for _ in range(2):
        _drive(CSVLogger(ours, append=append), model, 3, _logs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _drive(keras.callbacks.CSVLogger(str(theirs), append=append), model, 3, _logs)
    assert ours.read_text() == theirs.read_text()
