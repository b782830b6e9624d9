import numpy as np
import pytest
import torch

import lamina
from lamina import layers, ops
from tests.keras3 import keras3
from tests.layers.neutral import grad, mask_of, to_np, with_mask


def _np(t):
    return to_np(t)


def _t(a, mask=None):
    """A torch tensor for the Keras reference (torch backend), with Keras's mask attribute."""
    t = torch.from_numpy(np.asarray(a))
    if mask is not None:
        t._keras_mask = torch.from_numpy(np.asarray(mask))
    return t


_RNG = np.random.default_rng(0)
A, B, C = (_RNG.normal(size=(2, 3, 4)).astype("float32") for _ in range(3))
MA = np.array([[1, 1, 0], [1, 0, 0]], bool)
MB = np.array([[1, 0, 0], [1, 1, 1]], bool)

ELEMENTWISE = {
    "Add": (lambda xs: sum(xs), 3),
    "Subtract": (lambda xs: xs[0] - xs[1], 2),
    "Multiply": (lambda xs: np.prod(xs, axis=0), 3),
    "Average": (lambda xs: sum(xs) / len(xs), 3),
    "Maximum": (lambda xs: np.max(xs, axis=0), 3),
    "Minimum": (lambda xs: np.min(xs, axis=0), 3),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_merges_match_numpy_and_functional_form(name):
    fn, n = ELEMENTWISE[name]
    xs = [A, B, C][:n]
    expected = fn(xs)
    np.testing.assert_allclose(_np(getattr(layers, name)()(xs)), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(_np(getattr(layers, name.lower())(xs)), expected, rtol=1e-6, atol=1e-6)
    sym = getattr(layers, name.lower())([lamina.Input((3, 4)) for _ in xs])
    assert sym.shape == (None, 3, 4)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_merges_match_keras_values_and_masks(name):
    keras = keras3()
    n = ELEMENTWISE[name][1]
    for masks in ([MA, MB, MA], [MA, None, MB]):
        xs_ours = [x if m is None else with_mask(x, m) for x, m in zip([A, B, C][:n], masks)]
        xs_ref = [_t(x, m) for x, m in zip([A, B, C][:n], masks)]
        y = getattr(layers, name)()(xs_ours)
        y_ref = getattr(keras.layers, name)()(xs_ref)
        np.testing.assert_allclose(_np(y), _np(y_ref), rtol=1e-6, atol=1e-6)
        m, m_ref = mask_of(y), getattr(y_ref, "_keras_mask", None)
        assert (m is None) == (m_ref is None)
        if m is not None:
            np.testing.assert_array_equal(_np(m), _np(m_ref))


def test_gradients_flow_to_every_input():
    ga, gb = grad(lambda a, b: ops.sum(layers.Multiply()([a, b])), A, B)
    np.testing.assert_allclose(ga, B, rtol=1e-6)
    np.testing.assert_allclose(gb, A, rtol=1e-6)


def test_broadcasting_and_rank_alignment_match_keras():
    keras = keras3()
    x = _RNG.normal(size=(2, 1, 4)).astype("float32")
    y = _RNG.normal(size=(2, 3, 4)).astype("float32")
    z = _RNG.normal(size=(2, 4)).astype("float32")
    for a, b in ((x, y), (z, y)):
        np.testing.assert_allclose(_np(layers.Add()([a, b])), _np(keras.layers.Add()([a, b])), rtol=1e-6)
    assert layers.Add().compute_output_shape([(None, 1, 4), (None, 3, 4)]) == (None, 3, 4)


def test_elementwise_shape_errors_name_both_shapes():
    a, b = lamina.Input((3,)), lamina.Input((4,))
    with pytest.raises(ValueError, match=r"incompatible shapes \(None, 3\) and \(None, 4\)"):
        layers.Add()([a, b])
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2, 4\)"):
        layers.Add()([np.zeros((2, 3), "float32"), np.zeros((2, 4), "float32")])
    add = layers.Add()
    add([np.zeros((2, 3), "float32"), np.zeros((2, 3), "float32")])
    with pytest.raises(ValueError, match=r"\(2, 5\) and \(2, 4\)"):  # after build, eager
        add([np.zeros((2, 5), "float32"), np.zeros((2, 4), "float32")])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([A, B, C])
    with pytest.raises(ValueError, match=r"must be called on a list of tensors.*Add\(\)\(\[x1, x2\]\)"):
        layers.Add()(A)
    with pytest.raises(ValueError, match="different batch sizes"):
        layers.Add()([np.zeros((2, 3), "float32"), np.zeros((5, 3), "float32")])
    with pytest.raises(ValueError, match="Sequential"):
        lamina.Sequential([lamina.Input((3,)), layers.Add()])


def test_concatenate_values_shapes_masks_and_errors():
    keras = keras3()
    d = _RNG.normal(size=(2, 5, 4)).astype("float32")
    np.testing.assert_allclose(_np(layers.Concatenate()([A, B])), np.concatenate([A, B], -1))
    np.testing.assert_allclose(_np(layers.concatenate([A, d], axis=1)), np.concatenate([A, d], 1))
    assert layers.concatenate([lamina.Input((3, 4)), lamina.Input((3, 2))]).shape == (None, 3, 6)
    assert layers.Concatenate(axis=1).compute_output_shape([(None, 3, 4), (None, None, 4)]) == (None, None, 4)
    md = np.array([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], bool)
    for axis, xs, masks in ((-1, [A, B], [MA, MB]), (-1, [A, B], [MA, None]), (1, [A, d], [MA, md]),
                            (1, [A, d], [None, md])):
        y = layers.Concatenate(axis=axis)([x if m is None else with_mask(x, m) for x, m in zip(xs, masks)])
        y_ref = keras.layers.Concatenate(axis=axis)([_t(x, m) for x, m in zip(xs, masks)])
        np.testing.assert_allclose(_np(y), _np(y_ref))
        np.testing.assert_array_equal(mask_of(y), _np(y_ref._keras_mask))
    with pytest.raises(ValueError, match=r"differ on axis 1.*\(None, 3, 4\), \(None, 5, 2\)"):
        layers.concatenate([lamina.Input((3, 4)), lamina.Input((5, 2))])
    with pytest.raises(ValueError, match="differ on axis 1"):
        layers.Concatenate()([A, d])
    assert layers.Concatenate(axis=1).get_config()["axis"] == 1


@pytest.mark.parametrize("axes,shapes", [(1, [(2, 4), (2, 4)]), (-1, [(2, 3, 4), (2, 5, 4)]),
                                         ((2, 1), [(2, 3, 4), (2, 4, 5)]), ((1, 2), [(2, 3, 4), (2, 4, 3)]),
                                         (1, [(2, 3, 4), (2, 3)]), ((2, 1), [(2, 3, 4, 5), (2, 4, 6)])])
@pytest.mark.parametrize("normalize", [False, True])
def test_dot_matches_keras(axes, shapes, normalize):
    keras = keras3()
    x, y = (_RNG.normal(size=s).astype("float32") for s in shapes)
    out = layers.Dot(axes=axes, normalize=normalize)([x, y])
    ref = keras.layers.Dot(axes=axes, normalize=normalize)([x, y])
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(_np(out), _np(ref), rtol=1e-5, atol=1e-5)
    sym = layers.Dot(axes=axes)([lamina.Input(s[1:]) for s in shapes])
    assert sym.shape == (None,) + tuple(out.shape[1:])


def test_dot_formula_errors_and_config():
    x = _RNG.normal(size=(3, 4)).astype("float32")
    y = _RNG.normal(size=(3, 4)).astype("float32")
    np.testing.assert_allclose(_np(layers.dot([x, y], axes=1)), (x * y).sum(1, keepdims=True), rtol=1e-5)
    cos = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    np.testing.assert_allclose(_np(layers.dot([x, y], axes=1, normalize=True))[:, 0], cos, rtol=1e-5)
    with pytest.raises(ValueError, match=r"contracted sizes differ: 4 \(axis 1\) != 5 \(axis 1\)"):
        layers.Dot(axes=1)([lamina.Input((4,)), lamina.Input((5,))])
    with pytest.raises(ValueError, match="axis 0 is the batch"):
        layers.Dot(axes=0)([x, y])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Dot(axes=1)([x, y, x])
    config = layers.Dot(axes=(1, 2), normalize=True).get_config()
    assert config["axes"] == [1, 2] and config["normalize"] is True
    assert layers.Dot.from_config(config).get_config() == config


def test_configs_have_keras_keys():
    keras = keras3()
    for name in list(ELEMENTWISE) + ["Concatenate"]:
        assert set(getattr(layers, name)().get_config()) == set(getattr(keras.layers, name)().get_config())
    assert set(layers.Dot(1).get_config()) == set(keras.layers.Dot(1).get_config())


def test_functional_model_with_merges_runs():
    a, b = lamina.Input((4,)), lamina.Input((4,))
    s = layers.add([a, b])
    c = layers.concatenate([s, layers.multiply([a, b])])
    out = layers.Dense(1)(layers.average([c, c]))
    model = lamina.Model([a, b], out)
    x1, x2 = np.ones((2, 4), "float32"), 2 * np.ones((2, 4), "float32")
    assert tuple(model([x1, x2]).shape) == (2, 1)


def test_keras1_merge_function_and_merge_class():
    from lamina.layers import merge as legacy

    warning = lamina.errors.LaminaDeprecationWarning
    with pytest.warns(warning, match=r"lamina.layers.concatenate\(inputs, axis=1\)"):
        y = legacy.merge([A, C], mode="concat", concat_axis=1)
    np.testing.assert_allclose(_np(y), np.concatenate([A, C], 1))
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match=r"lamina.layers.add\(inputs\)"):
        y = legacy.merge([A, B], mode="sum")
    np.testing.assert_allclose(_np(y), A + B, rtol=1e-6)
    x, z = A[:, 0], B[:, 0]
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="normalize=True"):
        y = legacy.merge([x, z], mode="cos", dot_axes=1)
    np.testing.assert_allclose(_np(y), _np(layers.dot([x, z], axes=1, normalize=True)), rtol=1e-6)
    with pytest.raises(ValueError, match="Did you mean 'concat'"):
        legacy.merge([A, B], mode="conact")
    with pytest.raises(TypeError, match="functional model"):
        legacy.Merge([A, B], mode="concat")
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="from lamina.layers import Add"):
        assert legacy.Add is layers.Add
