"""lamina.random: seeds, SeedGenerator and the distributions (moments against closed forms)."""

import inspect
import math

import numpy as np
import pytest
import torch

import lamina
from lamina import ops, random
from tests.keras3 import keras3

N = 200_000


def _np(x):
    return ops.convert_to_numpy(x)


def test_int_seed_is_stateless_and_generator_moves_on():
    a = _np(random.normal((5,), seed=3))
    np.testing.assert_array_equal(a, _np(random.normal((5,), seed=3)))
    assert not np.array_equal(a, _np(random.normal((5,), seed=4)))
    gen = random.SeedGenerator(3)
    first, second = _np(random.normal((5,), seed=gen)), _np(random.normal((5,), seed=gen))
    # Keras's draw order: the first draw of SeedGenerator(s) is the draw of seed=s.
    np.testing.assert_array_equal(first, a)
    assert not np.array_equal(first, second)
    again = random.SeedGenerator(3)
    np.testing.assert_array_equal(_np(random.normal((5,), seed=again)), first)
    np.testing.assert_array_equal(_np(random.normal((5,), seed=again)), second)


def test_seed_generator_state_is_a_variable_counting_draws():
    gen = random.SeedGenerator(seed=7)
    assert gen.state.trainable is False and gen.state.shape == (2,)
    assert gen.state.numpy().tolist() == [7, 0]
    out = gen.next()
    assert _np(out).tolist() == [7, 0] and gen.state.numpy().tolist() == [7, 1]
    assert gen.get_config() == {"seed": 7, "name": gen.name}
    assert random.SeedGenerator.from_config(gen.get_config()).state.numpy().tolist() == [7, 0]


def test_seed_generator_without_seed_follows_set_random_seed():
    lamina.utils.set_random_seed(11)
    a = random.SeedGenerator().state.numpy()
    lamina.utils.set_random_seed(11)
    np.testing.assert_array_equal(a, random.SeedGenerator().state.numpy())


def test_errors_name_the_value_and_the_fix():
    with pytest.raises(ValueError, match=r"seed=1.5 of type float. Example: seed=42"):
        random.normal((2,), seed=1.5)
    with pytest.raises(ValueError, match=r"SeedGenerator: argument `seed` must be an integer; received seed='a'"):
        random.SeedGenerator("a")
    with pytest.raises(ValueError, match=r"`logits` must be 2D \(batch, classes\); received shape \(3,\)"):
        random.categorical([0.0, 1.0, 2.0], 1, seed=0)


@pytest.mark.parametrize("seed", [0, None])
def test_uniform_and_normal_moments(seed):
    u = _np(random.uniform((N,), 2.0, 5.0, seed=seed))
    assert u.dtype == np.float32 and u.min() >= 2.0 and u.max() < 5.0
    assert abs(u.mean() - 3.5) < 0.02 and abs(u.var() - 9 / 12) < 0.02
    z = _np(random.normal((N,), 1.0, 2.0, seed=seed))
    assert abs(z.mean() - 1.0) < 0.03 and abs(z.std() - 2.0) < 0.03
    # A normal's tails: P(|Z| > 2) = 4.55%.
    assert abs(np.mean(np.abs(z - 1.0) > 4.0) - 0.0455) < 0.003
    # JAX without x64 holds float64 as float32, as Keras 3 on JAX does
    want = "float32" if lamina.backend.backend() == "jax" else "float64"
    assert lamina.ops.dtype(random.normal((3,), dtype="float64", seed=seed)) == want


@pytest.mark.parametrize("seed", [0, None])
def test_truncated_normal_bounds_and_std(seed):
    t = _np(random.truncated_normal((N,), 0.0, 1.0, seed=seed))
    assert np.abs(t).max() <= 2.0
    # Std of a standard normal truncated to [-2, 2]: 0.87962566... (Keras's correction factor).
    assert abs(t.std() - 0.8796256610342398) < 0.01 and abs(t.mean()) < 0.01


@pytest.mark.parametrize("seed", [1, None])
def test_randint_is_uniform_over_the_range(seed):
    r = _np(random.randint((N,), -2, 3, seed=seed))
    assert r.dtype == np.int32
    counts = np.bincount(r + 2, minlength=5) / N
    np.testing.assert_allclose(counts, 0.2, atol=0.01)


@pytest.mark.parametrize("seed", [2, None])
def test_categorical_frequencies_follow_softmax(seed):
    logits = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], "float32"))
    s = _np(random.categorical(logits, 50_000, seed=seed))
    assert s.shape == (2, 50_000)
    for row, p in zip(s, np.exp(logits)):
        np.testing.assert_allclose(np.bincount(row, minlength=3) / row.size, p, atol=0.01)


@pytest.mark.parametrize("seed", [3, None])
def test_dropout_keeps_one_minus_rate_and_rescales(seed):
    y = _np(random.dropout(np.ones((N,), "float32"), 0.3, seed=seed))
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.005
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    # noise_shape broadcasts one mask over the None axes.
    m = _np(random.dropout(np.ones((4, 1000), "float32"), 0.5, noise_shape=(None, 1), seed=seed))
    assert all(len(set(row.tolist())) == 1 for row in m)


def test_shuffle_is_a_permutation_along_the_axis():
    x = np.arange(12).reshape(3, 4)
    s = _np(random.shuffle(x, axis=1, seed=5))
    np.testing.assert_array_equal(np.sort(s, axis=1), x)
    perms = {tuple(_np(random.shuffle(np.arange(6), seed=k)).tolist()) for k in range(30)}
    assert len(perms) > 20


@pytest.mark.parametrize("seed", [4, None])
def test_gamma_binomial_beta_means(seed):
    g = _np(random.gamma((N,), 3.0, seed=seed))
    assert abs(g.mean() - 3.0) < 0.03 and abs(g.var() - 3.0) < 0.1
    b = _np(random.binomial((N,), 10, 0.3, seed=seed))
    assert abs(b.mean() - 3.0) < 0.03 and abs(b.var() - 2.1) < 0.05
    be = _np(random.beta((N,), 2.0, 6.0, seed=seed))
    assert abs(be.mean() - 0.25) < 0.005 and be.min() >= 0 and be.max() <= 1
    np.testing.assert_array_equal(_np(random.gamma((4,), 2.0, seed=9)), _np(random.gamma((4,), 2.0, seed=9)))


def test_keyed_bits_are_distinct_and_unbiased():
    bits = _np(lamina.backend.random.random_bits(lamina.backend.random.seed_state(0), 1 << 16))
    assert len(np.unique(bits)) == 1 << 16  # a bijection of the counter
    ones = np.unpackbits(bits.astype("<u4").view(np.uint8)).reshape(-1, 32).mean(axis=0)
    np.testing.assert_allclose(ones, 0.5, atol=0.01)  # every bit position is fair


def test_keyed_draws_run_under_vmap_randomness_error_and_grad():
    gen = random.SeedGenerator(0)

    def f(x):
        return random.dropout(x, 0.5, seed=gen) + random.normal(x.shape, seed=gen)

    if lamina.backend.backend() == "torch":
        out = torch.func.vmap(f, randomness="error")(torch.ones(4, 8))
        g = torch.func.grad(lambda x: random.dropout(x, 0.5, seed=1).sum())(torch.ones(64))
    else:  # JAX: every keyed draw is a function of its key, so jax.vmap and jax.grad trace it
        import jax

        out = jax.vmap(f)(ops.ones((4, 8)))
        g = jax.grad(lambda x: ops.sum(random.dropout(x, 0.5, seed=1)))(ops.ones((64,)))
    assert out.shape == (4, 8)
    np.testing.assert_array_equal(_np(g), _np(random.dropout(np.ones(64, "float32"), 0.5, seed=1)))


def test_names_and_arguments_match_keras_random():
    keras = keras3()
    for name in random.__all__:
        theirs = getattr(keras.random, name)
        if inspect.isclass(theirs):
            theirs = theirs.__init__
            mine = getattr(random, name).__init__
        else:
            mine = getattr(random, name)
        assert list(inspect.signature(mine).parameters) == list(inspect.signature(theirs).parameters), name


def _np_gamma(u, alpha, rounds=8):
    """Marsaglia & Tsang (2000) in NumPy float64 on the uniforms ``u`` (3 per proposal, then one
    boost for alpha < 1), the earliest accepted proposal winning, as lamina documents."""
    u = 1.0 - u.astype("float64")
    a = alpha + 1.0 if alpha < 1 else alpha
    d = a - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    out = np.full(u.shape[1:], np.nan)
    for r in range(rounds):
        x = np.sqrt(-2.0 * np.log(u[3 * r])) * np.cos(2.0 * np.pi * u[3 * r + 1])
        v = (1.0 + c * x) ** 3
        with np.errstate(invalid="ignore"):
            ok = (v > 0) & (np.log(u[3 * r + 2]) < 0.5 * x * x + d - d * v + d * np.log(v))
        out = np.where(np.isnan(out) & ok, d * v, out)
    return out * u[3 * rounds] ** (1.0 / alpha) if alpha < 1 else out


@pytest.mark.parametrize("alpha", [0.3, 1.0, 4.5])
def test_seeded_gamma_and_beta_are_functions_of_the_shared_uniforms(alpha):
    # The backends share the seeded uniforms (the same counter-based hash), and gamma/beta are
    # computed from them in neutral code, so a seed gives the same values under torch and JAX.
    u = _np(random.uniform((25, 500), seed=11))
    np.testing.assert_allclose(_np(random.gamma((500,), alpha, seed=11)), _np_gamma(u, alpha), rtol=2e-5)
    u2 = _np(random.uniform((2, 25, 500), seed=12))
    x, y = _np_gamma(u2[0], alpha), _np_gamma(u2[1], 2.0)
    np.testing.assert_allclose(_np(random.beta((500,), alpha, 2.0, seed=12)), x / (x + y), rtol=2e-5, atol=1e-7)
