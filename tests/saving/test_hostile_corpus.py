"""The hostile-file corpus (tests/saving/hostile_corpus.py): every file is refused with the right
lamina error naming the file, no payload runs, and loading them all stays within a memory bound.

The loads run in a child process so that its peak memory (``ru_maxrss``) measures them alone;
before the limits, the bombs of this corpus made lamina allocate 1.6 to 40 GB.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# Peak memory the whole corpus may add to a process that has already loaded one good model.
MEMORY_BOUND_MB = 150


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("hostile"))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, os.path.join(HERE, "hostile_corpus.py"), out], check=True,
                   env=env, cwd=ROOT, capture_output=True, timeout=300)
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    proc = subprocess.run([sys.executable, os.path.join(HERE, "hostile_corpus.py"), out, "--load"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return out, manifest, lines[0]["baseline_mb"], {r["file"]: r for r in lines[1:]}


def test_the_corpus_covers_the_attack_families(corpus):
    _, manifest, _, _ = corpus
    names = {c["file"] for c in manifest["cases"]}
    for needed in ("chain_load_model.keras", "chain_save_model.keras", "config_bomb.keras",
                   "huge_kernel.weights.h5", "numpy_dtype_bomb.keras", "external_storage.weights.h5",
                   "external_link.weights.h5", "virtual.weights.h5", "deep_nesting.keras",
                   "flipped_bit.weights.h5", "truncated.h5"):
        assert needed in names
    assert len(names) >= 35


def test_every_hostile_file_is_refused_with_the_right_lamina_error(corpus):
    out, manifest, _, results = corpus
    wrong = []
    for case in manifest["cases"]:
        got = results.get(case["file"])
        if got is None:
            wrong.append(f"{case['file']}: no result (the loader died?)")
            continue
        path = os.path.join(out, case["file"])
        if got["error"] != case["error"]:
            wrong.append(f"{case['file']}: {got['error']} instead of {case['error']}: {got['message'][:200]}")
        elif path not in got["message"]:
            wrong.append(f"{case['file']}: the message does not name the file: {got['message'][:200]}")
        elif not re.search(case["pattern"], got["message"], re.S):
            wrong.append(f"{case['file']}: message lacks /{case['pattern']}/: {got['message'][:300]}")
    assert not wrong, "\n".join(wrong)


def test_no_payload_ran(corpus):
    out, manifest, _, results = corpus
    assert len(results) == len(manifest["cases"])
    assert not os.path.exists(os.path.join(out, manifest["marker"])), "a file made lamina run code"


def test_peak_memory_of_the_hostile_loads_is_bounded(corpus):
    _, _, baseline, results = corpus
    peak = max(r["peak_mb"] for r in results.values())
    assert peak - baseline < MEMORY_BOUND_MB, (
        f"loading the corpus raised peak memory from {baseline:.0f} MB to {peak:.0f} MB; by file: "
        + ", ".join(f"{k}: {v['peak_mb']:.0f}" for k, v in results.items()))


def test_the_payload_is_real(tmp_path):
    """The marker proves something: the corpus's bytecode payload does write it when the caller
    says the file is trusted (safe_mode=False)."""
    sys.path.insert(0, HERE)
    try:
        from hostile_corpus import _bytecode_lambda_archive
    finally:
        sys.path.remove(HERE)
    import lamina

    marker = tmp_path / "PAYLOAD_RAN"
    _bytecode_lambda_archive(str(tmp_path / "p.keras"), str(marker))
    with pytest.raises(lamina.errors.UnsafeLoadError):
        lamina.models.load_model(tmp_path / "p.keras")
    assert not marker.exists()
    with pytest.raises(lamina.errors.FileFormatError, match="model.weights.h5"):
        lamina.models.load_model(tmp_path / "p.keras", safe_mode=False)
    assert marker.exists()
