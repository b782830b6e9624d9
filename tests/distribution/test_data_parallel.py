"""Data parallelism on torch.distributed (gloo, CPU): N processes train exactly like one."""

import json
import os
import pathlib
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

pytestmark = pytest.mark.torch_only  # data parallelism on torch.distributed

SCRIPT = pathlib.Path(__file__).with_name("ddp_script.py")
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "LAMINA_DEVICE"):
        env.pop(k, None)
    env.update(extra)
    return env


def _run(tmp, name, nproc, mode="train"):
    results, files = tmp / f"{name}_results", tmp / f"{name}_files"
    results.mkdir()
    files.mkdir()
    args = [str(SCRIPT), str(results), str(files), mode]
    if nproc == 1:
        cmd = [sys.executable] + args
    else:  # the plain way PyTorch users launch: torchrun
        cmd = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={nproc}",
               f"--master_port={_port()}"] + args
    proc = subprocess.run(cmd, env=_env(LAMINA_DIST_TIMEOUT="60"), capture_output=True, text=True,
                          timeout=300)
    return proc, results, files


def _load(results, rank):
    data = np.load(results / f"rank{rank}.npz")
    with open(results / f"rank{rank}.json") as f:
        return data, json.load(f)


@pytest.mark.slow  # a job of one process and one of two: ~30 s on an idle 2-core machine
# arrays (shuffled) / a generator / BatchNormalization(synchronized=True) with one all-reduce
# bucket per gradient tensor (launched during backward, in order)
@pytest.mark.parametrize("mode", ["train", "generator", "syncbn"])
def test_two_processes_train_like_one(tmp_path, mode):
    one, r1, f1 = _run(tmp_path, "one", 1, mode)
    assert one.returncode == 0, one.stderr[-3000:]
    two, r2, f2 = _run(tmp_path, "two", 2, mode)
    assert two.returncode == 0, two.stderr[-3000:]
    (w1, j1), (w20, j20), (w21, j21) = _load(r1, 0), _load(r2, 0), _load(r2, 1)
    assert j1["world"] == 1 and j20["world"] == 2 == j21["world"]
    weights = [k for k in w1.files if k.startswith("w")]
    assert len(weights) == (7 if mode == "syncbn" else 4)  # kernel, BN gamma beta + 2 moving, Dense
    for k in weights:
        np.testing.assert_array_equal(w20[k], w21[k])  # identical on every rank
        np.testing.assert_allclose(w20[k], w1[k], rtol=1e-5, atol=1e-6)  # == one process
    # the weights moved: the comparison is not between two untrained models
    assert np.abs(w1["w0"]).sum() > 0 and len(j1["history"]["loss"]) >= 2
    for key, values in j1["history"].items():  # History holds global values on every rank
        np.testing.assert_allclose(j20["history"][key], values, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(j21["history"][key], values, rtol=1e-5, atol=1e-6)
    for key, value in j1["evaluate"].items():
        assert j20["evaluate"][key] == pytest.approx(value, rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(w20["predictions"], w1["predictions"], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(w20["predictions"], w21["predictions"])
    # Only rank 0 printed the progress and wrote the files (the same set as one process).
    assert sorted(p.name for p in f2.iterdir()) == sorted(p.name for p in f1.iterdir()) == \
        ["ckpt.weights.h5", "log.csv", "model.keras"]
    assert two.stdout.count("Epoch 1/") == 1
    assert (f2 / "log.csv").read_text().count("\n") == (f1 / "log.csv").read_text().count("\n")


@pytest.mark.slow
def test_a_failing_rank_ends_every_rank_with_a_clear_error(tmp_path):
    """Without torchrun's supervision: rank 1 raises; rank 0 must not hang in its all-reduce."""
    results, files = tmp_path / "res", tmp_path / "files"
    results.mkdir()
    files.mkdir()
    port = str(_port())
    procs = []
    start = time.perf_counter()
    for rank in range(2):
        env = _env(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                   MASTER_PORT=port, LAMINA_DIST_TIMEOUT="60")
        procs.append(subprocess.Popen([sys.executable, str(SCRIPT), str(results), str(files), "crash"],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outs = [p.communicate(timeout=240) for p in procs]
    elapsed = time.perf_counter() - start
    assert procs[1].returncode != 0 and "boom on rank 1" in outs[1][1]
    assert procs[0].returncode != 0, outs[0]
    assert "DistributedError" in outs[0][1] and "Another process probably failed" in outs[0][1], outs[0][1][-2000:]
    assert elapsed < 200  # ended by the failure, not by a hang
    assert not list(results.iterdir())


def test_shard_bounds_cover_the_batch_in_order():
    from lamina.backend.torch.data_parallel import shard_bounds

    for m in (0, 1, 2, 7, 15, 16):
        for world in (1, 2, 3, 4):
            bounds = [shard_bounds(m, r, world) for r in range(world)]
            assert bounds[0][0] == 0 and bounds[-1][1] == m
            assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
            sizes = [hi - lo for lo, hi in bounds]
            assert max(sizes) - min(sizes) <= 1


def _mlp(keras):
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.layers.Input((5,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_data_parallel_steps_in_a_one_process_group_match_plain_steps():
    """The data-parallel steps (weighting, all-reduce, log reduction, gather) in a gloo group of
    one process give what the plain steps give; the multi-process run is the slow test above."""
    import torch.distributed as tdist

    import lamina as keras
    from lamina.backend.torch.data_parallel import DataParallelSteps
    from lamina.training.step_logic import StepLogic

    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(45, 5)).astype("float32"), rng.integers(0, 2, 45)
    plain = _mlp(keras)
    h_plain = plain.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    tdist.init_process_group("gloo", store=tdist.HashStore(), rank=0, world_size=1)
    try:
        dp = _mlp(keras)
        dp._steps = DataParallelSteps(dp, StepLogic(dp))
        h_dp = dp.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        ev = dp.evaluate(x, y, batch_size=7, verbose=0, return_dict=True)
        pred = dp.predict(x, batch_size=7, verbose=0)
    finally:
        tdist.destroy_process_group()
    for k, v in h_plain.history.items():
        np.testing.assert_allclose(h_dp.history[k], v, rtol=1e-6)
    for a, b in zip(plain.get_weights(), dp.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert ev == pytest.approx(plain.evaluate(x, y, batch_size=7, verbose=0, return_dict=True), rel=1e-6)
    np.testing.assert_allclose(pred, plain.predict(x, batch_size=7, verbose=0), rtol=1e-6)


@pytest.mark.slow
def test_two_nodes_simulated_with_torchrun_rendezvous(tmp_path):
    """Multi-node: two torchrun agents (one process each) meet through c10d rendezvous, as two
    machines would; they train like one process."""
    one, r1, _ = _run(tmp_path, "one", 1)
    assert one.returncode == 0, one.stderr[-3000:]
    results, files = tmp_path / "nodes_results", tmp_path / "nodes_files"
    results.mkdir()
    files.mkdir()
    endpoint = f"127.0.0.1:{_port()}"
    agents = [subprocess.Popen(
        [sys.executable, "-m", "torch.distributed.run", "--nnodes=2", "--nproc_per_node=1",
         f"--node_rank={node}", "--rdzv-backend=c10d", f"--rdzv-endpoint={endpoint}", "--rdzv-id=lamina",
         str(SCRIPT), str(results), str(files)],
        env=_env(LAMINA_DIST_TIMEOUT="60"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for node in range(2)]
    outs = [a.communicate(timeout=300) for a in agents]
    assert all(a.returncode == 0 for a in agents), [o[1][-2000:] for o in outs]
    (w1, j1), (w2, j2) = _load(r1, 0), _load(results, 1)
    assert j2["world"] == 2
    for k in (k for k in w1.files if k.startswith("w")):
        np.testing.assert_allclose(w2[k], w1[k], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(j2["history"]["loss"], j1["history"]["loss"], rtol=1e-5)
