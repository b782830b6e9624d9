"""A process-wide count of XLA compiles (JAX's backend-compile monitoring event), for tests that
check that something compiles nothing or compiles once."""

from __future__ import annotations

_COUNT = [0]
_REGISTERED = [False]


def _listener(name, secs, **kwargs):
    if name == "/jax/core/compile/backend_compile_duration":
        _COUNT[0] += 1


def count() -> int:
    """The number of XLA programs compiled in this process since the first call of ``count``."""
    if not _REGISTERED[0]:
        import jax

        jax.monitoring.register_event_duration_secs_listener(_listener)
        _REGISTERED[0] = True
    return _COUNT[0]
