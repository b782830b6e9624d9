"""``keras.preprocessing`` for old tutorials: what Keras 3 still has, and the Keras 1/2 rest.

- ``lamina.preprocessing.sequence.pad_sequences`` (also ``lamina.utils.pad_sequences``);
- ``lamina.preprocessing.image``: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``,
  ``smart_resize``;
- the Keras 1/2 helpers that Keras 3 removed (``ImageDataGenerator``, ``Tokenizer``,
  ``TimeseriesGenerator``, ``skipgrams`` ...) work, with a warning naming the Keras 3 way.
"""

from lamina.preprocessing import image, sequence, text  # noqa: F401
from lamina.utils import image_dataset_from_directory, text_dataset_from_directory, timeseries_dataset_from_array  # noqa: F401

__all__ = ["image", "sequence", "text"]
