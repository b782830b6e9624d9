"""Utilities: label encoding, sequence padding, seeding, and the PyDataset base class."""

from lamina.utils.model_visualization import model_to_dot, plot_model
from lamina.utils.numerical_utils import normalize, to_categorical
from lamina.utils.py_dataset import PyDataset, Sequence
from lamina.utils.rng_utils import set_random_seed
from lamina.utils.sequence_utils import pad_sequences
from lamina.training.custom_steps import pack_x_y_sample_weight, unpack_x_y_sample_weight

__all__ = [
    "PyDataset",
    "Sequence",
    "model_to_dot",
    "normalize",
    "pad_sequences",
    "pack_x_y_sample_weight",
    "unpack_x_y_sample_weight",
    "plot_model",
    "set_random_seed",
    "to_categorical",
]
