"""The PyTorch backend: the only package (beside backend/jax) that imports torch."""
