"""``compile(jit_compile=...)`` under torch: the step's forward pass and loss through ``torch.compile``.

What is compiled is the pure part of each step: the model's forward pass plus the total loss
(train and test) and the forward pass (predict). ``backward()`` then runs the compiled backward
graph that AOTAutograd made with it, and the optimizer update stays eager (its ``foreach``
kernels are already fused). Shapes: the first batch compiles a graph specialised to its shape;
a batch of another size (the last partial batch) makes torch recompile ONCE with the batch
dimension dynamic, and every later size reuses that graph (torch's automatic dynamic shapes).
The first call of each step runs eagerly (it builds the loss and metrics).

``jit_compile='auto'`` means eager: on CPU compiling costs minutes and was not measured faster
for lamina's models (benchmarks/jit_compile.py), and on CUDA lamina has not measured it yet, so
eager stays the default there too (as in Keras 3 on torch). ``run_eagerly=True`` wins over
``jit_compile=True``.
"""

from __future__ import annotations

import torch

_CHOICES = (True, False, "auto")


def resolve(jit_compile, run_eagerly=False) -> bool:
    """``compile()``'s ``jit_compile`` as a yes/no for this backend and device."""
    if not any(jit_compile is c or jit_compile == c and isinstance(jit_compile, str) for c in _CHOICES):
        raise ValueError(
            f"compile(jit_compile={jit_compile!r}): expected True (compile the steps with "
            "torch.compile), False (eager) or 'auto' (eager unless measured faster)."
        )
    if run_eagerly or jit_compile == "auto":
        return False
    return bool(jit_compile)


def compile_fn(fn, prepare=None):
    """``fn`` compiled by ``torch.compile`` (default inductor backend, automatic dynamic shapes).

    The outermost-call bookkeeping of ``Layer.__call__`` (a counter that marks the losses of
    earlier calls stale) is done here, eagerly, before entering the compiled region: traced
    inside, torch would guard on the counter's value and recompile at every step. Inside, the
    model's call is therefore a nested one. (A model whose layers ``add_loss`` per call still
    reads the counter inside and recompiles until torch's limit, then runs eagerly.)
    ``prepare`` (if given) runs eagerly before each call, for caches the step fills lazily. The
    first call runs eagerly too: it builds what is built on first use (the compiled loss, the
    metrics), so that the compiled graph does not guard on an unbuilt state and recompile.
    """
    from lamina.layers import layer as _layer  # a function-level import: backend sits below layers

    compiled = torch.compile(fn)
    state = _layer._STATE
    calls = [0]

    def step(*args):
        if prepare is not None:
            prepare()
        calls[0] += 1
        if calls[0] == 1:
            return fn(*args)
        if state.depth:
            return compiled(*args)
        state.call_id += 1
        state.depth += 1
        try:
            return compiled(*args)
        finally:
            state.depth -= 1

    return step
