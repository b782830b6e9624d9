"""Backend-neutral helpers shared by every backend (pure Python: no torch, no jax)."""
