import numpy as np
import pytest
import torch

import lamina
from lamina import layers


def test_sequential_shape_inference_and_layers():
    model = lamina.Sequential()
    model.add(layers.Dense(32, input_dim=784))
    model.add(layers.Activation("relu"))
    model.add(layers.Dense(10, activation="softmax"))
    assert model.input_shape == (None, 784)
    assert model.output_shape == (None, 10)
    assert [l.name for l in model.layers] == ["dense", "activation", "dense_1"]
    assert model.count_params() == 784 * 32 + 32 + 32 * 10 + 10
    assert model.get_layer("dense_1") is model.layers[2]
    assert model.get_layer(index=0) is model.layers[0]
    with pytest.raises(ValueError, match="Did you mean 'dense_1'"):
        model.get_layer("dense_2")


def test_sequential_constructor_list_pop_and_input():
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3), layers.Dense(2)])
    assert model.output_shape == (None, 2)
    model.pop()
    assert model.output_shape == (None, 3)
    assert len(model.layers) == 1


def test_sequential_deferred_build_from_data():
    model = lamina.Sequential([layers.Dense(3), layers.Dense(1)])
    assert not model.built
    out = model(np.ones((5, 7), "float32"))
    assert out.shape == (5, 1)
    assert model.input_shape == (None, 7)


def test_sequential_equals_manual_composition():
    model = lamina.Sequential([layers.Dense(4, input_dim=3, activation="relu"), layers.Dense(2)])
    x = np.random.randn(6, 3).astype("float32")
    k1, b1, k2, b2 = model.get_weights()
    expected = np.maximum(x @ k1 + b1, 0) @ k2 + b2
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_sequential_refuses_non_layers_and_duplicate_names():
    model = lamina.Sequential()
    with pytest.raises(TypeError, match="expects a lamina layer"):
        model.add(np.zeros(3))
    model.add(layers.Dense(2, name="a", input_dim=2))
    with pytest.raises(ValueError, match="already has a layer named 'a'"):
        model.add(layers.Dense(2, name="a"))


def test_functional_multi_input_output_list_and_dict():
    a = lamina.Input((4,), name="a")
    b = lamina.Input((3,), name="b")
    ha = layers.Dense(5, name="da")(a)
    hb = layers.Dense(5, name="db")(b)
    s = ha + hb
    y1 = layers.Dense(1, name="y1")(s)
    y2 = layers.Dense(2, name="y2")(s)
    model = lamina.Model(inputs={"a": a, "b": b}, outputs={"y1": y1, "y2": y2})
    xa, xb = np.ones((2, 4), "float32"), np.ones((2, 3), "float32")
    out = model({"a": xa, "b": xb})
    assert set(out) == {"y1", "y2"} and out["y2"].shape == (2, 2)
    lst = lamina.Model([a, b], [y1, y2])
    o1, o2 = lst([xa, xb])
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(o1), lamina.ops.convert_to_numpy(out["y1"]))
    assert lst.output_names == ["y1", "y2"]
    with pytest.raises(ValueError, match="expects 2 input"):
        lst([xa])


def test_functional_shared_layer_reuses_weights():
    shared = layers.Dense(3, name="shared")
    a, b = lamina.Input((3,)), lamina.Input((3,))
    model = lamina.Model([a, b], shared(a) - shared(b))
    assert len(model.weights) == 2
    x = np.random.randn(2, 3).astype("float32")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(model([x, x])), 0, atol=1e-6)
    assert len(shared._inbound_nodes) == 2


def test_nested_models():
    inner = lamina.Sequential([layers.Dense(3, input_shape=(4,), name="inner_d")], name="inner")
    x = lamina.Input((4,))
    outer = lamina.Model(x, layers.Dense(2, name="top")(inner(x)))
    assert [l.name for l in outer.layers][1:] == ["inner", "top"]
    data = np.random.randn(5, 4).astype("float32")
    k1, b1, k2, b2 = outer.get_weights()
    np.testing.assert_allclose(outer.predict(data, verbose=0), (data @ k1 + b1) @ k2 + b2, rtol=1e-5, atol=1e-5)
    if lamina.backend.backend() == "torch":  # torch's state_dict: keys follow positions in
        # model.layers (0 is the Input), not names.
        assert set(outer.state_dict()) == {"1.0.kernel", "1.0.bias", "2.kernel", "2.bias"}


def test_graph_disconnected_error():
    a, b = lamina.Input((2,)), lamina.Input((2,))
    out = layers.Dense(1)(a + b)
    with pytest.raises(ValueError, match="Graph disconnected"):
        lamina.Model(a, out)


def test_model_inputs_must_be_symbolic():
    with pytest.raises(ValueError, match="symbolic tensors"):
        lamina.Model(inputs=np.zeros(3), outputs=np.zeros(3))


def test_subclassed_model_tracks_layers_and_weights():
    class MLP(lamina.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.blocks = [layers.Dense(8), layers.Dense(8)]
            self.out = layers.Dense(1)

        def call(self, x, training=None):
            h = self.hidden(x)
            for b in self.blocks:
                h = b(h)
            return self.out(h)

    m = MLP()
    assert m(np.ones((2, 3), "float32")).shape == (2, 1)
    assert len(m.trainable_weights) == 8
    if lamina.backend.backend() == "torch":  # a lamina model is a torch.nn.Module there
        assert "blocks.0.kernel" in m.state_dict()
        assert isinstance(m, torch.nn.Module)


def test_training_flag_propagates_to_nested_layers():
    class Net(lamina.Model):
        def __init__(self):
            super().__init__()
            self.drop = layers.Dropout(0.9)

        def call(self, x):
            return self.drop(x)  # does not pass training: it must come from the outer call

    net = Net()
    x = np.ones((100, 100), "float32")
    assert (lamina.ops.convert_to_numpy(net(x)) == 1).all()
    assert (lamina.ops.convert_to_numpy(net(x, training=True)) == 0).mean() > 0.8


@pytest.mark.torch_only  # torch.nn.Module's state_dict / load_state_dict / .to()
def test_to_device_and_state_dict_round_trip():
    model = lamina.Sequential([layers.Dense(3, input_dim=2)])
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    other = lamina.Sequential([layers.Dense(3, input_dim=2, name="dense")])
    other.load_state_dict(sd)
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])
    model.to("cpu")
    assert model.weights[0].value.device.type == "cpu"
