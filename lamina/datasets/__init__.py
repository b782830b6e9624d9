"""Small data sets that ship with lamina (no download needed)."""

from lamina.datasets import digits

__all__ = ["digits"]
