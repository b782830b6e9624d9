"""PyTorch the other way round: torch modules inside lamina models, torch Datasets, state
dicts, ``model.to(dtype)`` and ``torch.autocast``, checked against plain torch."""

import math

import numpy as np
import pytest
import torch

import lamina
from lamina import layers

pytestmark = pytest.mark.torch_only  # torch modules, Datasets, state dicts and autocast themselves


def _data(n=64, d=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    return x, (x @ np.arange(1, d + 1, dtype="float32")[:, None]) * 0.1


class TorchInside(lamina.Model):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 8)
        self.bn = torch.nn.BatchNorm1d(8)
        self.out = layers.Dense(1)

    def call(self, x):
        return self.out(torch.relu(self.bn(self.lin(x))))


def test_torch_module_attribute_is_trained_counted_and_frozen():
    model = TorchInside()
    assert isinstance(model.lin, layers.TorchModuleWrapper)
    assert isinstance(model.lin.module, torch.nn.Linear)
    assert model.lin.weight is model.lin.module.weight  # attributes read through the wrapper
    x, y = _data()
    model.compile("adam", "mse")
    before = model.lin.weight.detach().clone()
    stats = model.bn.running_mean.detach().clone()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert not torch.equal(model.lin.weight, before)  # trained by fit
    assert not torch.equal(model.bn.running_mean, stats)  # ran in train mode inside fit
    # summary()/count_params: Linear 4*8+8, BatchNorm 8+8 trainable, 8+8+1 buffers, Dense 8+1.
    assert model.count_params() == 40 + 16 + 17 + 9
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 3
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "torch_module_wrapper (TorchModul" in text and "Total params: 82" in text
    model.lin.trainable = False
    frozen = model.lin.weight.detach().clone()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert torch.equal(model.lin.weight, frozen)
    assert not model.lin.weight.requires_grad


def test_lists_of_torch_modules_are_trained_too():
    class Blocks(lamina.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [torch.nn.Linear(4, 4), layers.Dense(4)]
            self.more = torch.nn.ModuleList([torch.nn.Linear(4, 1)])

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return self.more[0](x)

    model = Blocks()
    assert [type(b).__name__ for b in model.blocks] == ["TorchModuleWrapper", "Dense"]
    assert isinstance(model.more[0], layers.TorchModuleWrapper)
    x, y = _data()
    model.compile("sgd", "mse")
    before = [w.numpy() for w in model.trainable_weights[:2]]
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert len(model.trainable_weights) == 6  # 2 Linear weights, Dense kernel/bias, 2 more
    assert all(not np.array_equal(b, w.numpy()) for b, w in zip(before, model.trainable_weights))


def test_wrapped_dropout_is_active_only_in_fit():
    model = lamina.Sequential([lamina.Input((4,)), torch.nn.Dropout(0.5), layers.Dense(1)])
    x, _ = _data(8)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    assert not model.layers[0].module.training
    out = model(x, training=True).detach().numpy()
    assert not np.allclose(out, model.predict(x, verbose=0))


def test_sequential_and_functional_take_torch_modules():
    seq = lamina.Sequential([lamina.Input((4,)), torch.nn.Linear(4, 3), layers.Dense(1)])
    assert seq.count_params() == 4 * 3 + 3 + 3 + 1
    assert list(seq.state_dict()) == ["0.module.weight", "0.module.bias", "1.kernel", "1.bias"]
    inp = lamina.Input((4,))
    func = lamina.Model(inp, layers.Dense(1)(layers.TorchModuleWrapper(torch.nn.Linear(4, 3))(inp)))
    assert func.output_shape == (None, 1) and func.count_params() == 19
    x, y = _data()
    for model in (seq, func):
        model.compile("sgd", "mse")
        first = model.evaluate(x, y, verbose=0)
        model.fit(x, y, epochs=5, batch_size=8, verbose=0)
        assert model.evaluate(x, y, verbose=0) < first


def test_torch_module_weights_save_and_load(tmp_path):
    def build():
        return lamina.Sequential([lamina.Input((4,)), torch.nn.Linear(4, 3),
                                  torch.nn.BatchNorm1d(3), layers.Dense(1)])

    a, b = build(), build()
    x, y = _data()
    a.compile("adam", "mse")
    a.fit(x, y, epochs=1, verbose=0)
    for name in ("w.weights.h5", "w.h5"):
        a.save_weights(tmp_path / name)
        b = build()
        b.load_weights(tmp_path / name)
        np.testing.assert_array_equal(a.predict(x, verbose=0), b.predict(x, verbose=0))
        np.testing.assert_array_equal(a.layers[1].running_var.cpu(), b.layers[1].running_var.cpu())
    a.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="unpickling it can run arbitrary code"):
        lamina.models.load_model(tmp_path / "m.keras")
    c = lamina.models.load_model(tmp_path / "m.keras", safe_mode=False)
    np.testing.assert_array_equal(a.predict(x, verbose=0), c.predict(x, verbose=0))


def test_wrapper_config_round_trip_and_refusals():
    w = layers.TorchModuleWrapper(torch.nn.Linear(2, 3), name="lin", output_shape=(None, 3))
    config = w.get_config()
    assert set(config) == {"name", "trainable", "dtype", "module", "output_shape"}
    assert config["output_shape"] == [None, 3]
    with pytest.raises(ValueError) as e:
        layers.TorchModuleWrapper.from_config(config)
    assert str(e.value) == (
        "TorchModuleWrapper 'lin': its config holds a pickled torch.nn.Module, and unpickling it "
        "can run arbitrary code, so lamina refuses by default. If you trust the file, pass "
        "safe_mode=False: lamina.models.load_model(path, safe_mode=False) (or "
        "TorchModuleWrapper.from_config(config, safe_mode=False)).")
    back = layers.TorchModuleWrapper.from_config(config, safe_mode=False)
    torch.testing.assert_close(back.module.weight, w.module.weight)
    with pytest.raises(ValueError, match=r"received LazyLinear, a lazy module whose parameters "
                                         r"are not created yet\. Call it once"):
        layers.TorchModuleWrapper(torch.nn.LazyLinear(3))
    with pytest.raises(TypeError, match="expects a torch.nn.Module, received 3 of type int"):
        layers.TorchModuleWrapper(3)


def test_torch_dataset_is_batched_with_batch_size():
    x, y = _data(50)
    ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    seen = []

    class Spy(layers.Layer):
        def call(self, inputs):
            seen.append(tuple(inputs.shape))
            return inputs

    model = lamina.Sequential([lamina.Input((4,)), Spy(), layers.Dense(1)])
    model.compile("sgd", "mse")
    seen.clear()
    history = model.fit(ds, batch_size=16, epochs=1, verbose=0)
    assert seen == [(16, 4), (16, 4), (16, 4), (2, 4)]
    # The same numbers as arrays: the Dataset's loss is the array loss, not a batch-1 loss.
    ref = lamina.Sequential([lamina.Input((4,)), Spy(), layers.Dense(1)])
    ref.set_weights(model.get_weights())
    ref.compile("sgd", "mse")
    assert model.evaluate(ds, verbose=0) == pytest.approx(ref.evaluate(x, y, verbose=0), rel=1e-5)
    seen.clear()
    model.predict(ds.tensors[0], verbose=0)
    assert len(history.history["loss"]) == 1 and seen == [(32, 4), (18, 4)]
    seen.clear()
    model.fit(ds, epochs=1, verbose=0)  # default batch size 32, as for arrays
    assert [s[0] for s in seen] == [32, 18]


def test_iterable_dataset_is_refused_with_the_fix():
    class Stream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter([])

    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError) as e:
        model.fit(Stream(), verbose=0)
    assert str(e.value) == (
        "fit() received a torch IterableDataset (Stream); lamina cannot tell whether it yields "
        "single samples or whole batches. Wrap it in a DataLoader: "
        "torch.utils.data.DataLoader(dataset, batch_size=32) if it yields samples, or "
        "DataLoader(dataset, batch_size=None) if it yields batches.")


def _mlp():
    return lamina.Sequential([lamina.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1)])


def test_state_dict_keys_follow_structure_not_a_global_counter():
    a = _mlp()
    for _ in range(3):
        _mlp()  # more automatic names taken in between
    b = _mlp()
    assert [l.name for l in a.layers] != [l.name for l in b.layers]  # Keras names still count
    assert list(a.state_dict()) == list(b.state_dict()) == ["0.kernel", "0.bias", "1.kernel", "1.bias"]
    b.load_state_dict(a.state_dict())
    x, _ = _data(5)
    np.testing.assert_array_equal(a.predict(x, verbose=0), b.predict(x, verbose=0))
    sub_a, sub_b = TorchInside(), TorchInside()
    assert list(sub_a.state_dict()) == list(sub_b.state_dict())
    assert "lin.module.weight" in sub_a.state_dict()
    sub_b.load_state_dict(sub_a.state_dict())
    b.pop()
    assert list(b.state_dict()) == ["0.kernel", "0.bias"]


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16])
def test_model_to_dtype_is_honoured_by_fit_and_predict(dtype):
    model = _mlp()
    model.to(dtype)
    assert model.layers[0].kernel.dtype == dtype and model.layers[0].compute_dtype == str(dtype)[6:]
    x, y = _data()
    model.compile("adam", "mse")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]
    assert model.layers[0].kernel.dtype == dtype
    if dtype == torch.float64:  # the forward pass really runs in float64
        k1, b1, k2, b2 = (w.astype("float64") for w in model.get_weights())
        x64 = x.astype("float64")
        expected = np.maximum(x64 @ k1 + b1, 0) @ k2 + b2
        out = model.predict(x, verbose=0)
        assert out.dtype == np.float64
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_fit_under_bfloat16_autocast_trains_on_current_weights():
    x, y = _data(256)

    def run(autocast):
        lamina.utils.set_random_seed(3)
        model = _mlp()
        model.compile("adam", "mse")
        if autocast:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return model.fit(x, y, epochs=4, batch_size=32, verbose=0).history["loss"]
        return model.fit(x, y, epochs=4, batch_size=32, verbose=0).history["loss"]

    plain, mixed = run(False), run(True)
    assert mixed[-1] < 0.8 * mixed[0]  # stale cached weights would leave the loss flat
    np.testing.assert_allclose(mixed, plain, rtol=0.05)


def test_fit_under_float16_autocast_is_refused_with_the_fix():
    model = _mlp()
    model.compile("adam", "mse")
    x, y = _data()
    with pytest.raises(ValueError, match=r"fit\(\) was called inside torch.autocast\(dtype=torch"
                                         r"\.float16\)\. float16 training needs loss scaling"):
        with torch.autocast("cpu", dtype=torch.float16):
            model.fit(x, y, verbose=0)
    assert math.isfinite(model.evaluate(x, y, verbose=0))
