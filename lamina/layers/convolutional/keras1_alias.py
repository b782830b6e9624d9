"""Keras 1 layer names whose positional arguments meant something else than they do today.

Keras 1 wrote ``Convolution2D(32, 3, 3)``: 32 filters of 3x3 (``nb_filter, nb_row, nb_col``).
Keras 2/3 kept ``Convolution2D`` as an alias of ``Conv2D`` and read the same call as
``kernel_size=3, strides=3``, silently. Called through its Keras 1 name, lamina reads it the
Keras 1 way, with a deprecation warning that names the modern spelling; ``Conv2D(32, 3, 3)``
keeps the Keras 2/3 meaning.
"""

from __future__ import annotations

from lamina.errors import deprecated
from lamina.layers.convolutional.conv_utils import is_int


class _AliasMeta(type):
    """``isinstance(Conv2D(...), Convolution2D)`` is True, as when the alias *is* the class."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, cls._target)


def keras1_alias(target, name, n_axes, rest_names):
    """A class named ``name`` whose calls build ``target``; ``name(filters, a1, ..., a_n, *rest)``
    with ``n_axes`` int positionals is read as Keras 1's per-axis kernel size, and the remaining
    positionals as Keras 1's ``rest_names`` (init, activation, weights, border_mode ...)."""

    def __new__(cls, *args, **kwargs):
        axes = args[1:1 + n_axes]
        if len(axes) == n_axes and all(is_int(a) for a in axes):
            kernel = tuple(axes)
            rest = args[1 + n_axes:]
            if len(rest) > len(rest_names):
                raise TypeError(f"{name}() takes at most {1 + n_axes + len(rest_names)} positional "
                                f"arguments in its Keras 1 form, received {len(args)}.")
            for key, value in zip(rest_names, rest):
                if key in kwargs:
                    raise TypeError(f"{name}() got multiple values for argument '{key}'.")
                kwargs[key] = value
            if "kernel_size" in kwargs:
                raise TypeError(f"{name}() got a kernel size twice: {kernel} and kernel_size={kwargs['kernel_size']!r}.")
            deprecated(f"{name}({args[0]!r}, {', '.join(map(str, kernel))})",
                       f"{target.__name__}({args[0]!r}, {kernel})", stacklevel=3)
            return target(args[0], kernel, **kwargs)
        return target(*args, **kwargs)

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    doc = (f"Keras 1 name of :class:`{target.__name__}`. ``{name}(filters, "
           f"{', '.join(f'k{i + 1}' for i in range(n_axes))})`` with {n_axes} ints is read as "
           f"Keras 1's per-axis kernel size (with a deprecation warning); anything else is passed to "
           f"``{target.__name__}`` unchanged. Calls return ``{target.__name__}`` instances.")
    alias = _AliasMeta(name, (target,), {"__new__": __new__, "from_config": from_config, "_target": target,
                                         "__doc__": doc, "__module__": target.__module__})
    # Like Keras, where the alias *is* the class: it reports the modern name.
    alias.__name__ = alias.__qualname__ = target.__name__
    return alias
