"""The Metric base class and lamina.metrics.get / serialize / deserialize."""

import numpy as np
import pytest
import torch

import lamina
from lamina import losses, metrics, ops


def test_state_is_named_variables_on_the_device_updated_in_place():
    m = metrics.Mean()
    before = m.variables
    assert [v.path for v in before] == ["mean/total", "mean/count"]
    assert all(ops.is_tensor(v.value) and v.value.device == ops.DEVICE for v in before)
    storage = [v.value for v in before]
    m.update_state([1.0, 2.0, 3.0])
    after = m.variables
    assert all(a is b for a, b in zip(before, after))
    if lamina.backend.backend() == "torch":
        assert all(a.value is b for a, b in zip(after, storage))  # same tensors: updated in place
    else:  # JAX arrays are immutable: the same variables hold new arrays
        assert not any(a.value is b for a, b in zip(after, storage))
    assert [float(v) for v in after] == [6.0, 3.0]
    m.reset_state()
    assert [float(v) for v in m.variables] == [0.0, 0.0]
    assert float(m.result()) == 0.0  # 0 / 0 reports 0, as Keras


def test_stateless_update_result_and_reset_leave_the_variables_alone():
    m = metrics.Mean()
    m.update_state([10.0])
    state = m.stateless_reset_state()
    assert [float(v) for v in state] == [0.0, 0.0]
    state = m.stateless_update_state(state, [1.0, 2.0, 3.0])
    state = m.stateless_update_state(state, [6.0])
    assert [float(v) for v in state] == [12.0, 4.0] and float(m.stateless_result(state)) == 3.0
    assert [float(v) for v in m.variables] == [10.0, 1.0] and float(m.result()) == 10.0
    with pytest.raises(ValueError, match=r"Metric 'mean' has 2 variables \(\['total', 'count'\]\), but received 1"):
        m.stateless_result([state[0]])


def test_result_is_a_snapshot():
    m = metrics.Sum()
    m.update_state([1.0])
    first = m.result()
    m.update_state([5.0])
    assert float(first) == 1.0 and float(m.result()) == 6.0


@pytest.mark.torch_only  # requires_grad and autograd graphs are torch's; JAX arrays carry no graph
def test_metrics_do_not_hold_autograd_graphs():
    p = torch.rand(4, 3, requires_grad=True)
    for m in (metrics.MeanSquaredError(), metrics.CategoricalAccuracy(), metrics.AUC(),
              metrics.RootMeanSquaredError(), metrics.Precision()):
        m.update_state(torch.eye(3)[[0, 1, 2, 0]], torch.sigmoid(p))
        assert not any(v.requires_grad for v in m.variables), m.name
        assert not m.result().requires_grad


def test_call_updates_and_returns_result():
    m = metrics.BinaryAccuracy()
    assert float(m([[1.0], [0.0]], [[0.9], [0.8]])) == 0.5


def test_get_gives_instances_functions_and_loss_functions():
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("binary_accuracy"), metrics.BinaryAccuracy)
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    assert isinstance(metrics.get("binary_crossentropy"), metrics.BinaryCrossentropy)
    assert metrics.get("huber") is losses.huber
    m = metrics.Precision()
    assert metrics.get(m) is m
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)


def test_unknown_metric_name_suggests_nearest():
    with pytest.raises(ValueError, match="Unknown metric identifier: 'acuracy'. Did you mean 'accuracy'"):
        metrics.get("acuracy")


def test_serialize_round_trip():
    for m in (metrics.BinaryAccuracy(threshold=0.3, name="ba"), metrics.TopKCategoricalAccuracy(k=2),
              metrics.Precision(thresholds=[0.2, 0.4], class_id=1), metrics.AUC(curve="PR", num_thresholds=50),
              metrics.CategoricalCrossentropy(from_logits=True), metrics.Mean(name="m")):
        again = metrics.deserialize(metrics.serialize(m))
        assert type(again) is type(m) and again.get_config() == m.get_config()
    w = metrics.MeanMetricWrapper(losses.mean_absolute_error, name="w")
    again = metrics.deserialize(metrics.serialize(w))
    assert again._fn is losses.mean_absolute_error and again.name == "w"
    w = metrics.MeanMetricWrapper(metrics.top_k_categorical_accuracy, k=2)
    again = metrics.MeanMetricWrapper.from_config(w.get_config())
    assert again._fn is metrics.top_k_categorical_accuracy and again._fn_kwargs == {"k": 2}


def test_precision_with_several_thresholds_returns_a_vector():
    m = metrics.Precision(thresholds=[0.25, 0.75])
    m.update_state([0, 1, 1, 1], [0.5, 0.3, 0.8, 0.9])
    np.testing.assert_allclose(ops.convert_to_numpy(m.result()), [0.75, 1.0], rtol=1e-6)  # 3 of 4 above 0.25; 2 of 2 above 0.75


def test_bad_arguments_raise_with_the_fix():
    with pytest.raises(ValueError, match=r"thresholds must lie in \[0, 1\]"):
        metrics.Precision(thresholds=1.5)
    with pytest.raises(ValueError, match="invalid curve 'XY'"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="num_labels=3 is only used with multi_label=True"):
        metrics.AUC(num_labels=3)


def test_function_forms():
    np.testing.assert_array_equal(
        ops.convert_to_numpy(metrics.categorical_accuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]])), [1.0, 0.0])
    np.testing.assert_array_equal(
        ops.convert_to_numpy(metrics.top_k_categorical_accuracy([[0, 0, 1]], [[0.5, 0.3, 0.2]], k=2)), [0.0])
    np.testing.assert_array_equal(
        ops.convert_to_numpy(metrics.sparse_top_k_categorical_accuracy([[1], [2]], [[0.5, 0.3, 0.2], [0.5, 0.3, 0.2]], k=2)),
        [1.0, 0.0])


def test_sparse_ce_metric_ignores_class():
    m = metrics.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    logits = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]], "float32")
    m.update_state([0, 1, 1], logits)
    want = np.mean([np.log(1 + np.e), np.log(1 + np.exp(-2.0))])
    np.testing.assert_allclose(float(m.result()), want, rtol=1e-6)


def test_public_names_exist():
    for name in metrics.__all__:
        assert hasattr(lamina.metrics, name), name
