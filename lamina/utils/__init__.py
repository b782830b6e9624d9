"""Utilities: label encoding, sequence padding, seeding, images, and the PyDataset base class."""

from lamina.utils.audio_dataset_utils import audio_dataset_from_directory
from lamina.utils.dataset import Dataset
from lamina.utils.dataset_utils import split_dataset
from lamina.utils.file_utils import get_file
from lamina.utils.image_dataset_utils import image_dataset_from_directory
from lamina.utils.history_plot import plot_history
from lamina.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize
from lamina.utils.model_visualization import model_to_dot, plot_model
from lamina.utils.numerical_utils import normalize, to_categorical
from lamina.utils.progbar import Progbar
from lamina.utils.py_dataset import PyDataset, Sequence
from lamina.utils.rng_utils import set_random_seed
from lamina.utils.sequence_utils import pad_sequences
from lamina.utils.text_dataset_utils import text_dataset_from_directory
from lamina.utils.timeseries_dataset_utils import timeseries_dataset_from_array
from lamina.training.custom_steps import pack_x_y_sample_weight, unpack_x_y_sample_weight

__all__ = [
    "Dataset",
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "audio_dataset_from_directory",
    "get_file",
    "image_dataset_from_directory",
    "img_to_array",
    "load_img",
    "save_img",
    "smart_resize",
    "split_dataset",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "model_to_dot",
    "normalize",
    "pad_sequences",
    "pack_x_y_sample_weight",
    "unpack_x_y_sample_weight",
    "plot_history",
    "plot_model",
    "set_random_seed",
    "to_categorical",
]
