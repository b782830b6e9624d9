"""Keras 1 module ``keras.objectives``: the old name of ``lamina.losses``, deprecated."""

from lamina.utils.legacy_module import reexport

__getattr__, __dir__ = reexport("lamina.objectives", {}, fallback="lamina.losses")
