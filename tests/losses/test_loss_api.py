"""The Loss base class, lamina.losses.get / serialize / deserialize, and the target checks."""

import numpy as np
import pytest
import torch

import lamina
from lamina import losses, ops

RNG = np.random.default_rng(3)


def test_get_resolves_names_aliases_classes_and_instances():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("mae") is losses.mean_absolute_error
    assert losses.get("kld") is losses.kl_divergence
    assert losses.get("kullback_leibler_divergence") is losses.kl_divergence
    assert losses.get("logcosh") is losses.log_cosh
    assert losses.get("bce") is losses.binary_crossentropy
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    inst = losses.Huber(delta=2.0)
    assert losses.get(inst) is inst
    assert losses.get(None) is None

    def custom(y_true, y_pred):
        return y_pred

    assert losses.get(custom) is custom


def test_unknown_name_suggests_nearest():
    with pytest.raises(ValueError, match="Did you mean 'categorical_crossentropy'") as e:
        losses.get("categorical_crossentropie")
    assert "Unknown loss identifier: 'categorical_crossentropie'" in str(e.value)
    with pytest.raises(TypeError, match="Could not interpret loss identifier"):
        losses.get(42)


def test_serialize_round_trip_classes_and_functions():
    for loss in (losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2),
                 losses.Huber(delta=0.3, reduction="sum", name="h"),
                 losses.SparseCategoricalCrossentropy(ignore_class=0),
                 losses.CosineSimilarity(axis=1)):
        config = losses.serialize(loss)
        assert config["module"] == "keras.losses"
        assert config["class_name"] == type(loss).__name__
        again = losses.deserialize(config)
        assert type(again) is type(loss)
        assert again.get_config() == loss.get_config()
    assert losses.serialize(losses.mse) == {
        "module": "builtins", "class_name": "function", "config": "mean_squared_error",
        "registered_name": "function"}
    assert losses.deserialize(losses.serialize(losses.mse)) is losses.mean_squared_error
    assert losses.deserialize("mse") is losses.mean_squared_error


def test_function_wrapper_config_round_trip():
    w = losses.LossFunctionWrapper(losses.huber, name="hub", delta=0.5)
    again = losses.LossFunctionWrapper.from_config(w.get_config())
    assert again.fn is losses.huber and again._fn_kwargs == {"delta": 0.5} and again.name == "hub"


def test_keras2_config_with_auto_reduction_loads():
    loss = losses.deserialize({"class_name": "BinaryCrossentropy",
                               "config": {"reduction": "auto", "name": "binary_crossentropy",
                                          "from_logits": False, "label_smoothing": 0, "axis": -1}})
    assert loss.reduction == "sum_over_batch_size"


def test_custom_objects_in_deserialize():
    class MyLoss(losses.Loss):
        def call(self, y_true, y_pred):
            return ops.mean(ops.abs(y_true - y_pred), axis=-1)

    config = losses.serialize(MyLoss(name="mine"))
    assert config["registered_name"] == "MyLoss"
    again = losses.deserialize(config, custom_objects={"MyLoss": MyLoss})
    assert isinstance(again, MyLoss) and again.name == "mine"


def test_invalid_reduction_is_rejected_with_choices():
    with pytest.raises(ValueError, match="Invalid loss reduction 'avg'.*sum_over_batch_size"):
        losses.MeanSquaredError(reduction="avg")


def test_default_names_are_keras_names():
    assert losses.Huber().name == "huber_loss"
    assert losses.LogCosh().name == "log_cosh"
    assert losses.KLDivergence().name == "kl_divergence"
    assert losses.SparseCategoricalCrossentropy().name == "sparse_categorical_crossentropy"
    assert losses.LossFunctionWrapper(losses.poisson).name == "poisson"


def test_subclass_with_call_gets_reduction_and_weights():
    class Abs(losses.Loss):
        def call(self, y_true, y_pred):
            return ops.mean(ops.abs(y_true - y_pred), axis=-1)

    y, p = RNG.random((5, 3)).astype("float32"), RNG.random((5, 3)).astype("float32")
    w = RNG.random(5).astype("float32")
    got = ops.convert_to_numpy(Abs(reduction="sum")(y, p, w))
    np.testing.assert_allclose(got, (np.abs(y - p).mean(-1) * w).sum(), rtol=1e-6)


def test_float16_predictions_are_computed_in_float32():
    p = ops.convert_to_tensor(RNG.random((4, 3)), "float16")
    out = losses.MeanSquaredError()(RNG.random((4, 3)).astype("float32"), p)
    assert ops.dtype(out) == "float32"


@pytest.mark.torch_only  # torch.nn.functional's fused kernels
def test_unweighted_mean_uses_the_fused_torch_kernel():
    y, p = torch.rand(6, 2), torch.rand(6, 2)
    assert torch.equal(losses.MeanSquaredError()(y, p), torch.nn.functional.mse_loss(p, y))
    logits, labels = torch.randn(6, 4), torch.randint(0, 4, (6,))
    got = losses.SparseCategoricalCrossentropy(from_logits=True)(labels[:, None], logits)
    assert torch.equal(got, torch.nn.functional.cross_entropy(logits, labels))
    # Same numbers as the unfused per-sample path (used with sample weights).
    ones = torch.ones(6)
    assert torch.allclose(losses.MeanSquaredError()(y, p, ones), torch.nn.functional.mse_loss(p, y))


def test_user_subclass_of_the_wrapper_keeps_its_call():
    class Doubled(losses.LossFunctionWrapper):
        def call(self, y_true, y_pred):
            return 2.0 * super().call(y_true, y_pred)

    y, p = RNG.random((6, 2)).astype("float32"), RNG.random((6, 2)).astype("float32")
    got = ops.convert_to_numpy(Doubled(losses.mean_squared_error)(y, p))
    np.testing.assert_allclose(got, 2 * np.mean((p - y) ** 2), rtol=1e-6)


@pytest.mark.torch_only  # torch.nn loss modules
def test_torch_nn_loss_module_is_accepted_with_keras_argument_order():
    loss = losses.get(torch.nn.CrossEntropyLoss())
    logits = torch.randn(5, 3)
    labels = torch.tensor([0, 2, 1, 1, 0])
    assert torch.allclose(loss(labels, logits), torch.nn.functional.cross_entropy(logits, labels))


@pytest.mark.torch_only  # torch autograd
def test_losses_do_not_keep_their_inputs_outside_autograd():
    p = torch.rand(4, 3, requires_grad=True)
    out = losses.CategoricalCrossentropy()(torch.eye(3)[[0, 1, 2, 0]], p)
    out.backward()
    assert p.grad is not None and torch.isfinite(p.grad).all()


# ---------------------------------------------------------------- shape errors
def test_categorical_crossentropy_with_integer_labels_names_the_fix():
    with pytest.raises(ValueError) as e:
        losses.categorical_crossentropy(np.array([0, 2, 1]), RNG.random((3, 3)).astype("float32"))
    msg = str(e.value)
    assert "(3,)" in msg and "(3, 3)" in msg
    assert "sparse_categorical_crossentropy" in msg and "lamina.utils.to_categorical" in msg


def test_sparse_crossentropy_with_one_hot_targets_names_the_fix():
    with pytest.raises(ValueError, match="look one-hot encoded.*categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(np.eye(3, dtype="float32"), RNG.random((3, 3)).astype("float32"))


def test_check_targets_rejects_broadcasting_shapes():
    y_true, y_pred = torch.zeros(8), torch.zeros(8, 4)
    with pytest.raises(ValueError, match=r"y_true.shape=\(8,\) and y_pred.shape=\(8, 4\)"):
        losses.check_targets(losses.MeanSquaredError(), y_true, y_pred)
    losses.check_targets(losses.MeanSquaredError(), torch.zeros(8), torch.zeros(8, 1))  # fine
    losses.check_targets(losses.binary_crossentropy, torch.zeros(8, 1), torch.zeros(8))  # fine


def test_check_targets_rejects_single_class_categorical():
    with pytest.raises(ValueError, match="always 0.*binary_crossentropy"):
        losses.check_targets(losses.CategoricalCrossentropy(), torch.zeros(8, 1), torch.zeros(8, 1))


def test_check_targets_leaves_user_losses_alone():
    def anything(y_true, y_pred):
        return y_pred

    losses.check_targets(anything, torch.zeros(3), torch.zeros(3, 7))


def test_public_names_exist():
    for name in losses.__all__:
        assert hasattr(lamina.losses, name), name
