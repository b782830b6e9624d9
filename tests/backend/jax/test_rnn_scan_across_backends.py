"""The recurrent layers' ``lax.scan`` path under JAX, from a torch (default) run (slow: each test
starts JAX in a subprocess).

- tests/layers/rnn/test_rnn_scan.py (the in-process JAX tests: NumPy references, scan against
  the unrolled loop, stateful, random cells, fallback) run under ``LAMINA_BACKEND=jax``;
- every case of ``rnn_scan_cases.py`` (LSTM/GRU/SimpleRNN with right/left-padded and holey
  masks, go_backwards, return_state, initial_state, stacked and custom cells, Bidirectional,
  ConvLSTM1D/2D) predicts the same and takes the same SGD step under JAX (scan, and unrolled)
  as under torch (fused kernels / Python loop), within float32 tolerance.
"""


import numpy as np
import pytest

pytest.importorskip("jax")

from tests.backend.jax._subprocess import ROOT, run  # noqa: E402

pytestmark = pytest.mark.slow
CASES = ROOT / "tests" / "backend" / "jax" / "rnn_scan_cases.py"


def test_the_scan_tests_pass_under_jax():
    code = ("import sys, pytest; rc = pytest.main(['-q', '-x', '-o', 'addopts=', '-p', 'no:cacheprovider', "
            "'tests/layers/rnn/test_rnn_scan.py']); print('{\"rc\": %d}' % rc); sys.exit(0)")
    assert run("jax", code, timeout=1800) == {"rc": 0}


def _cases(backend, path):
    run(backend, f"import runpy, sys; sys.argv = ['x', {str(path)!r}]; "
                 f"runpy.run_path({str(CASES)!r}, run_name='__main__'); print('{{}}')", timeout=1800)
    return dict(np.load(path))


def test_recurrent_layers_agree_across_backends_and_with_the_unrolled_loop(tmp_path):
    ref = _cases("torch", tmp_path / "torch.npz")
    got = _cases("jax", tmp_path / "jax.npz")
    errors = {k: str(v)[-800:] for k, v in {**ref, **got}.items() if k.endswith("/error")}
    assert errors == {}
    assert sorted(k for k in got if "@unrolled" not in k) == sorted(ref)
    bad = {}
    for key, value in got.items():
        want = ref[key.replace("@unrolled", "")]
        if not np.allclose(value, want, rtol=1e-4, atol=1e-5):
            bad[key] = float(np.max(np.abs(value - want)))
    assert bad == {}


