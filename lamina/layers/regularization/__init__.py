"""Regularization layers (spatial/Gaussian/alpha dropout, noise, activity regularization).
Import them from ``lamina.layers``."""
