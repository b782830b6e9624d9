"""The JAX backend: with backend/torch, the only package that imports jax.

Selected with ``LAMINA_BACKEND=jax`` (or ``"backend": "jax"`` in ``~/.lamina/lamina.json``).
Weights live in ``Variable``s that hold immutable ``jax.Array``s; a layer reads them by attribute
name, and inside a ``StatelessScope`` it reads the scope's values instead, which is how the train
step becomes a pure function that ``jax.jit`` compiles (see ``trainer.py``).
"""
