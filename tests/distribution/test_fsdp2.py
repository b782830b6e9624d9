"""The README's FSDP2 (``fully_shard``) recipe, run on CPU with gloo in two processes."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

from tests.distribution.test_data_parallel import _env, _port

SCRIPT = pathlib.Path(__file__).with_name("fsdp_script.py")


@pytest.mark.slow  # two torchrun processes: ~15 s on an idle 2-core machine
def test_fully_shard_trains_a_lamina_model_like_one_process_on_the_global_batch(tmp_path):
    pytest.importorskip("torch.distributed.fsdp", reason="FSDP2 needs torch >= 2.6")
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
                           f"--master_port={_port()}", str(SCRIPT), str(tmp_path)],
                          env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r0, r1 = np.load(tmp_path / "rank0.npz"), np.load(tmp_path / "rank1.npz")
    for i in range(4):
        # Each rank holds half of every weight (dim 0 split), not a copy of the model ...
        full_shape = r0[f"full{i}"].shape
        assert tuple(r0[f"shape{i}"]) == (full_shape[0] // 2,) + full_shape[1:]
        # ... and the gathered weights are those of one process trained on the global batch.
        np.testing.assert_array_equal(r0[f"full{i}"], r1[f"full{i}"])
        np.testing.assert_allclose(r0[f"full{i}"], r0[f"ref{i}"], rtol=1e-5, atol=1e-6)
        assert np.abs(r0[f"full{i}"] - r0[f"init{i}"]).max() > 1e-3  # the weights moved
