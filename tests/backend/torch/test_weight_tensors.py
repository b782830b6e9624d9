"""Under torch a layer's weight attribute is the module's own Parameter/Buffer: torch sees plain
storage, Keras 3 code sees the Variable API (tests/test_keras3_compat_gaps.py checks the API
against Keras 3; these check the torch side of the bridge)."""

import copy
import io
import pickle

import numpy as np
import torch

from lamina import backend, layers, ops
from lamina.backend.torch.weight_tensors import Buffer


def _bn():
    bn = layers.BatchNormalization(name="bn")
    bn.build((None, 4))
    return bn


def test_weights_stay_torch_storage_and_ops_on_them_give_plain_tensors():
    d = layers.Dense(3)
    d.build((None, 2))
    bn = _bn()
    assert isinstance(d.kernel, torch.nn.Parameter) and d.kernel is d._parameters["kernel"]
    assert type(bn.moving_mean) is Buffer
    assert bn.moving_mean is dict(bn.named_buffers())["moving_mean"]
    # no __torch_function__ dispatch: results are plain tensors, as with nn.Parameter
    assert type(d.kernel * 2) is torch.Tensor and type(bn.moving_mean + 1) is torch.Tensor
    assert type(torch.matmul(torch.ones(1, 2), d.kernel)) is torch.Tensor
    assert [n for n, _ in d.named_parameters()] == ["kernel", "bias"]


def test_buffers_keep_the_api_across_dtype_moves():
    bn = _bn()
    bn.double()
    assert bn.moving_mean.dtype == torch.float64
    assert bn.moving_mean.path == "bn/moving_mean"
    bn.moving_mean.assign_add(np.ones(4))
    np.testing.assert_allclose(bn.non_trainable_weights[0].numpy(), np.ones(4))
    bn.float()
    bn.moving_mean.assign_sub(np.ones(4, "float32"))
    np.testing.assert_allclose(bn.moving_mean.numpy(), np.zeros(4))


def test_weights_pickle_as_plain_torch_storage():
    d = layers.Dense(3, name="pickled")
    d.build((None, 2))
    bn = _bn()
    buf = io.BytesIO()
    torch.save({"k": d.kernel, "m": bn.moving_variance}, buf)
    buf.seek(0)
    back = torch.load(buf, weights_only=True)  # no layer travels with the tensors
    np.testing.assert_array_equal(back["k"].detach().numpy(), d.kernel.numpy())
    np.testing.assert_array_equal(back["m"].numpy(), bn.moving_variance.numpy())
    assert len(pickle.dumps(d.kernel)) < 2000


def test_a_copied_lone_weight_is_no_layers_weight():
    d = layers.Dense(3)
    d.build((None, 2))
    k = copy.deepcopy(d.kernel)
    assert k.path is None
    k.assign_add(np.ones((2, 3), "float32"))  # updates the copy only
    np.testing.assert_allclose(k.numpy(), d.kernel.numpy() + 1)


def test_updates_inside_a_stateless_scope_go_to_the_scope():
    d = layers.Dense(3)
    d.build((None, 2))
    before = d.kernel.numpy()
    with backend.StatelessScope() as scope:
        d.kernel.assign_add(np.ones((2, 3), "float32"))
        inside = ops.convert_to_numpy(scope.get_current_value(d.weights[0]))
    np.testing.assert_allclose(inside, before + 1)
    np.testing.assert_array_equal(d.kernel.numpy(), before)


def test_trainable_flag_on_the_parameter_sets_requires_grad():
    d = layers.Dense(3)
    d.build((None, 2))
    d.kernel.trainable = False
    assert not d.kernel.requires_grad and d.bias.requires_grad
    d.kernel.trainable = True
    assert d.kernel.requires_grad
