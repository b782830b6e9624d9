"""Keras 2 module paths and names: each gives the modern object and warns naming the modern spelling."""

import importlib

import numpy as np
import pytest

import lamina
from lamina.errors import LaminaDeprecationWarning

PATHS = [
    ("lamina.utils.data_utils", "Sequence", lambda: lamina.utils.PyDataset, "lamina.utils.PyDataset"),
    ("lamina.utils.generic_utils", "Progbar", lambda: lamina.utils.Progbar, "from lamina.utils import Progbar"),
    ("lamina.utils.generic_utils", "CustomObjectScope", lambda: lamina.saving.CustomObjectScope, "lamina.saving"),
    ("lamina.utils.generic_utils", "custom_object_scope", lambda: lamina.saving.custom_object_scope, "lamina.saving"),
    ("lamina.utils.generic_utils", "get_custom_objects", lambda: lamina.saving.get_custom_objects, "lamina.saving"),
    ("lamina.utils.generic_utils", "serialize_keras_object", lambda: lamina.saving.serialize_keras_object, "lamina.saving"),
    ("lamina.utils.generic_utils", "deserialize_keras_object", lambda: lamina.saving.deserialize_keras_object, "lamina.saving"),
    ("lamina.utils.vis_utils", "plot_model", lambda: lamina.utils.plot_model, "from lamina.utils import plot_model"),
    ("lamina.utils.vis_utils", "model_to_dot", lambda: lamina.utils.model_to_dot, "lamina.utils"),
    ("lamina.layers.noise", "AlphaDropout", lambda: lamina.layers.AlphaDropout, "from lamina.layers import AlphaDropout"),
    ("lamina.layers.noise", "GaussianNoise", lambda: lamina.layers.GaussianNoise, "lamina.layers"),
    ("lamina.layers.noise", "GaussianDropout", lambda: lamina.layers.GaussianDropout, "lamina.layers"),
    ("lamina.layers.wrappers", "TimeDistributed", lambda: lamina.layers.TimeDistributed, "lamina.layers"),
    ("lamina.layers.wrappers", "Bidirectional", lambda: lamina.layers.Bidirectional, "lamina.layers"),
    ("lamina.engine", "Layer", lambda: lamina.layers.Layer, "from lamina.layers import Layer"),
    ("lamina.engine.topology", "Layer", lambda: lamina.layers.Layer, "lamina.layers"),
    ("lamina.engine.topology", "Input", lambda: lamina.layers.Input, "lamina.layers"),
    ("lamina.engine.topology", "InputSpec", lambda: lamina.layers.InputSpec, "lamina.layers"),
    ("lamina.engine.topology", "Network", lambda: lamina.models.Model, "lamina.models.Model"),
    ("lamina.engine.training", "Model", lambda: lamina.models.Model, "from lamina.models import Model"),
    ("lamina.engine.base_layer", "Layer", lambda: lamina.layers.Layer, "lamina.layers"),
    ("lamina.engine.input_layer", "InputLayer", lambda: lamina.layers.InputLayer, "lamina.layers"),
    ("lamina.engine.input_layer", "Input", lambda: lamina.layers.Input, "lamina.layers"),
    ("lamina.engine.sequential", "Sequential", lambda: lamina.models.Sequential, "lamina.models"),
    ("lamina.objectives", "categorical_crossentropy", lambda: lamina.losses.categorical_crossentropy, "lamina.losses"),
    ("lamina.objectives", "mse", lambda: lamina.losses.mean_squared_error, "from lamina.losses import mse"),
    ("lamina.losses", "cosine_proximity", lambda: lamina.losses.cosine_similarity, "lamina.losses.cosine_similarity"),
    ("lamina.metrics", "cosine_proximity", lambda: lamina.losses.cosine_similarity, "lamina.losses.cosine_similarity"),
    ("lamina.metrics", "kld", lambda: lamina.losses.kl_divergence, "lamina.losses.kl_divergence"),
    ("lamina.metrics", "kullback_leibler_divergence", lambda: lamina.losses.kl_divergence, "kl_divergence"),
    ("lamina.metrics", "logcosh", lambda: lamina.losses.log_cosh, "lamina.losses.log_cosh"),
    ("lamina.utils.layer_utils", "print_summary", lambda: lamina.utils.summary_utils.print_summary, "summary_utils"),
]


@pytest.mark.parametrize("module, name, modern, spelling", PATHS, ids=[f"{m}.{n}" for m, n, _, _ in PATHS])
def test_old_path_gives_the_modern_object_and_warns(module, name, modern, spelling):
    mod = importlib.import_module(module)
    with pytest.warns(LaminaDeprecationWarning, match=f"`from {module} import {name}` is a Keras 1/2 spelling.*"
                                                      f"Write `.*{spelling}"):
        obj = getattr(mod, name)
    assert obj is modern()


def test_from_import_warns_at_the_users_line():
    with pytest.warns(LaminaDeprecationWarning) as record:
        from lamina.utils.generic_utils import Progbar  # noqa: F401
    assert record[0].filename == __file__


@pytest.mark.parametrize("module, name", [("losses", "mse"), ("losses", "binary_crossentropy"),
                                          ("losses", "categorical_crossentropy"), ("losses", "mae"),
                                          ("losses", "mape"), ("losses", "msle"), ("losses", "kld"),
                                          ("metrics", "mse"), ("metrics", "mae"), ("metrics", "mape"),
                                          ("metrics", "msle"), ("metrics", "binary_crossentropy"),
                                          ("metrics", "categorical_crossentropy")])
def test_keras2_function_names_that_keras3_kept_do_not_warn(module, name, recwarn):
    fn = getattr(importlib.import_module(f"lamina.{module}"), name)
    y_true, y_pred = np.array([[0.0, 1.0]]), np.array([[0.2, 0.8]])
    assert np.all(np.isfinite(lamina.ops.convert_to_numpy(fn(y_true, y_pred))))
    assert not [w for w in recwarn if issubclass(w.category, LaminaDeprecationWarning)]


def test_cosine_proximity_is_keras2s_negative_cosine_and_compiles_by_name():
    a, b = np.array([[1.0, 2.0, 2.0]]), np.array([[2.0, 1.0, 2.0]])
    with pytest.warns(LaminaDeprecationWarning):
        fn = lamina.losses.cosine_proximity
    expected = -np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b))
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(fn(a, b)), [expected], rtol=1e-6)
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(3)])
    model.compile("sgd", loss="cosine_proximity")
    assert np.isfinite(model.evaluate(a, b, verbose=0))


def test_unknown_names_on_old_paths_list_what_is_kept():
    import lamina.utils.generic_utils as gu

    with pytest.raises(AttributeError, match="no attribute 'nope'.*Keras 2 names lamina keeps there are:.*Progbar"):
        gu.nope
    assert "Progbar" in dir(gu)


def test_get_file_old_path_resolves_lazily_to_lamina_utils():
    import lamina.utils.data_utils as du

    if not hasattr(lamina.utils, "get_file"):
        with pytest.raises(AttributeError, match="lamina.utils has no 'get_file'"):
            du.get_file
    else:
        with pytest.warns(LaminaDeprecationWarning, match="from lamina.utils import get_file"):
            assert du.get_file is lamina.utils.get_file


def test_layer_utils_count_params_and_get_source_inputs():
    from lamina.utils import legacy_helpers

    x = lamina.Input((3,))
    y = lamina.layers.Dense(2)(lamina.layers.Dense(4)(x))
    model = lamina.Model(x, y)
    assert legacy_helpers.count_params(model.weights) == model.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    assert legacy_helpers.get_source_inputs(y)[0] is x
    with pytest.warns(LaminaDeprecationWarning):
        from lamina.utils.layer_utils import count_params
    assert count_params([np.zeros((2, 5))]) == 10


def test_generic_utils_custom_object_scope_works_through_the_old_path():
    with pytest.warns(LaminaDeprecationWarning):
        from lamina.utils.generic_utils import custom_object_scope, get_custom_objects

    def swish2(x):
        return x

    with custom_object_scope({"swish2": swish2}):
        assert get_custom_objects().get("swish2") is swish2 or lamina.saving.get_registered_object("swish2") is swish2
