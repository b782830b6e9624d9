"""The JAX kernels of the image / signal / nn ops against the torch backend's kernels, in one process
(both backends' kernel modules import whatever LAMINA_BACKEND is): same outputs, same gradients,
and the same outputs again under ``jax.jit`` with every array argument traced.

The cases are in ops_cases.py: batched and single images, both data formats, every interpolation
and fill mode, integer images, and the edge cases of each op (equal channels in rgb_to_hsv, a
query that may attend to nothing, an impossible CTC alignment, ...).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")
torch = pytest.importorskip("torch")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from lamina.backend.jax.ops import core_ops as jax_core  # noqa: E402
from lamina.backend.jax.ops import image_ops as jax_image  # noqa: E402
from lamina.backend.jax.ops import math_ops as jax_math  # noqa: E402
from lamina.backend.jax.ops import nn_ops as jax_nn  # noqa: E402
from lamina.backend.jax.ops import numpy_ops as jax_numpy  # noqa: E402
from lamina.backend.torch.ops import image_ops as torch_image  # noqa: E402
from lamina.backend.torch.ops import math_ops as torch_math  # noqa: E402
from lamina.backend.torch.ops import nn_ops as torch_nn  # noqa: E402
from lamina.backend.torch.ops import numpy_ops as torch_numpy  # noqa: E402
from tests.backend.jax.ops_cases import CASES  # noqa: E402

KERNELS = {"image": (jax_image, torch_image), "math": (jax_math, torch_math), "nn": (jax_nn, torch_nn),
           "numpy": (jax_numpy, torch_numpy)}


def _params(cases, per_op):
    """The first ``per_op`` cases of each op (and interpolation) run in the default suite, the others in the slow tier
    (every case compiles its own XLA programs, which the 2-core CI cannot afford for all of them)."""
    seen, out = {}, []
    for i, case in enumerate(cases):
        key = (case[1], case[3].get("interpolation"))
        seen[key] = seen.get(key, 0) + 1
        marks = () if seen[key] <= per_op else (pytest.mark.slow,)
        out.append(pytest.param(case, id=f"{case[1]}-{i}", marks=marks))
    return out


def _np(x):
    if isinstance(x, (tuple, list)):
        return [_np(v) for v in x]
    if isinstance(x, torch.Tensor):
        x = x.detach()
        return x.numpy() if not x.is_complex() else x.resolve_conj().numpy()
    return np.asarray(x)


def _flat(x):
    return [np.asarray(v) for v in x] if isinstance(x, list) else [x]


def _close(got, want, rtol=2e-5, atol=2e-5):
    got, want = _flat(_np(got)), _flat(_np(want))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        assert g.dtype == w.dtype or (g.dtype.kind == w.dtype.kind == "c"), (g.dtype, w.dtype)
        if w.dtype.kind in "iu" and w.dtype.itemsize == 1:  # rounded pixels: x.5 may land either way
            assert np.abs(g.astype(int) - w.astype(int)).max() <= 1
            assert np.mean(g != w) < 0.02
            continue
        np.testing.assert_allclose(g.astype(w.dtype) if g.dtype.kind != "c" else g, w, rtol=rtol, atol=atol)


def _torch_arg(a, grad):
    if isinstance(a, np.ndarray):
        t = torch.from_numpy(a.copy())
        return t.requires_grad_(True) if grad else t
    if isinstance(a, tuple) and a and isinstance(a[0], np.ndarray):
        return tuple(torch.from_numpy(v.copy()) for v in a)
    return a


def _jax_arg(a):
    if isinstance(a, np.ndarray):
        return jnp.asarray(a)
    if isinstance(a, tuple) and a and isinstance(a[0], np.ndarray):
        return tuple(jnp.asarray(v) for v in a)
    return a


def _tol(name, kwargs):
    if name == "ctc_loss":
        return {"rtol": 1e-5, "atol": 1e-4}
    if kwargs.get("antialias") or name in ("stft", "istft", "perspective_transform"):
        return {"rtol": 1e-4, "atol": 1e-4}
    return {}


@pytest.mark.parametrize("case", _params(CASES, 3))
def test_jax_kernel_matches_the_torch_kernel(case):
    module, name, args, kwargs, _ = case
    jax_mod, torch_mod = KERNELS[module]
    want = getattr(torch_mod, name)(*[_torch_arg(a, False) for a in args], **kwargs)
    got = getattr(jax_mod, name)(*[_jax_arg(a) for a in args], **kwargs)
    _close(got, want, **_tol(name, kwargs))


@pytest.mark.parametrize("case", _params(CASES, 1))
def test_jax_kernel_works_under_jit(case):
    module, name, args, kwargs, _ = case
    fn = getattr(KERNELS[module][0], name)
    arrays = [i for i, a in enumerate(args) if not isinstance(a, (int, float, tuple)) or
              (isinstance(a, tuple) and a and isinstance(a[0], np.ndarray))]

    def call(*traced):
        full = list(args)
        for i, t in zip(arrays, traced):
            full[i] = t
        return fn(*full, **{k: jnp.asarray(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()})

    eager = fn(*[_jax_arg(a) for a in args], **kwargs)
    compiled = jax.jit(call)(*[_jax_arg(args[i]) for i in arrays])
    _close(compiled, _np(eager), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", _params([c for c in CASES if c[4]], 1))
def test_jax_gradient_matches_torch_autograd(case):
    module, name, args, kwargs, argnums = case
    jax_mod, torch_mod = KERNELS[module]
    weights = np.random.default_rng(len(name)).standard_normal

    t_args = [_torch_arg(a, i in argnums) for i, a in enumerate(args)]
    out = getattr(torch_mod, name)(*t_args, **kwargs)
    outs = list(out) if isinstance(out, tuple) else [out]
    ws = [weights(tuple(o.shape)).astype("float32") for o in outs]
    sum(torch.sum(o * torch.from_numpy(w)) for o, w in zip(outs, ws)).backward()
    want = [t_args[i].grad.numpy() for i in argnums]

    def loss(*diff):
        full = [_jax_arg(a) for a in args]
        for i, d in zip(argnums, diff):
            full[i] = d
        res = getattr(jax_mod, name)(*full, **kwargs)
        res = list(res) if isinstance(res, tuple) else [res]
        return sum(jnp.sum(r * w) for r, w in zip(res, ws))

    got = jax.grad(loss, argnums=tuple(range(len(argnums))))(*[jnp.asarray(args[i]) for i in argnums])
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), w, rtol=1e-4, atol=1e-4)


def test_every_public_op_has_a_jax_kernel():
    from lamina.backend.jax.ops import linalg_ops

    missing = [f"{m.__name__.rsplit('.', 1)[-1]}.{n}" for m in (jax_core, jax_image, jax_math, jax_nn, jax_numpy,
                                                              linalg_ops)
               for n in dir(m) if getattr(getattr(m, n), "_lamina_not_implemented", False)]
    assert missing == []


def test_custom_gradient_under_grad_and_jit():
    @jax_core.custom_gradient
    def halved_square(x):
        def grad(upstream):
            return upstream * 0.5

        return x * x, grad

    @jax_core.custom_gradient
    def product(x, y):
        def grad(*args, upstream=None):  # Keras 3's documented signature
            if upstream is None:
                (upstream,) = args
            return upstream * y, upstream * x

        return x * y, grad

    x = jnp.asarray([3.0, -1.0])
    np.testing.assert_allclose(halved_square(x), [9.0, 1.0])
    np.testing.assert_allclose(jax.grad(lambda v: jnp.sum(halved_square(v)))(x), [0.5, 0.5])
    np.testing.assert_allclose(jax.jit(jax.grad(lambda v: jnp.sum(halved_square(v))))(x), [0.5, 0.5])
    gx, gy = jax.grad(lambda a, b: jnp.sum(product(a, b)), argnums=(0, 1))(x, x * 2)
    np.testing.assert_allclose(gx, [6.0, -2.0])
    np.testing.assert_allclose(gy, [3.0, -1.0])


def test_perspective_transform_is_accurate_for_large_images():
    img = np.random.default_rng(0).uniform(size=(1, 224, 224, 1)).astype("float32")
    start = np.array([[0, 0], [223, 0], [0, 223], [223, 223]], "float32")
    end = start + np.array([[10, 3], [-5, 8], [7, -9], [-4, -6]], "float32")
    want = torch_image.perspective_transform(img, start, end)
    got = jax.jit(jax_image.perspective_transform)(img, start, end)
    np.testing.assert_allclose(np.asarray(got), want.numpy(), atol=2e-3)


def test_ctc_loss_of_an_impossible_alignment_is_inf_with_finite_gradients_elsewhere():
    labels = np.array([[1, 1, 1], [1, 2, 0]], "int32")
    logits = np.random.default_rng(1).standard_normal((2, 4, 3)).astype("float32")
    loss = jax_nn.ctc_loss(labels, logits, np.array([3, 2]), np.array([4, 4]))
    assert np.isinf(loss[0]) and np.isfinite(loss[1])  # 1 1 1 needs 5 frames
    g = jax.grad(lambda z: jax_nn.ctc_loss(labels, z, np.array([3, 2]), np.array([4, 4]))[1])(logits)
    assert np.all(np.isfinite(g))


def test_errors_name_the_argument_and_the_choices():
    with pytest.raises(ValueError, match="interpolation='cubic'; expected one of"):
        jax_image.resize(np.ones((4, 4, 1), "float32"), (2, 2), interpolation="cubic")
    with pytest.raises(ValueError, match="fill_mode='edge'"):
        jax_image.map_coordinates(np.ones((4, 4), "float32"), np.zeros((2, 3)), 1, fill_mode="edge")
    with pytest.raises(ValueError, match="unknown strategy 'beam_serch'.*Did you mean 'beam_search'"):
        jax_nn.ctc_decode(np.ones((1, 3, 4), "float32"), np.array([3]), strategy="beam_serch")
