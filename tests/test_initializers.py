import numpy as np
import pytest

from lamina import initializers, ops


def stats(init, shape):
    v = ops.convert_to_numpy(init(shape))
    assert v.shape == tuple(shape)
    return v


@pytest.mark.parametrize("name,var", [
    ("glorot_uniform", lambda fi, fo: 2.0 / (fi + fo)),
    ("glorot_normal", lambda fi, fo: 2.0 / (fi + fo)),
    ("he_uniform", lambda fi, fo: 2.0 / fi),
    ("he_normal", lambda fi, fo: 2.0 / fi),
    ("lecun_uniform", lambda fi, fo: 1.0 / fi),
    ("lecun_normal", lambda fi, fo: 1.0 / fi),
])
def test_variance_scaling_family_variance(name, var):
    shape = (3, 3, 40, 60)  # conv kernel: fan_in = 3*3*40, fan_out = 3*3*60
    v = stats(initializers.get(name), shape)
    fi, fo = 9 * 40, 9 * 60
    assert abs(v.var() / var(fi, fo) - 1) < 0.05
    assert abs(v.mean()) < 0.005


def test_truncated_normal_within_two_stddev():
    v = stats(initializers.TruncatedNormal(stddev=0.5), (200, 200))
    assert np.abs(v).max() <= 1.0 + 1e-6


def test_simple_initializers():
    assert (stats(initializers.get("zeros"), (2, 3)) == 0).all()
    assert (stats(initializers.get("ones"), (2, 3)) == 1).all()
    assert (stats(initializers.Constant(0.7), (4,)) == np.float32(0.7)).all()
    np.testing.assert_array_equal(stats(initializers.get("identity"), (3, 3)), np.eye(3))
    u = stats(initializers.get("random_uniform"), (1000,))
    assert u.min() >= -0.05 and u.max() <= 0.05
    n = stats(initializers.RandomNormal(stddev=2.0), (100, 100))
    assert abs(n.std() - 2.0) < 0.05


@pytest.mark.parametrize("dtype", [None, "float32", "float16", "bfloat16", "int32", "uint8", "bool"])
def test_constant_valued_initializers_match_ops_full_in_every_dtype(dtype):
    """Zeros/Ones/Constant/Identity build their values on the host; the tensor has the dtype and
    the values ops.full/ops.eye give (bfloat16 included, which NumPy lacks)."""
    cases = [(initializers.Zeros(), ops.zeros((3, 4), dtype)), (initializers.Ones(), ops.ones((3, 4), dtype)),
             (initializers.Constant(0.7), ops.full((3, 4), 0.7, dtype)),
             (initializers.Constant([1.5, -2.0, 0.0, 3.0]), ops.convert_to_tensor(
                 np.broadcast_to(np.array([1.5, -2.0, 0.0, 3.0], "float32"), (3, 4)), dtype)),
             (initializers.Identity(gain=2.0), ops.eye(3, 4, dtype=dtype) * 2 if dtype != "bool" else ops.eye(3, 4, dtype=dtype))]
    for init, want in cases:
        got = init((3, 4), dtype=dtype)
        assert ops.is_tensor(got) and ops.standardize_dtype(got.dtype) == ops.standardize_dtype(want.dtype), init
        np.testing.assert_array_equal(ops.convert_to_numpy(got), ops.convert_to_numpy(want), err_msg=str(init))


def test_constant_valued_initializers_compile_nothing_under_jax():
    """Under JAX, a weight of a new shape filled on the device compiled an XLA program (a model
    build compiled one per distinct bias width); made on the host, nothing compiles."""
    import lamina

    if lamina.backend.backend() != "jax":
        pytest.skip("counts JAX compiles")
    from tests.backend.jax._compiles import count

    n0 = count()
    for k, dtype in enumerate(["float32", "bfloat16", "int32", "float16"]):
        for init in (initializers.Zeros(), initializers.Ones(), initializers.Constant(0.25),
                     initializers.Constant([[1.0], [2.0]]), initializers.Identity(gain=0.5)):
            init((2, 1013 + k), dtype=dtype) if not isinstance(init, initializers.Identity) else init((7, 1013 + k))
    assert count() == n0


def test_orthogonal_is_orthogonal():
    q = stats(initializers.get("orthogonal"), (8, 5))
    np.testing.assert_allclose(q.T @ q, np.eye(5), atol=1e-5)


def test_seeded_initializer_is_reproducible():
    a = stats(initializers.GlorotUniform(seed=3), (4, 4))
    b = stats(initializers.GlorotUniform(seed=3), (4, 4))
    np.testing.assert_array_equal(a, b)


def test_unknown_initializer_suggests():
    with pytest.raises(ValueError, match="Did you mean 'glorot_uniform'"):
        initializers.get("glorot_unifrom")
