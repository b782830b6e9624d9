"""Optimizer.stateless_apply: the same update as apply(), as a function of values."""

import numpy as np
import pytest

import lamina
from lamina import ops

RNG = np.random.default_rng(0)
W = [RNG.random((3, 2), dtype=np.float32), RNG.random((2,), dtype=np.float32)]
G = [[RNG.standard_normal(w.shape).astype("float32") for w in W] for _ in range(3)]


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "Adagrad", "Adadelta", "Adamax", "Nadam"])
def test_stateless_apply_matches_apply_and_changes_nothing(name):
    cls = getattr(lamina.optimizers, name)
    kw = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    ref, opt = cls(**kw), cls(**kw)
    ref_w = [lamina.backend.Variable(w.copy()) for w in W]  # apply() updates these
    w = [ops.convert_to_tensor(x.copy()) for x in W]
    ref.build(ref_w)
    opt.build(w)
    state = [v.numpy() for v in opt.variables]
    initial = [v.numpy() for v in opt.variables]
    values = [ops.convert_to_tensor(x.copy()) for x in W]
    for g in G:
        ref.apply([ops.convert_to_tensor(x) for x in g], ref_w)
        values, state = opt.stateless_apply(state, [ops.convert_to_tensor(x) for x in g], values)
    for a, b in zip(values, ref_w):
        np.testing.assert_allclose(ops.convert_to_numpy(a), b.numpy(), rtol=1e-6)
    for a, b in zip(state, ref.variables):
        np.testing.assert_allclose(np.asarray(ops.convert_to_numpy(a) if ops.is_tensor(a) else a), b.numpy(),
                                   rtol=1e-6)
    assert int(np.asarray(state[0])) == 3 and opt.iterations == 0
    for a, b in zip(w, W):
        np.testing.assert_array_equal(ops.convert_to_numpy(a), b)  # the variables are untouched
    for v, before in zip(opt.variables, initial):  # and so is the optimizer's own state
        np.testing.assert_array_equal(v.numpy(), before)


def test_stateless_apply_checks_its_arguments():
    opt = lamina.optimizers.Adam()
    with pytest.raises(ValueError, match="must be built before stateless_apply"):
        opt.stateless_apply([], [], [])
    opt.build([ops.ones((2,))])
    with pytest.raises(ValueError, match=r"expects 4 optimizer values \(optimizer.variables\) and 1 trainable"):
        opt.stateless_apply([0], [ops.ones((2,))], [ops.ones((2,))])
