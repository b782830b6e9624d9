"""BackupAndRestore: a run killed with SIGKILL and started again ends bit-identical to one that
was never interrupted (CPU), with shuffling, dropout, Adam, ReduceLROnPlateau and EarlyStopping."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import lamina as keras
from lamina import layers

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "resume_script.py")
ROOT = os.path.dirname(os.path.dirname(HERE))


def _env():
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("LAMINA_BACKEND", None)
    return env


def _run(backup, out, freq, kill_at=None):
    args = [sys.executable, SCRIPT, str(backup), str(out), str(freq)]
    if kill_at is not None:
        args.append(str(kill_at))
    return subprocess.run(args, env=_env(), capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Final weights of the uninterrupted run (saving does not change training)."""
    d = tmp_path_factory.mktemp("ref")
    done = _run(d / "backup", d / "ref.npy", "epoch")
    assert done.returncode == 0, done.stderr
    return np.load(d / "ref.npy")


def test_sigkill_inside_an_epoch_then_restart_is_bit_identical(reference, tmp_path):
    kill_at = random.Random(12).randint(5, 100)  # 12 batches an epoch, 9 epochs: a random batch
    killed = _run(tmp_path / "backup", tmp_path / "out.npy", 5, kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert os.path.exists(tmp_path / "backup" / "training_state.npz")
    resumed = _run(tmp_path / "backup", tmp_path / "out.npy", 5)
    assert resumed.returncode == 0, resumed.stderr
    final = np.load(tmp_path / "out.npy")
    assert final.dtype == reference.dtype and np.array_equal(final, reference)
    assert not os.path.exists(tmp_path / "backup")  # delete_checkpoint=True after completion


@pytest.mark.slow
@pytest.mark.parametrize("freq", ["epoch", 3, 1])
def test_sigkill_at_random_times_then_restart_is_bit_identical(reference, tmp_path, freq):
    """The parent kills the child at random wall-clock moments (during saves too), restarts it
    until it completes, several times; the final weights never differ."""
    rng = random.Random(f"kill-{freq}")
    for trial in range(3):
        backup, out = tmp_path / f"b{trial}", tmp_path / f"w{trial}.npy"
        kills, longest = 0, 1.5
        while kills == 0:  # a fast machine may finish before the first kill: aim earlier
            assert longest > 0.01, "the child always finished before it could be killed"
            for _ in range(12):
                proc = subprocess.Popen([sys.executable, SCRIPT, str(backup), str(out), str(freq)],
                                        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
                proc.stdout.readline()  # "training": imports are done, the first batch starts
                time.sleep(rng.uniform(0.0, longest))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
                _, err = proc.communicate(timeout=600)
                if proc.returncode == 0:
                    break
                assert proc.returncode == -signal.SIGKILL, err
            else:
                _run(backup, out, freq)
            longest /= 2
        assert np.array_equal(np.load(out), reference), f"trial {trial} after {kills} kills"


# ---------------------------------------------------------------- in-process behaviour
def _model():
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dropout(0.5), layers.Dense(1)])
    model.compile("adam", "mse", metrics=["mae"])
    return model


def _data():
    rng = np.random.RandomState(1)
    x = rng.rand(64, 4).astype("float32")
    return x, x.sum(1, keepdims=True)


class _Interrupt(keras.callbacks.Callback):
    def __init__(self, epoch, batch=None):
        super().__init__()
        self.epoch, self.batch = epoch, batch

    def on_train_batch_end(self, batch, logs=None):
        if self.batch is not None and self._e == self.epoch and batch == self.batch:
            raise KeyboardInterrupt

    def on_epoch_begin(self, epoch, logs=None):
        self._e = epoch
        if self.batch is None and epoch == self.epoch:
            raise KeyboardInterrupt


@pytest.mark.parametrize("freq,interrupt", [("epoch", (3, None)), (2, (2, 4))])
def test_interrupted_fit_resumes_to_the_same_weights_and_logs(tmp_path, freq, interrupt):
    x, y = _data()
    ref = _model()
    ref_hist = ref.fit(x, y, batch_size=8, epochs=5, verbose=0).history
    model = _model()
    backup = keras.callbacks.BackupAndRestore(tmp_path, save_freq=freq)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[backup, _Interrupt(*interrupt)])
    np.random.seed(123)  # the restart must not depend on the state the crash left behind
    keras.backend.set_seed(99)
    model = _model()
    hist = model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[backup]).history
    for a, b in zip(model.get_weights(), ref.get_weights()):
        assert np.array_equal(a, b)
    start = 5 - len(hist["loss"])
    assert start == interrupt[0]
    assert hist["loss"] == ref_hist["loss"][start:] and hist["mae"] == ref_hist["mae"][start:]


def test_a_shuffling_torch_dataloader_resumes_at_the_same_batch(tmp_path):
    """A DataLoader draws its order from torch's generator when iterated: restored too."""
    torch = pytest.importorskip("torch")
    x, y = _data()

    def loader():
        ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
        return torch.utils.data.DataLoader(ds, batch_size=8, shuffle=True)

    ref = _model()
    ref.fit(loader(), epochs=3, verbose=0)
    model = _model()
    backup = keras.callbacks.BackupAndRestore(tmp_path, save_freq=3)
    with pytest.raises(KeyboardInterrupt):
        model.fit(loader(), epochs=3, verbose=0, callbacks=[backup, _Interrupt(1, 5)])
    torch.manual_seed(1234)
    model = _model()
    model.fit(loader(), epochs=3, verbose=0, callbacks=[backup])
    for a, b in zip(model.get_weights(), ref.get_weights()):
        assert np.array_equal(a, b)


def test_early_stopping_state_is_carried_over(tmp_path):
    x, y = _data()
    backup = keras.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    stop = keras.callbacks.EarlyStopping("loss", patience=3, min_delta=100.0)  # never improves
    _model().fit(x, y, epochs=2, verbose=0, callbacks=[stop, backup])
    assert stop.wait == 1
    stop2 = keras.callbacks.EarlyStopping("loss", patience=3, min_delta=100.0)
    hist = _model().fit(x, y, epochs=10, verbose=0, callbacks=[stop2, backup])
    # epochs 0-1 ran before; epoch 2 and 3 take wait to 3: stopped after 2 more epochs (not 4)
    assert len(hist.history["loss"]) == 2 and stop2.stopped_epoch == 3


def test_damaged_latest_backup_falls_back_to_the_previous_with_double_checkpoint(tmp_path):
    x, y = _data()
    backup = keras.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True, delete_checkpoint=False)
    _model().fit(x, y, epochs=3, verbose=0, callbacks=[backup])
    assert sorted(os.listdir(tmp_path)) == ["training_state.npz", "training_state.npz.bkp"]
    with open(tmp_path / "training_state.npz", "wb") as f:
        f.write(b"PK\x03\x04 torn write")
    hist = _model().fit(x, y, epochs=4, verbose=0, callbacks=[backup])
    assert len(hist.history["loss"]) == 2  # the previous backup was taken after epoch 2 of 3


def test_damaged_backup_without_a_previous_one_is_a_clear_error(tmp_path):
    os.makedirs(tmp_path / "b")
    with open(tmp_path / "b" / "training_state.npz", "wb") as f:
        f.write(b"garbage")
    x, y = _data()
    with pytest.raises(ValueError, match=r"cannot be read .*Delete '.*b' to start training from scratch"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(tmp_path / "b")])


def test_backup_of_another_model_is_refused(tmp_path):
    x, y = _data()
    _model().fit(x, y, epochs=1, verbose=0,
                 callbacks=[keras.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)])
    other = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    other.compile("adam", "mse")
    with pytest.raises(ValueError, match=r"does not fit this model: it holds 4 variables but the model has 2"):
        other.fit(x, y, epochs=2, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(tmp_path)])


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    x, y = _data()
    backup = keras.callbacks.BackupAndRestore(tmp_path, save_freq=3, delete_checkpoint=False)
    _model().fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[backup])
    before = open(tmp_path / "training_state.npz", "rb").read()

    def torn(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", torn)
    with pytest.raises(OSError, match="the previous file there is unchanged"):
        _model().fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[backup])
    assert open(tmp_path / "training_state.npz", "rb").read() == before
    assert os.listdir(tmp_path) == ["training_state.npz"]


@pytest.mark.parametrize("freq", [0, -3, "batch", 2.5, True])
def test_invalid_save_freq_is_refused(tmp_path, freq):
    with pytest.raises(ValueError, match=r"invalid save_freq=.*expected 'epoch' or a positive integer"):
        keras.callbacks.BackupAndRestore(tmp_path, save_freq=freq)


def test_empty_backup_dir_is_refused():
    with pytest.raises(ValueError, match="backup_dir must be a folder path; received ''"):
        keras.callbacks.BackupAndRestore("")
