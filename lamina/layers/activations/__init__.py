"""Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax). Import them from ``lamina.layers``."""
