"""lamina.distribution's Keras 3 names in one process."""

import pytest

import lamina as keras
from lamina import distribution


def test_list_devices_and_mesh():
    devices = distribution.list_devices()
    assert devices and all(":" in d for d in devices)
    assert distribution.list_devices("cpu") == ["cpu:0"]
    with pytest.raises(ValueError, match=r"device_type='tpu'.*'cpu', 'gpu' or 'cuda'"):
        distribution.list_devices("tpu")
    mesh = distribution.DeviceMesh((2,), ["batch"], devices=["cpu:0", "cpu:1"])
    assert mesh.shape == (2,) and mesh.axis_names == ["batch"]
    with pytest.raises(ValueError, match=r"shape \(2, 2\) has 2 axes but axis_names \['batch'\] has 1"):
        distribution.DeviceMesh((2, 2), ["batch"])
    with pytest.raises(ValueError, match="holds 4 devices but 2 were given"):
        distribution.DeviceMesh((4,), ["batch"], devices=["cpu:0", "cpu:1"])


def test_data_parallel_in_one_process_is_plain_training():
    dp = distribution.DataParallel()
    assert dp.num_processes == 1 and dp.process_id == 0 and dp.batch_dim_name == "batch"
    with pytest.raises(ValueError, match="must have one axis"):
        distribution.DataParallel(device_mesh=distribution.DeviceMesh((1, 1), ["batch", "model"]))
    with pytest.raises(TypeError, match="expects a lamina.distribution.DataParallel or None, received str"):
        distribution.set_distribution("data_parallel")
    distribution.set_distribution(dp)
    try:
        assert distribution.distribution() is dp
        assert not distribution.data_parallel_active()  # one process: the plain steps
        model = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        assert type(model._get_steps()).__name__ == "Steps"
    finally:
        distribution.set_distribution(None)
    assert distribution.distribution() is None
    assert distribution.is_chief() and distribution.chief_writes(lambda a: a + 1, 1) == 2


def test_only_rank_zero_prints_and_logs(monkeypatch, tmp_path):
    from lamina.callbacks import CSVLogger, EarlyStopping
    from lamina.callbacks.callback_list import CallbackList
    from lamina.callbacks.progbar_logger import resolve_verbose

    csv, stop = CSVLogger(str(tmp_path / "log.csv")), EarlyStopping()
    assert resolve_verbose(1) == 1 and len(CallbackList([csv, stop]).callbacks) == 2
    monkeypatch.setenv("RANK", "1")  # what torchrun sets in the second process
    assert not distribution.is_chief()
    assert resolve_verbose(1) == 0 and resolve_verbose("auto") == 0
    assert CallbackList([csv, stop]).callbacks == [stop]


def test_layout_map_and_model_parallel_points_to_fsdp2():
    mesh = distribution.DeviceMesh((2, 4), ["batch", "model"])
    layouts = distribution.LayoutMap(mesh)
    layouts["dense.*kernel"] = (None, "model")
    layouts["dense.*bias"] = ["model"]
    assert layouts["dense_1/kernel"] == (None, "model") and layouts["dense/bias"] == ("model",)
    assert layouts["conv2d/kernel"] is None and len(layouts) == 2
    with pytest.raises(ValueError, match=r"axis 'modle' is not an axis of the mesh \['batch', 'model'\]"):
        layouts["x"] = ("modle",)
    layouts["dense_1.*"] = (None, None)
    with pytest.raises(ValueError, match="matches several keys"):
        layouts["dense_1/kernel"]
    with pytest.raises(NotImplementedError, match=r"ModelParallel is not implemented.*fully_shard"):
        distribution.ModelParallel(layout_map=layouts, batch_dim_name="batch")
    with pytest.raises(TypeError, match="ModelParallel is not implemented: shard the model with FSDP2"):
        distribution.set_distribution(layouts)
