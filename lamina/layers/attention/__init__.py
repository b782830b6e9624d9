"""Attention layers (Attention, AdditiveAttention, MultiHeadAttention). Import them from ``lamina.layers``."""
