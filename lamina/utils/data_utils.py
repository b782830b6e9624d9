"""Keras 2 module path ``keras.utils.data_utils``: ``get_file`` and ``Sequence``, deprecated.

Modern spellings: ``lamina.utils.get_file`` and ``lamina.utils.PyDataset``.
"""

from lamina.utils.legacy_module import reexport

__getattr__, __dir__ = reexport("lamina.utils.data_utils", {
    "Sequence": "lamina.utils:PyDataset",
    "get_file": "lamina.utils",
})
