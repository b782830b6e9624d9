"""The CPU differentiation rules for convolution and max pooling (lamina/backend/jax/ops/cpu_grads.py)
give XLA's own values: the forward, the reverse-mode gradients (input and kernel), forward mode,
and second order, over strides, dilations, paddings, groups, depthwise kernels, 1-D/2-D/3-D and
both data formats; max pooling's gradient goes to each window's first maximum, as XLA's
select-and-scatter does, ties included (in forward mode too,
where XLA's own rule may pick another of tied maxima). Runs in-process (only jax needed, any active backend)."""

import importlib

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = jax.numpy

conv_mod = importlib.import_module("lamina.backend.jax.ops.conv")
cpu_grads = importlib.import_module("lamina.backend.jax.ops.cpu_grads")

pytestmark = pytest.mark.skipif(jax.default_backend() != "cpu", reason="the rules apply on the CPU only")


def _tiers(cases, default):
    """The first ``default`` cases in the default tier, the rest slow (each case compiles dozens of
    XLA programs op by op)."""
    return [c if i < default else pytest.param(*c, marks=pytest.mark.slow) for i, c in enumerate(cases)]


def _both(fn, *args):
    """fn(*args) with the CPU rules on, and with XLA's own rules."""
    cpu_grads.ENABLED = True
    try:
        new = fn(*args)
        cpu_grads.ENABLED = False
        old = fn(*args)
    finally:
        cpu_grads.ENABLED = True
    return new, old


def _close(a, b, tol=2e-5):
    for u, v in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        u, v = np.asarray(u), np.asarray(v)
        assert u.shape == v.shape
        scale = max(1.0, float(np.abs(v).max()))
        np.testing.assert_allclose(u, v, rtol=tol, atol=tol * scale)


CONV_CASES = [
    # (input shape, kernel shape, strides, padding, dilation, data_format)
    ((2, 9, 9, 3), (3, 3, 3, 4), 1, "valid", 1, "channels_last"),
    ((2, 9, 8, 3), (3, 2, 3, 5), 2, "same", 1, "channels_last"),
    ((2, 10, 10, 2), (3, 3, 2, 4), 1, "same", 2, "channels_last"),
    ((2, 3, 9, 9), (3, 3, 3, 4), (2, 1), "same", 1, "channels_first"),
    ((2, 11, 3), (4, 3, 6), 3, "valid", 1, "channels_last"),
    ((2, 11, 3), (3, 3, 2), 1, "causal", 2, "channels_last"),
    ((1, 5, 6, 5, 2), (2, 3, 2, 2, 3), 1, "same", 1, "channels_last"),
    ((2, 7, 7, 4), (3, 3, 2, 6), 1, "valid", 1, "channels_last"),  # groups=2
    ((2, 4, 7, 7), (3, 3, 1, 8), 2, "same", 1, "channels_first"),  # groups=4
    ((2, 8, 8, 16), (1, 1, 16, 8), 1, "valid", 1, "channels_last"),  # pointwise
]


@pytest.mark.parametrize("xs,ks,strides,padding,dilation,fmt", _tiers(CONV_CASES, 2))
def test_conv_values_gradients_forward_mode_and_second_order_match_xla(xs, ks, strides, padding, dilation, fmt):
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal(xs).astype("float32"))
    k = jnp.asarray(rng.standard_normal(ks).astype("float32") * 0.3)

    def f(x, k):
        return conv_mod.conv(x, k, strides, padding, fmt, dilation)

    y_new, y_old = _both(f, x, k)
    _close(y_new, y_old)
    g = jnp.asarray(rng.standard_normal(np.shape(y_old)).astype("float32"))
    vjp_new, vjp_old = _both(lambda x, k: jax.vjp(f, x, k)[1](g), x, k)
    _close(vjp_new, vjp_old)
    tx, tk = jnp.ones_like(x) * 0.5, jnp.asarray(rng.standard_normal(ks).astype("float32"))
    jvp_new, jvp_old = _both(lambda x, k: jax.jvp(f, (x, k), (tx, tk)), x, k)
    _close(jvp_new, jvp_old)

    def loss(x, k):
        return jnp.sum(jnp.tanh(f(x, k)))

    # second order through the rule: the gradient of the kernel gradient, and forward over reverse
    hvp = lambda x, k: jax.jvp(jax.grad(loss, argnums=1), (x, k), (tx, tk))[1]  # noqa: E731
    _close(*_both(hvp, x, k), tol=1e-4)
    _close(*_both(jax.grad(lambda x, k: jnp.sum(jax.grad(loss, argnums=1)(x, k) ** 2)), x, k), tol=1e-4)


def test_depthwise_and_separable_convolutions_match_xla():
    rng = np.random.default_rng(1)
    x = jnp.asarray(rng.standard_normal((2, 9, 9, 3)).astype("float32"))
    dk = jnp.asarray(rng.standard_normal((3, 3, 3, 2)).astype("float32"))
    pk = jnp.asarray(rng.standard_normal((1, 1, 6, 4)).astype("float32"))

    def loss(x, dk, pk):
        return jnp.sum(jnp.sin(conv_mod.separable_conv(x, dk, pk, 2, "same")))

    _close(*_both(jax.value_and_grad(loss, argnums=(0, 1, 2)), x, dk, pk))


@pytest.mark.parametrize("xs,ks,strides,padding,output_padding,fmt", _tiers([
    ((2, 4, 4, 6), (4, 4, 3, 6), 2, "same", None, "channels_last"),  # DCGAN-style 4x4/2
    ((2, 5, 4, 3), (3, 3, 2, 3), (2, 3), "valid", None, "channels_last"),
    ((2, 3, 5, 5), (3, 3, 4, 3), 2, "same", 1, "channels_first"),
    ((2, 5, 5, 3), (3, 3, 2, 3), 1, "same", None, "channels_last"),  # stride 1: XLA's rule
], 1))
def test_transposed_convolutions_match_xla(xs, ks, strides, padding, output_padding, fmt):
    rng = np.random.default_rng(5)
    x = jnp.asarray(rng.standard_normal(xs).astype("float32"))
    k = jnp.asarray(rng.standard_normal(ks).astype("float32"))

    def f(x, k):
        return conv_mod.conv_transpose(x, k, strides, padding, output_padding, fmt)

    _close(*_both(f, x, k))
    g = jnp.asarray(rng.standard_normal(np.shape(f(x, k))).astype("float32"))
    _close(*_both(lambda x, k: jax.vjp(f, x, k)[1](g), x, k))
    t = (jnp.ones_like(x), jnp.asarray(rng.standard_normal(ks).astype("float32")))
    _close(*_both(lambda x, k: jax.jvp(f, (x, k), t), x, k))


def test_only_the_input_or_only_the_kernel_differentiated():
    rng = np.random.default_rng(2)
    x = jnp.asarray(rng.standard_normal((2, 6, 6, 2)).astype("float32"))
    k = jnp.asarray(rng.standard_normal((3, 3, 2, 3)).astype("float32"))
    for argnums in (0, 1):
        _close(*_both(jax.grad(lambda x, k: jnp.sum(conv_mod.conv(x, k) ** 2), argnums=argnums), x, k))


POOL_CASES = [
    ((2, 8, 8, 3), 2, None, "valid", "channels_last"),
    ((2, 9, 7, 3), 2, None, "valid", "channels_last"),  # a row and a column no window covers
    ((2, 9, 7, 3), (3, 2), None, "same", "channels_last"),  # -inf padding before and after
    ((2, 3, 8, 6), 2, 2, "valid", "channels_first"),
    ((2, 10, 3), 3, 3, "same", "channels_last"),
    ((1, 4, 6, 4, 2), 2, None, "valid", "channels_last"),
    ((2, 8, 8, 3), 3, 2, "valid", "channels_last"),  # overlapping: XLA's own rule
]


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("xs,pool,strides,padding,fmt", _tiers(POOL_CASES, 1))
def test_max_pool_values_and_gradients_match_xla_ties_included(xs, pool, strides, padding, fmt, ties):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 3, xs) if ties else rng.standard_normal(xs)  # ties: 2x2 windows of equal values
    x = jnp.asarray(x.astype("float32"))

    def f(x):
        return conv_mod.max_pool(x, pool, strides, padding, fmt)

    _close(*_both(f, x), tol=0)
    g = jnp.asarray(rng.standard_normal(np.shape(f(x))).astype("float32"))
    _close(*_both(lambda x: jax.vjp(f, x)[1](g), x), tol=0)
    t = jnp.asarray(rng.standard_normal(xs).astype("float32"))
    if not ties:
        _close(*_both(lambda x: jax.jvp(f, (x,), (t,)), x), tol=0)
    # XLA's own forward mode may pick another of tied maxima than its reverse mode does; the CPU
    # rule picks the first in both, so forward and reverse mode are one linear map:
    # <g, J t> == <J^T g, t>.
    if cpu_grads.use_cpu_rules() and (strides is None or strides == pool):
        jt = jax.jvp(f, (x,), (t,))[1]
        jtg = jax.vjp(f, x)[1](g)[0]
        np.testing.assert_allclose(float(jnp.vdot(g, jt)), float(jnp.vdot(jtg, t)), rtol=1e-5)
    loss = lambda x: jnp.sum(jnp.sin(f(x)))  # noqa: E731
    x1 = x[:1]
    if not ties:
        _close(*_both(jax.hessian(loss), x1), tol=1e-6)
    else:
        # XLA's second-order rule mixes its forward-mode choice among tied maxima with its
        # reverse-mode one (an asymmetric "Hessian"); the CPU rule's is J^T diag(-sin y) J with J
        # the first-maximum Jacobian of XLA's own reverse mode.
        cpu_grads.ENABLED = False
        try:
            jac = np.asarray(jax.jacrev(f)(x1)).reshape(-1, x1.size)
        finally:
            cpu_grads.ENABLED = True
        expected = jac.T @ np.diag(-np.sin(np.asarray(f(x1)).ravel())) @ jac
        np.testing.assert_allclose(np.asarray(jax.hessian(loss)(x1)).reshape(x1.size, -1), expected, atol=1e-6)


def test_max_pool_of_integers_keeps_the_dtype():
    x = jnp.arange(2 * 4 * 4 * 1, dtype=jnp.int32).reshape(2, 4, 4, 1)
    new, old = _both(lambda x: conv_mod.max_pool(x, 2, None, "same"), x)
    assert new.dtype == old.dtype
    np.testing.assert_array_equal(new, old)


@pytest.mark.parametrize("xs,ks,strides,padding,dilation,fmt", _tiers(CONV_CASES, 4))
def test_the_conv_rule_itself_matches_xla_where_lamina_does_not_use_it(xs, ks, strides, padding, dilation, fmt):
    """lamina takes the rule for 2-D undilated convolutions only (where it measured faster); the
    rule itself is right for every rank, dilation and group count."""
    rank = len(ks) - 2
    cl = fmt == "channels_last"
    strides_t, dil_t = conv_mod._tuple(strides, rank), conv_mod._tuple(dilation, rank)
    rng = np.random.default_rng(4)
    x = jnp.asarray(rng.standard_normal(xs).astype("float32"))
    k = jnp.asarray(rng.standard_normal(ks).astype("float32"))
    pads = tuple(tuple(p) for p in conv_mod._pads(x, rank, cl, ks[:rank], strides_t, dil_t, padding))
    dims = conv_mod._dims(rank, cl)
    groups = xs[-1 if cl else 1] // ks[-2]

    def rule(x, k):
        return cpu_grads.conv(x, k, strides_t, pads, dil_t, dims, groups)

    def xla(x, k):
        return jax.lax.conv_general_dilated(x, k, strides_t, pads, rhs_dilation=dil_t, dimension_numbers=dims,
                                            feature_group_count=groups)

    y, vjp = jax.vjp(rule, x, k)
    y_ref, vjp_ref = jax.vjp(xla, x, k)
    g = jnp.asarray(rng.standard_normal(y.shape).astype("float32"))
    _close((y, vjp(g)), (y_ref, vjp_ref(g)))
    assert cpu_grads.conv_rule_applies(rank, dil_t) == (rank == 2 and set(dil_t) == {1})
