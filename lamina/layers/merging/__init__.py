"""Merging layers (Concatenate, Add, ..., Dot) and their functional forms.

Import them from ``lamina.layers``.
"""
