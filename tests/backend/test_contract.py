"""Every installed backend fulfils lamina/backend/contract.py; the check reports every gap."""

import importlib
import sys
import types

import pytest

import lamina
from lamina.backend import contract


def _installed():
    out = []
    for name, package in lamina.backend.REGISTRY.items():
        try:
            importlib.import_module(package)
        except ImportError:  # the engine itself (jax...) is not installed here
            continue
        out.append((name, package))
    return out


@pytest.mark.parametrize("name,package", _installed(), ids=[n for n, _ in _installed()])
def test_every_installed_backend_fulfils_the_contract(name, package):
    assert contract.missing(package) == {}  # lazy modules (trainer, optimizers) included
    contract.check(name, package)


def test_lamina_backend_exposes_the_loaded_backend():
    b = lamina.backend
    assert b.backend() in b.REGISTRY
    for mod in ("ops", "random", "trainer", "optimizers"):
        assert getattr(b, mod) is importlib.import_module(f"{b.REGISTRY[b.backend()]}.{mod}")
    with pytest.raises(AttributeError, match="has no attribute 'nonexistent'"):
        b.nonexistent  # noqa: B018


def test_the_check_lists_every_gap_at_once(monkeypatch):
    pkg = types.ModuleType("fakebackend")
    pkg.__path__ = []
    ops = types.ModuleType("fakebackend.ops")
    ops.matmul = lambda a, b: a
    random = types.ModuleType("fakebackend.random")
    for m in (pkg, ops, random):
        monkeypatch.setitem(sys.modules, m.__name__, m)
    gaps = contract.missing("fakebackend", ("ops", "random", "core"))
    assert gaps["core"] == ["(module missing)"]
    assert "convert_to_tensor" in gaps["ops"] and "matmul" not in gaps["ops"]
    assert "SEED_DTYPE" in gaps["random"]
    with pytest.raises(contract.BackendContractError,
                       match=r"backend 'fake' \(fakebackend\) does not fulfil the backend contract: "
                             r"missing ops: Tensor, .*; random: SEED_DTYPE, .*; core: \(module missing\)"):
        contract.check("fake", "fakebackend", ("ops", "random", "core"))


def test_core_code_uses_only_contract_ops():
    """Every ``ops.<name>`` that core code calls is a public lamina.ops name or one of the
    contract's ops (backend-shaped helpers such as ``addmm`` reached through lamina.ops._internal)."""
    import pathlib
    import re

    root = pathlib.Path(lamina.__file__).parent
    used = set()
    for path in root.rglob("*.py"):
        if path.relative_to(root).parts[0] in ("backend", "ops"):
            continue
        used |= set(re.findall(r"\bops\.([a-z_][a-z0-9_]*)\(", path.read_text(encoding="utf-8")))
    assert sorted(n for n in used if not hasattr(lamina.ops, n) and n not in contract.OPS) == []
