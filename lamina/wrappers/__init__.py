"""scikit-learn wrappers: Keras 3's ``SKLearnClassifier`` / ``SKLearnRegressor`` /
``SKLearnTransformer`` and, in ``lamina.wrappers.scikit_learn``, Keras 2's ``KerasClassifier`` /
``KerasRegressor``.

scikit-learn is optional (``pip install scikit-learn``, the ``sklearn`` extra): it is imported
when a wrapper is first used, so ``import lamina`` stays fast.
"""

_NAMES = {"SKLearnClassifier": "sklearn_wrapper", "SKLearnRegressor": "sklearn_wrapper",
          "SKLearnTransformer": "sklearn_wrapper"}

__all__ = sorted(_NAMES)


def __getattr__(name):
    if name not in _NAMES:
        raise AttributeError(f"module 'lamina.wrappers' has no attribute '{name}'")
    import importlib

    return getattr(importlib.import_module(f"lamina.wrappers.{_NAMES[name]}"), name)


def __dir__():
    return sorted(set(globals()) | set(_NAMES) | {"scikit_learn", "sklearn_wrapper"})
