"""Keras 3's preprocessing and augmentation layers (one per file)."""
