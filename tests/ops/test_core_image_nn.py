"""Control flow, gradients, scatter/slice, image, conv/pool, CTC and attention ops against Keras 3 and
closed forms; lamina.tree against keras.tree."""

import collections

import numpy as np
import pytest

import lamina
from lamina import ops, tree
from tests.keras3 import keras3

rng = np.random.default_rng(1)
IMG = rng.uniform(0, 1, (2, 6, 5, 3)).astype("float32")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


# ---------------------------------------------------------------- lamina.tree
P = collections.namedtuple("P", "x y")
STRUCTURES = [1, None, [1, 2], (1, [2, (3, None)]), {"b": 1, "a": [2, 3]}, P(1, [2, {"z": 3, "y": 4}]),
              collections.OrderedDict([("b", 1), ("a", 2)]), [], {"k": ()}]


@pytest.mark.parametrize("s", STRUCTURES, ids=range(len(STRUCTURES)))
def test_tree_matches_keras_tree(s):
    keras = keras3()
    assert tree.flatten(s) == keras.tree.flatten(s)
    assert tree.is_nested(s) == keras.tree.is_nested(s)
    leaves = tree.flatten(s)
    assert tree.pack_sequence_as(s, [f"v{i}" for i in range(len(leaves))]) == \
        keras.tree.pack_sequence_as(s, [f"v{i}" for i in range(len(leaves))])
    fn = lambda v: None if v is None else v * 10  # noqa: E731
    assert tree.map_structure(fn, s) == keras.tree.map_structure(fn, s)
    assert tree.lists_to_tuples(s) == keras.tree.lists_to_tuples(s)
    assert [p for p, _ in tree.flatten_with_path(s)] == [p for p, _ in keras.tree.flatten_with_path(s)]


def test_tree_structure_checks_and_up_to():
    tree.assert_same_structure([1, (2, 3)], [4, (5, 6)])
    with pytest.raises(ValueError, match="same"):
        tree.assert_same_structure([1, 2], [1, [2]])
    with pytest.raises(ValueError, match="number of elements"):
        tree.assert_same_structure([1, 2], [1, 2, 3])
    assert tree.map_structure(lambda a, b: a + b, (1, [2]), (10, [20])) == (11, [22])
    assert tree.map_structure_up_to([0, 0], lambda v: len(v), [[1, 2], (3, 4, 5)]) == [2, 3]
    with pytest.raises(ValueError, match="needs 2 leaves"):
        tree.pack_sequence_as([0, 0], [1])
    out = tree.traverse(lambda v: tree.MAP_TO_NONE if v == 2 else None, [1, [2, 3]])
    assert out == [1, [None, 3]]
    assert tree.traverse(lambda v: sum(v) if isinstance(v, list) else None, [1, [2, 3]], top_down=False) == 6
    assert tree.map_shape_structure(lambda s: s[0], {"a": (2, 3), "b": [(4,), (5, None)]}) == {"a": 2, "b": [4, 5]}
    tree.assert_same_paths({"a": 1, "b": 2}, {"b": 0, "a": 9})


# ---------------------------------------------------------------- control flow and core
def test_control_flow_matches_closed_forms():
    assert int(ops.cond(ops.convert_to_tensor(True), lambda: 1, lambda: 2)) == 1
    assert ops.switch(5, [lambda x: x + 1, lambda x: x * 10], 3) == 30  # clamped to the last branch
    i, s = ops.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), (0, 0))
    assert (i, s) == (5, 10)
    assert ops.while_loop(lambda v: v < 100, lambda v: v * 2, 1, maximum_iterations=3) == 8
    assert ops.fori_loop(0, 5, lambda i, acc: acc * 2, 1) == 32
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), 0.0, np.arange(1.0, 5.0, dtype="float32"))
    assert float(carry) == 10.0
    np.testing.assert_allclose(_np(ys), [0.0, 2.0, 9.0, 24.0])
    carry, ys = ops.scan(lambda c, x: (c + x, c), 0.0, np.arange(1.0, 4.0, dtype="float32"), reverse=True)
    np.testing.assert_allclose(_np(ys), [5.0, 3.0, 0.0])
    x = np.arange(1.0, 6.0, dtype="float32")
    np.testing.assert_allclose(_np(ops.associative_scan(lambda a, b: a + b, x)), np.cumsum(x))
    np.testing.assert_allclose(_np(ops.associative_scan(lambda a, b: a + b, x, reverse=True)), np.cumsum(x[::-1])[::-1])
    pair = ops.associative_scan(lambda a, b: (a[0] * b[0], a[1] + b[1]), (x, x))
    np.testing.assert_allclose(_np(pair[0]), np.cumprod(x))
    m = ops.map(lambda r: {"s": ops.sum(r)}, np.ones((3, 2), "float32"))
    np.testing.assert_allclose(_np(m["s"]), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(_np(ops.vectorized_map(lambda r: ops.sum(r * r), np.ones((4, 3), "float32"))), [3.0] * 4)


def test_scatter_slice_cast_and_gradients():
    keras = keras3()
    idx = np.array([[0, 1], [2, 3], [0, 1]])
    vals = np.array([1.0, 2.0, 3.0], "float32")
    np.testing.assert_allclose(_np(ops.scatter(idx, vals, (3, 4))), _np(keras.ops.scatter(idx, vals, (3, 4))))
    base = np.zeros((3, 4), "float32")
    np.testing.assert_allclose(_np(ops.scatter_update(base, idx[:2], vals[:2])),
                               _np(keras.ops.scatter_update(base, idx[:2], vals[:2])))
    np.testing.assert_allclose(_np(ops.scatter_update(base, idx, vals, reduction="add")),
                               _np(ops.scatter(idx, vals, (3, 4))))
    a = np.arange(12.0, dtype="float32").reshape(3, 4)
    np.testing.assert_allclose(_np(ops.slice(a, (1, 1), (2, 2))), a[1:3, 1:3])
    np.testing.assert_allclose(_np(ops.slice_update(a, (0, 2), np.zeros((2, 2), "f"))),
                               _np(keras.ops.slice_update(a, (0, 2), np.zeros((2, 2), "f"))))
    big = np.array([-300.0, 1e10, 17.6, np.inf], "float32")
    # int32: Keras 3.15 on torch wraps 1e10 to -2**31; saturating gives the float32 just below 2**31
    np.testing.assert_array_equal(_np(ops.saturate_cast(big, "int32")), [-300, 2147483520, 17, 2147483520])
    for dt in ("uint8", "int8", "float16"):
        assert ops.dtype(ops.saturate_cast(big, dt)) == dt
        np.testing.assert_allclose(_np(ops.saturate_cast(big, dt)).astype("f"),
                                   _np(keras.ops.saturate_cast(big, dt)).astype("f"))
    assert ops.shape(a) == (3, 4) and ops.dtype(a) == "float32" and not ops.is_tensor(a)
    assert ops.is_tensor(ops.convert_to_tensor(a)) and ops.dtype(ops.cast(a, "int32")) == "int32"

    @ops.custom_gradient
    def clipped_square(x):
        def grad(upstream):
            return upstream * 0.5

        return x * x, grad

    assert _grad_of_sum(clipped_square, [3.0]).tolist() == [0.5]
    assert _grad_of_sum(lambda y: ops.stop_gradient(y) * y, [2.0]).tolist() == [2.0]


def _grad_of_sum(f, value):
    """d sum(f(x)) / dx at ``value`` on lamina's backend: torch autograd, or jax.grad under JAX."""
    x = ops.convert_to_tensor(np.array(value, "float32"))
    if lamina.backend.backend() == "torch":
        x.requires_grad_(True)
        ops.sum(f(x)).backward()
        return x.grad.numpy()
    import jax

    return np.asarray(jax.grad(lambda t: ops.sum(f(t)))(x))


# ---------------------------------------------------------------- image
IMAGE_CASES = [
    ("resize", (IMG, (3, 4)), {}), ("resize", (IMG, (9, 7)), {"interpolation": "nearest"}),
    ("resize", (IMG, (4, 4)), {"interpolation": "bicubic"}), ("resize", (IMG, (3, 3)), {"antialias": True}),
    ("resize", (IMG, (3, 3)), {"crop_to_aspect_ratio": True}),
    ("rgb_to_grayscale", (IMG,), {}), ("rgb_to_hsv", (IMG,), {}), ("hsv_to_rgb", (IMG,), {}),
    ("pad_images", (IMG, 1, 2, None, None, 9, 8), {}), ("crop_images", (IMG, 1, 1, None, None, 3, 2), {}),
    ("extract_patches", (IMG, 2), {}), ("extract_patches", (IMG, (3, 2)), {"strides": 1, "padding": "same"}),
    ("affine_transform", (IMG, np.array([[1, 0.2, -1, 0.1, 0.9, 0.5, 0, 0]] * 2, "f")), {}),
    ("affine_transform", (IMG, np.array([[0.8, 0, 1, 0, 1.2, 0, 0, 0]] * 2, "f")),
     {"interpolation": "nearest", "fill_mode": "reflect"}),
    ("affine_transform", (IMG, np.array([[1, 0, 0.5, 0, 1, -0.5, 0, 0]] * 2, "f")), {"fill_mode": "wrap"}),
    ("affine_transform", (IMG[0], np.array([1, 0, 2, 0, 1, 1, 0, 0], "f")), {"fill_mode": "nearest"}),
    ("map_coordinates", (IMG[0, :, :, 0], rng.uniform(-1, 6, (2, 4, 3)).astype("f"), 1), {}),
    ("map_coordinates", (IMG[0, :, :, 0], rng.uniform(-1, 6, (2, 7)).astype("f"), 0), {"fill_mode": "mirror"}),
    ("ssim", (IMG, IMG * 0.8), {"filter_size": 3}),
]


@pytest.mark.parametrize("case", IMAGE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(IMAGE_CASES)])
def test_image_ops_match_keras(case):
    keras = keras3()
    name, args, kwargs = case
    want = getattr(keras.ops.image, name)(*args, **kwargs)
    got = getattr(ops.image, name)(*args, **kwargs)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(_np(got), _np(want), rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------- nn: conv, pool, ctc, attention
X1 = rng.standard_normal((2, 9, 3)).astype("float32")
X2 = rng.standard_normal((2, 7, 6, 4)).astype("float32")
NN_CASES = [
    ("conv", (X2, rng.standard_normal((3, 3, 4, 5)).astype("f")), {"strides": 2, "padding": "same"}),
    ("conv", (X1, rng.standard_normal((3, 3, 2)).astype("f")), {"dilation_rate": 2}),
    ("depthwise_conv", (X2, rng.standard_normal((3, 2, 4, 2)).astype("f")), {}),
    ("separable_conv", (X2, rng.standard_normal((3, 3, 4, 1)).astype("f"), rng.standard_normal((1, 1, 4, 6)).astype("f")),
     {"padding": "same"}),
    ("conv_transpose", (X2, rng.standard_normal((3, 3, 5, 4)).astype("f")), {"strides": 2}),
    ("max_pool", (X2, 2), {}), ("average_pool", (X2, 3), {"strides": 2}),
    ("adaptive_average_pool", (X2, (3, 2)), {}), ("adaptive_max_pool", (X1, 4), {}),
    ("depth_to_space", (rng.standard_normal((1, 2, 3, 8)).astype("f"), 2), {}),
    ("space_to_depth", (rng.standard_normal((1, 4, 6, 2)).astype("f"), 2), {}),
    ("unfold", (X2.transpose(0, 3, 1, 2), 2), {}),
    ("fold", (rng.standard_normal((1, 8, 12)).astype("f"), (4, 5), 2), {}),
    ("dot_product_attention", (X2, X2, X2), {}),
    ("dot_product_attention", (X2, X2, X2), {"is_causal": True}),
    ("dot_product_attention", (X2, X2, X2), {"mask": rng.uniform(size=(2, 6, 7, 7)) > 0.3}),
    ("dot_product_attention", (X2, X2, X2), {"bias": rng.standard_normal((2, 6, 7, 7)).astype("f")}),
    ("dot_product_attention", (X2, X2, X2), {"scale": 0.3}),
    ("ctc_loss", (np.array([[1, 2, 0], [3, 3, 1]]), rng.standard_normal((2, 8, 5)).astype("f"),
                  np.array([2, 3]), np.array([8, 6])), {}),
    ("ctc_decode", (rng.standard_normal((2, 8, 5)).astype("f"), np.array([8, 5])), {}),
    ("binary_crossentropy", ((X1 > 0).astype("f"), 1 / (1 + np.exp(-X1))), {}),
    ("categorical_crossentropy", (np.eye(3, dtype="f")[[0, 2]], np.array([[0.5, 0.2, 0.3], [0.1, 0.1, 0.8]], "f")), {}),
    ("sparse_categorical_crossentropy", (np.array([0, 2]), np.array([[0.5, 0.2, 0.3], [0.1, 0.1, 0.8]], "f")), {}),
]


@pytest.mark.parametrize("case", NN_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(NN_CASES)])
def test_nn_ops_match_keras(case):
    keras = keras3()
    name, args, kwargs = case
    want = getattr(keras.ops, name)(*[keras.ops.convert_to_tensor(a) if isinstance(a, np.ndarray) else a
                                      for a in args], **kwargs)
    got = getattr(ops, name)(*args, **kwargs)
    for g, w in zip(got if isinstance(got, tuple) else [got], want if isinstance(want, tuple) else [want]):
        assert tuple(g.shape) == tuple(w.shape)
        np.testing.assert_allclose(_np(g), _np(w), rtol=1e-4, atol=1e-4)


def test_perspective_transform_identity_and_shift():
    corners = np.array([[0, 0], [4, 0], [0, 5], [4, 5]], "f")
    np.testing.assert_allclose(_np(ops.image.perspective_transform(IMG, corners, corners)), IMG, atol=1e-5)
    shifted = _np(ops.image.perspective_transform(IMG, corners + [1, 0], corners))  # output (x, y) reads (x + 1, y)
    np.testing.assert_allclose(shifted[:, :, :-1], IMG[:, :, 1:], atol=1e-5)
    padded = _np(ops.image.resize(IMG, (4, 4), pad_to_aspect_ratio=True, interpolation="nearest"))
    assert padded.shape == (2, 4, 4, 3)


def test_gaussian_blur_and_sobel_match_scipy():
    from scipy import ndimage

    img = IMG[0, :, :, 0]
    g = np.exp(-0.5 * (np.arange(5) - 2.0) ** 2 / 2.0 ** 2)
    h = np.exp(-0.5 * (np.arange(3) - 1.0) ** 2 / 0.5 ** 2)
    kern = np.outer(g / g.sum(), h / h.sum())
    want = ndimage.correlate(img, kern, mode="constant")
    got = ops.image.gaussian_blur(IMG, kernel_size=(5, 3), sigma=(2.0, 0.5))
    np.testing.assert_allclose(_np(got)[0, :, :, 0], want, rtol=1e-5, atol=1e-6)
    sy = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "f")
    edges = _np(ops.image.sobel_edges(IMG))
    np.testing.assert_allclose(edges[0, :, :, 0, 0], ndimage.correlate(img, sy, mode="constant"), atol=1e-5)
    np.testing.assert_allclose(edges[0, :, :, 0, 1], ndimage.correlate(img, sy.T, mode="constant"), atol=1e-5)


def test_sparsemax_is_the_simplex_projection():
    out = _np(ops.sparsemax(np.array([[1.0, 0.5, -1.0], [0.1, 0.2, 0.3]], "f")))
    np.testing.assert_allclose(out, [[0.75, 0.25, 0.0], [0.2333333, 0.3333333, 0.4333333]], rtol=1e-5)


def test_linalg_decompositions_reconstruct_their_input():
    a = rng.standard_normal((4, 4)).astype("f")
    q, r = ops.qr(a)
    np.testing.assert_allclose(_np(q) @ _np(r), a, atol=1e-5)
    u, s, vt = ops.svd(a)
    np.testing.assert_allclose(_np(u) @ np.diag(_np(s)) @ _np(vt), a, atol=1e-5)
    spd = a @ a.T + np.eye(4, dtype="f")
    w, v = ops.eigh(spd)
    np.testing.assert_allclose(_np(v) @ np.diag(_np(w)) @ _np(v).T, spd, atol=1e-4)
    w, v = ops.eig(spd)
    np.testing.assert_allclose(np.sort(_np(w).real), np.linalg.eigvalsh(spd), rtol=1e-4)
    lu, piv = ops.lu_factor(a)
    import scipy.linalg

    slu, spiv = scipy.linalg.lu_factor(a)
    np.testing.assert_allclose(_np(lu), slu, atol=1e-5)
    np.testing.assert_array_equal(_np(piv), spiv)
    out, tangent = ops.jvp(lambda x: x * x, (np.array([3.0], "f"),), (np.array([1.0], "f"),))
    assert _np(out).tolist() == [9.0] and _np(tangent).tolist() == [6.0]  # 1-element arrays


def test_stft_round_trips_through_istft_and_matches_keras():
    keras = keras3()
    x = np.sin(np.arange(128, dtype="f") / 5)[None]
    spec = ops.stft(x, 32, 8, 32)
    kspec = keras.ops.stft(x, 32, 8, 32)
    for g, w in zip(spec, kspec):
        np.testing.assert_allclose(_np(g), _np(w), atol=1e-4)
    back = ops.istft(spec, 32, 8, 32, length=128)
    np.testing.assert_allclose(_np(back), _np(keras.ops.istft(kspec, 32, 8, 32, length=128)), atol=1e-4)
    np.testing.assert_allclose(_np(back), x, atol=1e-4)


def test_rearrange_matches_keras():
    keras = keras3()
    x = rng.standard_normal((2, 6, 4)).astype("f")
    for pattern, kw in [("b h w -> b (h w)", {}), ("b (h1 h2) w -> b h1 h2 w", {"h1": 2}), ("b h w -> w b h", {})]:
        np.testing.assert_allclose(_np(ops.rearrange(x, pattern, **kw)), _np(keras.ops.rearrange(x, pattern, **kw)))
