import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from tests.layers.neutral import to_np


def test_activation_layer_names():
    x = np.linspace(-3, 3, 13).astype("float32").reshape(1, -1)
    assert np.allclose(to_np(layers.Activation("relu")(x)), np.maximum(x, 0))
    out = to_np(layers.Activation("softmax")(x))
    np.testing.assert_allclose(out, np.exp(x) / np.exp(x).sum(), rtol=1e-5)


def test_dropout_training_and_inference():
    layer = layers.Dropout(0.5)
    x = np.ones((200, 100), "float32")
    assert np.array_equal(to_np(layer(x)), x)  # inference by default (Keras semantics)
    y = to_np(layer(x, training=True))
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert abs((y == 0).mean() - 0.5) < 0.02
    assert abs(y.mean() - 1.0) < 0.03
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        layers.Dropout(1.5)


def test_dropout_follows_torch_train_mode():
    layer = layers.Dropout(0.5)
    layer.train()
    assert (to_np(layer(np.ones((100, 10), "float32"))) == 0).any()
    layer.eval()
    assert not (to_np(layer(np.ones((100, 10), "float32"))) == 0).any()


def test_flatten_reshape_permute_repeat():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    assert layers.Flatten()(x).shape == (2, 12)
    assert layers.Reshape((4, 3))(x).shape == (2, 4, 3)
    assert layers.Reshape((-1, 2))(x).shape == (2, 6, 2)
    np.testing.assert_array_equal(to_np(layers.Permute((2, 1))(x)), x.transpose(0, 2, 1))
    r = to_np(layers.RepeatVector(3)(x[:, 0, :]))
    assert r.shape == (2, 3, 4) and np.array_equal(r[:, 1], x[:, 0])
    with pytest.raises(ValueError, match="cannot reshape"):
        lamina.Sequential([layers.Reshape((5, 5), input_shape=(3, 4))])


def test_flatten_channels_first_gives_channels_last_order():
    x = np.random.randn(2, 3, 4, 5).astype("float32")  # NCHW
    out = to_np(layers.Flatten(data_format="channels_first")(x))
    np.testing.assert_array_equal(out, x.transpose(0, 2, 3, 1).reshape(2, -1))


def test_lambda_layer():
    layer = layers.Lambda(lambda t: t * 3)
    assert np.allclose(to_np(layer(np.ones((2, 2), "float32"))), 3)
    inp = lamina.Input((4,))
    out = layers.Lambda(lambda t: t[:, :2])(inp)
    assert out.shape == (None, 2)


def test_symbolic_arithmetic_and_slicing():
    a = lamina.Input((3,))
    b = lamina.Input((3,))
    out = (a + b) * 2.0
    model = lamina.Model([a, b], [out, a[:, 0]])
    x1, x2 = np.ones((2, 3), "float32"), np.full((2, 3), 2.0, "float32")
    y, first = model([x1, x2])
    np.testing.assert_allclose(to_np(y), 6.0)
    assert first.shape == (2,)


@pytest.mark.torch_only
def test_layer_is_a_torch_module_with_params_and_buffers():
    class WithState(lamina.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones", name="w")
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")

        def call(self, x):
            return x @ self.w

    layer = WithState()
    layer(np.ones((1, 3), "float32"))
    assert isinstance(layer, torch.nn.Module)
    assert [n for n, _ in layer.named_parameters()] == ["w"]
    assert [n for n, _ in layer.named_buffers()] == ["count"]
    assert set(layer.state_dict()) == {"w", "count"}
    assert [v.name for v in layer.trainable_weights] == ["w"]
    assert [v.name for v in layer.non_trainable_weights] == ["count"]
    layer.weights[1].assign(5.0)
    assert float(layer.count) == 5.0
    layer.to(torch.float64)
    assert layer.weights[0].value.dtype == torch.float64  # handles follow .to()


def test_trainable_false_freezes_and_moves_weights():
    model = lamina.Sequential([layers.Dense(3, input_dim=2), layers.Dense(1)])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2
    assert len(model.non_trainable_weights) == 2
    assert all(id(w) != id(model.layers[0].kernel) for w in model.trainable_weights)
    if lamina.backend.backend() == "torch":
        assert not model.layers[0].kernel.requires_grad  # torch autograd leaves it alone too
    model.layers[0].trainable = True
    assert len(model.trainable_weights) == 4
    if lamina.backend.backend() == "torch":
        assert model.layers[0].kernel.requires_grad


def test_set_weights_errors_list_problems():
    layer = layers.Dense(2)
    layer(np.ones((1, 3), "float32"))
    with pytest.raises(ValueError, match="expected 2 weight arrays"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"'dense/kernel': expected shape \(3, 2\), received \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])


def test_auto_names_are_unique_keras_style():
    names = [layers.Dense(1).name for _ in range(3)]
    assert names == ["dense", "dense_1", "dense_2"]
    lamina.backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_count_params_before_build_errors():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(3).count_params()


def test_get_weights_returns_copies_not_views():
    layer = layers.Dense(2)
    layer(np.ones((1, 3), "float32"))
    before = layer.get_weights()
    layer.weights[0].assign(np.full((3, 2), 7.0))
    assert not (before[0] == 7.0).any()


def test_custom_layer_placeholder_attribute_and_direct_build():
    class Scale(lamina.layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = None  # a common Keras pattern

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w

    layer = Scale()
    layer.build((None, 3))
    assert layer.built and layer.w is not None
    out = layer(np.full((2, 3), 2.0, "float32"))
    assert len(layer.weights) == 1  # not built a second time
    np.testing.assert_allclose(to_np(out), 2.0)


def test_activity_regularizer_is_divided_by_batch_size():
    layer = layers.Dense(2, kernel_initializer="ones", activity_regularizer=lamina.regularizers.L1(1.0))
    out = layer(np.ones((4, 3), "float32"))
    (loss,) = layer.losses
    assert float(to_np(loss)) == pytest.approx(float(np.abs(to_np(out)).sum()) / 4)


def test_add_weight_keras3_and_keras2_argument_orders():
    class Both(lamina.layers.Layer):
        def build(self, input_shape):
            self.a = self.add_weight((2, 3), "ones", name="a")  # Keras 3 positional order
            self.b = self.add_weight("b", (3,), initializer="zeros", trainable=False)  # Keras 2
            self.c = self.add_weight(name="c", shape=(1,), initializer=lamina.initializers.Constant(4.0))

        def call(self, x):
            return x

    layer = Both()
    layer(np.ones((1, 2), "float32"))
    a, c, b = layer.get_weights()  # trainable first, then non-trainable
    assert a.shape == (2, 3) and (a == 1).all() and b.shape == (3,) and c.tolist() == [4.0]
    assert [v.name for v in layer.non_trainable_weights] == ["b"]
    with pytest.raises(TypeError, match="multiple values for argument 'shape'"):
        layer.add_weight((1,), shape=(2,))
