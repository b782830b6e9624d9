"""Utilities: label encoding, sequence padding, seeding, images, and the PyDataset base class."""

from lamina.utils.file_utils import get_file
from lamina.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize
from lamina.utils.model_visualization import model_to_dot, plot_model
from lamina.utils.numerical_utils import normalize, to_categorical
from lamina.utils.py_dataset import PyDataset, Sequence
from lamina.utils.rng_utils import set_random_seed
from lamina.utils.sequence_utils import pad_sequences
from lamina.training.custom_steps import pack_x_y_sample_weight, unpack_x_y_sample_weight

__all__ = [
    "PyDataset",
    "Sequence",
    "array_to_img",
    "get_file",
    "img_to_array",
    "load_img",
    "save_img",
    "smart_resize",
    "model_to_dot",
    "normalize",
    "pad_sequences",
    "pack_x_y_sample_weight",
    "unpack_x_y_sample_weight",
    "plot_model",
    "set_random_seed",
    "to_categorical",
]
