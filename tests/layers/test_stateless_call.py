"""Layer.stateless_call, StatelessScope, and losses kept per outermost call."""

import numpy as np
import pytest
import torch

import lamina
from lamina import backend, layers, ops
from tests.layers.neutral import grad

X = np.random.default_rng(0).random((8, 4), dtype=np.float32)


def _np(x):
    return ops.convert_to_numpy(x)


def test_stateless_call_uses_given_values_and_leaves_variables_alone():
    bn = layers.BatchNormalization(momentum=0.5)
    bn(X)
    before = [v.numpy() for v in bn.variables]
    tv = [v.value * 0 + 2.0 for v in bn.trainable_variables]  # gamma = beta = 2
    ntv = [v.value for v in bn.non_trainable_variables]
    y, new = bn.stateless_call(tv, ntv, X, training=True)
    for v, b in zip(bn.variables, before):
        np.testing.assert_array_equal(v.numpy(), b)  # nothing changed
    mean, var = X.mean(0), X.var(0)
    np.testing.assert_allclose(_np(y), 2 * (X - mean) / np.sqrt(var + 1e-3) + 2, rtol=1e-4, atol=1e-5)
    # The new statistics come back (Keras's rule: momentum * moving + (1 - momentum) * batch).
    np.testing.assert_allclose(_np(new[0]), 0.5 * 0 + 0.5 * mean, rtol=1e-5)
    np.testing.assert_allclose(_np(new[1]), 0.5 * 1 + 0.5 * var, rtol=1e-5)
    # The stateful call applies exactly what the stateless call returned.
    bn.set_weights([np.full(4, 2.0, "float32")] * 2 + before[2:])
    np.testing.assert_allclose(_np(bn(X, training=True)), _np(y), rtol=1e-6)
    np.testing.assert_allclose(_np(bn.moving_variance), _np(new[1]), rtol=1e-6)


def test_stateless_call_returns_seed_state_and_losses():
    model = lamina.Sequential([
        layers.Input((4,)),
        layers.Dense(3, kernel_regularizer=lamina.regularizers.L2(0.1), activity_regularizer="l1"),
        layers.Dropout(0.5, seed=1),
    ])
    tv = [v.value for v in model.trainable_variables]
    ntv = [v.value for v in model.non_trainable_variables]
    assert len(ntv) == 1  # the dropout's seed state
    y1, ntv1, losses = model.stateless_call(tv, ntv, X, training=True, return_losses=True)
    assert _np(ntv1[0]).tolist() == [1, 1] and model.non_trainable_variables[0].numpy().tolist() == [1, 0]
    y2, _ = model.stateless_call(tv, ntv, X, training=True)
    np.testing.assert_array_equal(_np(y1), _np(y2))  # same state in, same masks out
    k = _np(model.layers[0].kernel)
    h = X @ k + _np(model.layers[0].bias)
    expected = {round(0.1 * float((k ** 2).sum()), 5), round(float(np.abs(h).sum()) * 0.01 / 8, 5)}
    assert {round(float(v), 5) for v in losses} == expected


@pytest.mark.torch_only
def test_stateless_call_composes_with_torch_func_grad():
    d = layers.Dense(2)
    d(X)
    tv = [v.value.detach() for v in d.trainable_variables]

    def loss(tv):
        return ops.sum(d.stateless_call(tv, [], X)[0] ** 2)

    g = torch.func.grad(loss)(tv)
    y = X @ tv[0].numpy() + tv[1].numpy()
    np.testing.assert_allclose(g[0].numpy(), X.T @ (2 * y), rtol=1e-5)
    np.testing.assert_allclose(g[1].numpy(), (2 * y).sum(0), rtol=1e-5)


def test_stateless_call_is_differentiable_in_the_given_values():
    d = layers.Dense(2)
    d(X)
    k, b = d.get_weights()

    def loss(tv):
        return ops.sum(d.stateless_call(tv, [], X)[0] ** 2)

    gk, gb = grad(loss, [k, b])[0]  # torch autograd or jax.grad, whichever backend runs
    y = X @ k + b
    np.testing.assert_allclose(gk, X.T @ (2 * y), rtol=1e-5)
    np.testing.assert_allclose(gb, (2 * y).sum(0), rtol=1e-5)


def test_stateless_call_checks_its_arguments():
    d = layers.Dense(2)
    with pytest.raises(ValueError, match="must be built before stateless_call"):
        d.stateless_call([], [], X)
    d(X)
    with pytest.raises(ValueError, match=r"expects 2 trainable and 0 non-trainable values .* received 1 and 0"):
        d.stateless_call([d.kernel], [], X)


def test_assign_inside_a_scope_is_recorded_not_applied():
    v = backend.Variable(np.zeros(2, "float32"), name="v")
    with backend.StatelessScope([(v, np.ones(2, "float32"))]) as scope:
        v.assign_add([1.0, 2.0])
        v.assign_sub([0.5, 0.5])
        np.testing.assert_array_equal(_np(v.value), [1.5, 2.5])
    np.testing.assert_array_equal(v.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(_np(scope.get_current_value(v)), [1.5, 2.5])


def test_a_layer_called_twice_in_one_forward_keeps_both_activity_losses():
    shared = layers.Dense(2, activity_regularizer=lamina.regularizers.L1(1.0), kernel_initializer="ones")
    a, b = layers.Input((4,)), layers.Input((4,))
    model = lamina.Model([a, b], layers.Add()([shared(a), shared(b)]))
    xa, xb = np.ones((2, 4), "float32"), 2 * np.ones((2, 4), "float32")
    model([xa, xb])
    # L1 of each output divided by the batch size: 16 / 2 and 32 / 2 (Keras keeps both).
    assert sorted(float(v) for v in model.losses) == [8.0, 16.0]
    model([xa, xa])
    assert sorted(float(v) for v in model.losses) == [8.0, 8.0]  # a new forward starts afresh


def test_containers_pass_training_and_mask_explicitly():
    seq = lamina.Sequential([layers.Input((3, 2)), layers.Dropout(0.999, seed=0), layers.LSTM(2)])
    x = np.ones((2, 3, 2), "float32")
    assert not np.allclose(_np(seq(x, training=True)), _np(seq(x, training=False)))
    # A mask given to the container reaches its first layer: fully masked rows keep the initial
    # state (zeros) in the LSTM.
    lstm_model = lamina.Sequential([layers.Input((3, 2)), layers.LSTM(2)])
    out = _np(lstm_model(x, mask=np.array([[False] * 3, [True] * 3])))
    np.testing.assert_array_equal(out[0], [0.0, 0.0])
    assert np.any(out[1] != 0)
    inp = layers.Input((3, 2))
    fmodel = lamina.Model(inp, layers.LSTM(2)(layers.Dropout(0.999, seed=0)(inp)))
    assert not np.allclose(_np(fmodel(x, training=True)), _np(fmodel(x, training=False)))
    out = _np(fmodel(x, mask=np.array([[False] * 3, [True] * 3])))
    np.testing.assert_array_equal(out[0], [0.0, 0.0])


def test_masks_travel_in_a_side_table_for_tensors_that_refuse_attributes():
    class Slotted(torch.Tensor):
        __slots__ = ()

        def __setattr__(self, name, value):
            raise AttributeError(name)

    t = torch.ones(2).as_subclass(Slotted)
    m = torch.tensor([True, False])
    backend.set_mask(t, m)
    assert backend.get_mask(t) is m and not hasattr(t, "_keras_mask")
    plain = torch.ones(2)
    backend.set_mask(plain, m)
    assert plain._keras_mask is m and backend.get_mask(plain) is m  # Keras's attribute, as before


def test_stateful_rnn_states_are_non_trainable_variables():
    layer = layers.LSTM(2, stateful=True)
    model = lamina.Sequential([layers.Input((3, 2), batch_size=4), layer])
    x = np.random.default_rng(0).random((4, 3, 2), dtype=np.float32)
    assert layer.non_trainable_variables == [] or all(v.trainable is False for v in layer.non_trainable_variables)
    model.compile("sgd", "mse")
    model.fit(x, np.zeros((4, 2), "float32"), batch_size=4, epochs=2, shuffle=False, verbose=0)  # trains
    states = layer.non_trainable_variables
    assert [v.name for v in states] == ["state", "state"] and [v.shape for v in states] == [(4, 2)] * 2
    assert model.weights == layer.weights and len(model.weights) == 3  # states are not weights
    h = states[0].numpy()
    tv = [v.value for v in model.trainable_variables]
    y, new = model.stateless_call(tv, [v.value for v in states], x)
    np.testing.assert_array_equal(states[0].numpy(), h)  # unchanged by the stateless call
    y2 = model(x)
    np.testing.assert_allclose(_np(y), _np(y2), rtol=1e-6)
    np.testing.assert_allclose(_np(new[0]), states[0].numpy(), rtol=1e-6)  # the stateful call applied it
