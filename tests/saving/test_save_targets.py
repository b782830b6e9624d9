"""Where saves go and what a failed save leaves: stale temporary files of killed saves are
removed by the next save, write errors name the target and say the previous file is unchanged,
symlinks are followed, read-only targets are refused."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from saving_helpers import mlp

import lamina
from lamina.saving import file_io

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAVES = [("m.keras", "save"), ("m.h5", "save"), ("m.weights.h5", "save_weights"), ("w.h5", "save_weights")]


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("name,method", SAVES)
def test_the_next_save_removes_temporaries_of_dead_processes(tmp_path, name, method):
    prefix = f".{name}.lamina.{file_io._host()}."
    stale = tmp_path / f"{prefix}{_dead_pid()}.0a1b2c3d.tmp"
    alive = tmp_path / f"{prefix}{os.getppid()}.0a1b2c3d.tmp"  # a live process: maybe saving now
    other_host = tmp_path / f".{name}.lamina.elsewhere.{_dead_pid()}.0a1b2c3d.tmp"
    other_target = tmp_path / f".other.keras.lamina.{file_io._host()}.{_dead_pid()}.0a1b2c3d.tmp"
    for p in (stale, alive, other_host, other_target):
        p.write_bytes(b"x" * 1000)
    getattr(mlp(), method)(tmp_path / name)
    left = sorted(os.listdir(tmp_path))
    assert stale.name not in left
    assert {alive.name, other_host.name, other_target.name, name} == set(left)


def test_temporary_names_identify_host_and_process(tmp_path):
    name = os.path.basename(file_io.temp_name(tmp_path / "m.keras"))
    assert name.startswith(f".m.keras.lamina.{file_io._host()}.{os.getpid()}.") and name.endswith(".tmp")


@pytest.mark.parametrize("name,method", SAVES)
def test_saving_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path, name, method):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / name
    getattr(mlp("first"), method)(target)
    link = tmp_path / name
    link.symlink_to(target)
    model = mlp("second")
    getattr(model, method)(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    other = mlp("third")
    other.load_weights(target)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name,method", SAVES)
def test_a_read_only_target_is_refused(tmp_path, name, method):
    target = tmp_path / name
    getattr(mlp(), method)(target)
    before = target.read_bytes()
    target.chmod(0o444)
    try:
        with pytest.raises(PermissionError, match=rf"Cannot save to '{target}': the file is read-only, so "
                           r"lamina will not replace it \(the previous file is unchanged\)\. Make it "
                           r"writable \(chmod u\+w\)"):
            getattr(mlp(), method)(target)
    finally:
        target.chmod(0o644)
    assert target.read_bytes() == before


CHILD = textwrap.dedent("""
    import os, resource, signal, sys
    import lamina
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    path, method = sys.argv[1], sys.argv[2]
    small = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    getattr(small, method)(path)
    big = lamina.Sequential([lamina.Input((300,)), lamina.layers.Dense(2000)])
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))  # the disk is "full"
    try:
        getattr(big, method)(path)
    except OSError as e:
        print(type(e).__name__, "|", e)
""")


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE / SIGXFSZ")
@pytest.mark.parametrize("name,method", [("m.keras", "save"), ("m.h5", "save"), ("m.weights.h5", "save_weights")])
def test_a_write_error_names_the_target_and_keeps_the_previous_file(tmp_path, name, method):
    target = tmp_path / name
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", CHILD, str(target), method], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    kind, message = out.stdout.strip().split(" | ", 1)
    assert kind == "OSError"
    assert f"Could not save to '{target}': File too large; the previous file there is unchanged" in message
    assert os.listdir(tmp_path) == [name]  # no temporary file left behind
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    model.load_weights(target)  # the small model's file, intact
