"""The shared table of op cases: the same NumPy inputs go to lamina.ops, NumPy and Keras 3.

A case is ``(name, args, kwargs, ref)``: ``ref`` is the NumPy reference (a callable taking the
same arguments), ``"np"`` for ``numpy.<name>``, or None where NumPy has no counterpart (those
are checked against Keras and closed-form tests only).
"""

import numpy as np

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4)).astype("float32")
B = rng.standard_normal((4,)).astype("float32")  # broadcasts against A
P = rng.uniform(0.1, 0.9, (3, 4)).astype("float32")  # inside (0, 1)
G = rng.uniform(1.1, 3.0, (3, 4)).astype("float32")  # above 1
I = rng.integers(-5, 6, (3, 4)).astype("int32")  # noqa: E741
J = rng.integers(1, 6, (4,)).astype("int32")
M = rng.standard_normal((4, 4)).astype("float32")
SPD = (M @ M.T + 4 * np.eye(4)).astype("float32")
V = rng.standard_normal((5,)).astype("float32")
N = A.copy()
N[0, 1] = np.nan
N[2, 3] = np.nan
BOOL = A > 0
SORTED = np.sort(V)


def _sp(name):
    import scipy.special as sp  # optional: scipy ships with scikit-learn

    return getattr(sp, name)


UNARY_FLOAT = ["abs", "absolute", "negative", "square", "sqrt", "exp", "exp2", "expm1", "log", "log2", "log10",
               "log1p", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arctan", "arcsinh", "reciprocal", "cbrt",
               "sinc", "deg2rad", "rad2deg", "floor", "ceil", "trunc", "sign", "fabs", "i0", "signbit",
               "isnan", "isinf", "isfinite", "isneginf", "isposinf", "conj", "conjugate", "real", "imag",
               "isreal", "ravel", "copy", "angle"]
DOMAIN = {"sqrt": P, "log": P, "log2": P, "log10": P, "log1p": P, "reciprocal": G, "arcsin": P, "arccos": P,
          "arctanh": P, "arccosh": G}
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum", "fmax", "fmin",
          "arctan2", "hypot", "logaddexp", "logaddexp2", "equal", "not_equal", "greater", "greater_equal",
          "less", "less_equal", "nextafter", "heaviside", "mod", "fmod", "floor_divide"]
INT_BINARY = ["bitwise_and", "bitwise_or", "bitwise_xor", "gcd", "lcm", "left_shift", "right_shift",
              "bitwise_left_shift", "bitwise_right_shift"]
REDUCTIONS = ["sum", "mean", "max", "min", "amax", "amin", "prod", "var", "std", "ptp", "argmax", "argmin",
              "all", "any", "median", "count_nonzero"]
NAN_REDUCTIONS = ["nansum", "nanmean", "nanmax", "nanmin", "nanprod", "nanvar", "nanstd", "nanargmax",
                  "nanargmin", "nanmedian"]

CASES = (
    [(n, (DOMAIN.get(n, A),), {}, "np") for n in UNARY_FLOAT]
    + [(n, (DOMAIN[n],), {}, "np") for n in ("arcsin", "arccos", "arctanh", "arccosh")]
    + [(n, (A, B), {}, "np") for n in BINARY]
    + [(n, (np.abs(I), J), {}, "np") for n in INT_BINARY]
    + [("power", (P, B), {}, "np"), ("power", (I, 2), {}, "np"), ("add", (I, 1.5), {}, "np"),
       ("multiply", (A, 2), {}, "np"), ("divide", (I, J), {}, "np"), ("ldexp", (A, J), {}, "np"),
       ("logical_and", (BOOL, A < 0.5), {}, "np"), ("logical_or", (BOOL, A < 0.5), {}, "np"),
       ("logical_xor", (BOOL, A < 0.5), {}, "np"), ("logical_not", (BOOL,), {}, "np"),
       ("bitwise_not", (I,), {}, "np"), ("bitwise_invert", (I,), {}, np.invert)]
    + [(n, (A,), kw, "np") for n in REDUCTIONS for kw in ({}, {"axis": 1}, {"axis": 0, "keepdims": True})
       if not (n == "count_nonzero" and "keepdims" in kw)]
    + [(n, (N,), kw, "np") for n in NAN_REDUCTIONS for kw in ({}, {"axis": 1})]
    + [("nancumsum", (N,), {"axis": 1}, "np"), ("nancumprod", (N,), {"axis": 0}, "np"),
       ("nanquantile", (N, 0.3), {"axis": 1}, "np"), ("nanpercentile", (N, 70.0), {}, "np"),
       ("quantile", (A, 0.25), {"axis": 1}, "np"), ("percentile", (A, [10.0, 90.0]), {"axis": 0}, "np"),
       ("average", (A,), {"axis": 1, "weights": B}, "np"), ("cumsum", (A,), {"axis": 1}, "np"),
       ("cumprod", (A,), {"axis": 0}, "np"), ("cumsum", (I,), {}, "np"), ("sum", (I,), {"axis": 0}, "np"),
       ("mean", (I,), {}, "np"), ("max", (A,), {"axis": 1, "initial": 0.5}, "np"),
       ("diff", (A,), {"n": 2}, "np"), ("trapezoid", (A,), {}, "np"), ("round", (A * 10, 1), {}, "np"),
       ("clip", (A, -0.5, 0.5), {}, "np"), ("nan_to_num", (N,), {"nan": 7.0}, "np"),
       ("isclose", (A, A + 1e-9), {}, "np"), ("allclose", (A, A + 1e-3), {}, "np"),
       ("divide_no_nan", (A, np.where(BOOL, A, 0).astype("float32")),
        {}, lambda a, b: np.where(b == 0, 0, a / np.where(b == 0, 1, b)))]
    # products
    + [("matmul", (A, M), {}, "np"), ("matmul", (I, I.T), {}, "np"), ("dot", (A, M), {}, "np"),
       ("dot", (B, B), {}, "np"), ("vdot", (A, A), {}, "np"), ("inner", (A, A), {}, "np"),
       ("outer", (B, V), {}, "np"), ("kron", (A[:2, :2], M[:2, :2]), {}, "np"),
       ("tensordot", (A, M), {"axes": 1}, "np"), ("tensordot", (A, A), {"axes": ([0, 1], [0, 1])}, "np"),
       ("einsum", ("ij,jk->ik", A, M), {}, "np"), ("cross", (A[:, :3], M[:3, :3]), {}, "np"),
       ("correlate", (V, B[:3]), {}, "np"), ("correlate", (V, B[:3]), {"mode": "full"}, "np"),
       ("correlate", (V, B[:3]), {"mode": "same"}, "np"), ("corrcoef", (A,), {}, "np")]
    # creation
    + [("zeros", ((2, 3),), {}, "np"), ("ones", ((2, 3),), {"dtype": "int32"}, "np"),
       ("full", ((2, 3), 7.0), {}, "np"), ("eye", (3,), {"k": 1}, "np"), ("eye", (2, 4), {}, "np"),
       ("identity", (3,), {}, "np"), ("tri", (3, 4), {"k": -1}, "np"), ("arange", (5,), {}, "np"),
       ("arange", (1.0, 3.0, 0.5), {}, "np"), ("linspace", (0.0, 1.0, 5), {}, "np"),
       ("linspace", (0.0, 1.0, 4), {"endpoint": False}, "np"), ("logspace", (0.0, 2.0, 3), {}, "np"),
       ("geomspace", (1.0, 8.0, 4), {}, "np"), ("zeros_like", (A,), {}, "np"), ("ones_like", (I,), {}, "np"),
       ("full_like", (A, 2.0), {}, "np"), ("array", (A,), {}, "np"), ("tril", (M,), {"k": -1}, "np"),
       ("triu", (M,), {}, "np"), ("diag", (B,), {"k": 1}, "np"), ("diag", (M,), {}, "np"),
       ("diagflat", (A[:2, :2],), {}, "np"), ("diagonal", (M,), {"offset": 1}, "np"),
       ("trace", (M,), {}, "np"), ("vander", (B,), {"N": 3}, "np"), ("bartlett", (5,), {}, "np"),
       ("blackman", (5,), {}, "np"), ("hamming", (5,), {}, "np"), ("hanning", (5,), {}, "np"),
       ("kaiser", (5, 3.0), {}, "np")]
    # shapes
    + [("reshape", (A, (2, 6)), {}, "np"), ("reshape", (A, (-1,)), {}, "np"), ("transpose", (A,), {}, "np"),
       ("moveaxis", (A[None], 0, 2), {}, "np"), ("swapaxes", (A, 0, 1), {}, "np"),
       ("expand_dims", (A, 1), {}, "np"), ("expand_dims", (A, (0, 3)), {}, "np"),
       ("squeeze", (A[None],), {}, "np"), ("squeeze", (A[None],), {"axis": 0}, "np"),
       ("broadcast_to", (B, (3, 4)), {}, "np"), ("concatenate", ([A, M],), {}, "np"),
       ("concatenate", ([A, A],), {"axis": 1}, "np"), ("stack", ([A, A],), {"axis": 1}, "np"),
       ("hstack", ([A, A],), {}, "np"), ("vstack", ([A, M],), {}, "np"), ("dstack", ([A, A],), {}, "np"),
       ("append", (A, B), {}, "np"), ("tile", (B, (2, 1)), {}, "np"), ("repeat", (A, 2), {"axis": 1}, "np"),
       ("repeat", (B, 2), {}, "np"), ("flip", (A,), {"axis": 1}, "np"), ("fliplr", (A,), {}, "np"),
       ("flipud", (A,), {}, "np"), ("rot90", (A,), {}, "np"), ("roll", (A, 1), {"axis": 1}, "np"),
       ("roll", (A, 2), {}, "np"), ("pad", (A, ((1, 0), (2, 1))), {}, "np"),
       ("pad", (A, ((1, 2), (2, 1))), {"mode": "reflect"}, "np"),
       ("pad", (A, 2), {"mode": "symmetric"}, "np"), ("pad", (A, 1), {"mode": "edge"}, "np"),
       ("pad", (A, 1), {"mode": "wrap"}, "np"), ("pad", (A, ((0, 0), (1, 1))), {"constant_values": 3.0}, "np"),
       ("split", (A, 2), {"axis": 1}, "np"), ("array_split", (A, 3), {"axis": 1}, "np"),
       ("hsplit", (A, 2), {}, "np"), ("vsplit", (M, 2), {}, "np"), ("dsplit", (A[:, :, None].repeat(2, 2), 2), {}, "np"),
       ("ndim", (A,), {}, "np"), ("size", (A,), {}, "np"), ("meshgrid", (B, V), {}, "np"),
       ("meshgrid", (B, V), {"indexing": "ij"}, "np")]
    # indexing and sorting
    + [("take", (A, np.array([0, 2])), {"axis": 0}, "np"), ("take", (A, np.array([[1, -1]])), {}, "np"),
       ("take_along_axis", (A, np.argsort(A, axis=1)), {"axis": 1}, "np"),
       ("where", (BOOL, A, 0.0), {}, "np"), ("where", (BOOL, I, A), {}, "np"), ("where", (BOOL,), {}, "np"),
       ("nonzero", (I,), {}, "np"), ("sort", (A,), {}, "np"), ("sort", (A,), {"axis": 0}, "np"),
       ("argsort", (A,), {"axis": 1}, "np"), ("searchsorted", (SORTED, B), {}, "np"),
       ("searchsorted", (SORTED, B), {"side": "right"}, "np"), ("digitize", (B, SORTED), {}, "np"),
       ("isin", (I, J), {}, "np"), ("unravel_index", (np.array([1, 7, 11]), (3, 4)), {}, "np"),
       ("unique", (I,), {}, "np"), ("bincount", (np.abs(J),), {"minlength": 7}, "np"),
       ("select", ([A < -0.5, A > 0.5], [A, -A]), {"default": 9.0}, "np"),
       ("count_nonzero", (I,), {"axis": 0}, "np"), ("slogdet", (SPD,), {}, np.linalg.slogdet),
       ("get_item", (A, (slice(1, 3), 2)), {}, lambda a, k: a[k])]
    # nn (references in closed form)
    + [("relu", (A,), {}, lambda x: np.maximum(x, 0)), ("relu6", (A * 5,), {}, lambda x: np.clip(x, 0, 6)),
       ("sigmoid", (A,), {}, lambda x: 1 / (1 + np.exp(-x))), ("softplus", (A,), {}, lambda x: np.log1p(np.exp(x))),
       ("softsign", (A,), {}, lambda x: x / (1 + np.abs(x))), ("silu", (A,), {}, lambda x: x / (1 + np.exp(-x))),
       ("swish", (A,), {}, lambda x: x / (1 + np.exp(-x))), ("log_sigmoid", (A,), {}, lambda x: -np.log1p(np.exp(-x))),
       ("leaky_relu", (A,), {}, lambda x: np.where(x > 0, x, 0.2 * x)),
       ("hard_sigmoid", (A * 4,), {}, lambda x: np.clip(x / 6 + 0.5, 0, 1)),
       ("hard_silu", (A * 4,), {}, lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
       ("hard_swish", (A * 4,), {}, lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
       ("hard_tanh", (A * 2,), {}, lambda x: np.clip(x, -1, 1)),
       ("elu", (A,), {"alpha": 0.5}, lambda x, alpha: np.where(x > 0, x, alpha * np.expm1(x))),
       ("celu", (A,), {}, lambda x: np.where(x > 0, x, np.expm1(x))),
       ("selu", (A,), {}, lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))),
       ("gelu", (A,), {"approximate": False}, lambda x, approximate: 0.5 * x * (1 + _sp("erf")(x / np.sqrt(2)))),
       ("glu", (A,), {}, lambda x: x[:, :2] / (1 + np.exp(-x[:, 2:]))),
       ("hard_shrink", (A,), {}, lambda x: np.where(np.abs(x) > 0.5, x, 0)),
       ("soft_shrink", (A,), {}, lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0)),
       ("tanh_shrink", (A,), {}, lambda x: x - np.tanh(x)),
       ("squareplus", (A,), {}, lambda x: (x + np.sqrt(x * x + 4)) / 2),
       ("sparse_plus", (A * 2,), {}, lambda x: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4))),
       ("sparse_sigmoid", (A * 2,), {}, lambda x: np.clip((x + 1) / 2, 0, 1)),
       ("threshold", (A, 0.1, -3.0), {}, lambda x, t, d: np.where(x > t, x, d)),
       ("softmax", (A,), {}, lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
       ("softmax", (A,), {"axis": 0}, lambda x, axis: np.exp(x) / np.exp(x).sum(0, keepdims=True)),
       ("log_softmax", (A,), {}, lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
       ("sparsemax", (A,), {}, None),
       ("one_hot", (np.array([0, 2, 1]), 3), {}, lambda x, n: np.eye(n, dtype="float32")[x]),
       ("one_hot", (np.array([0, 2]), 3), {"axis": 0}, lambda x, n, axis: np.eye(n, dtype="float32")[x].T),
       ("multi_hot", (np.array([[0, 2], [1, 1]]), 4), {}, lambda x, n: np.array([[1, 0, 1, 0], [0, 1, 0, 0]], "f")),
       ("moments", (A, [0]), {}, lambda x, a: (x.mean(0), x.var(0))),
       ("moments", (A, [0, 1]), {"keepdims": True}, lambda x, a, keepdims: (x.mean(keepdims=True), x.var(keepdims=True))),
       ("batch_normalization", (A, B, np.abs(B), 1), {"offset": B, "scale": 2 * B, "epsilon": 1e-3},
        lambda x, m, v, axis, offset, scale, epsilon: (x - m) / np.sqrt(v + epsilon) * scale + offset),
       ("normalize", (A,), {}, lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True)),
       ("normalize", (A,), {"order": 1, "axis": 0}, lambda x, order, axis: x / np.abs(x).sum(0, keepdims=True)),
       ("layer_normalization", (A,), {"epsilon": 1e-5},
        lambda x, epsilon: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + epsilon)),
       ("rms_normalization", (A,), {"epsilon": 1e-5},
        lambda x, epsilon: x / np.sqrt((x * x).mean(-1, keepdims=True) + epsilon)),
       ("psnr", (P, P * 0.9, 1.0), {}, lambda a, b, m: 20 * np.log10(m) - 10 * np.log10(((a - b) ** 2).mean())),
       ("binary_crossentropy", (P > 0.5, P), {}, None),
       ("categorical_crossentropy", (np.eye(4, dtype="f")[[0, 1, 3]], P), {"from_logits": True}, None),
       ("sparse_categorical_crossentropy", (np.array([0, 1, 3]), A), {"from_logits": True},
        lambda t, x, from_logits: -(x - np.log(np.exp(x).sum(-1, keepdims=True)))[np.arange(3), t]),
       ("polar", (np.abs(B), B), {}, lambda r, t: r * np.exp(1j * t))]
    # math
    + [("logsumexp", (A,), {"axis": 1}, lambda x, axis: np.log(np.exp(x).sum(axis))),
       ("logsumexp", (A,), {}, lambda x: np.log(np.exp(x).sum())),
       ("erf", (A,), {}, lambda x: _sp("erf")(x)), ("erfc", (A,), {}, lambda x: _sp("erfc")(x)),
       ("erfinv", (P,), {}, lambda x: _sp("erfinv")(x)), ("rsqrt", (P,), {}, lambda x: 1 / np.sqrt(x)),
       ("logdet", (SPD,), {}, lambda x: np.linalg.slogdet(x)[1]),
       ("top_k", (A, 2), {}, lambda x, k: (-np.sort(-x, -1)[:, :k], np.argsort(-x, -1, kind="stable")[:, :k])),
       ("in_top_k", (np.array([0, 1, 3]), A, 2), {}, lambda t, x, k: (np.argsort(-x, -1)[:, :k] == t[:, None]).any(-1)),
       ("segment_sum", (A, np.array([0, 0, 2])), {}, lambda d, s: np.stack([d[:2].sum(0), 0 * d[0], d[2]])),
       ("segment_max", (A, np.array([1, 0, 1])), {"num_segments": 2},
        lambda d, s, num_segments: np.stack([d[1], np.maximum(d[0], d[2])])),
       ("segment_min", (A, np.array([1, 0, 1])), {}, lambda d, s: np.stack([d[1], np.minimum(d[0], d[2])])),
       ("segment_prod", (A, np.array([1, 0, 1])), {}, lambda d, s: np.stack([d[1], d[0] * d[2]])),
       ("fft", ((A, M[:3]),), {}, lambda c: (np.fft.fft(c[0] + 1j * c[1]).real, np.fft.fft(c[0] + 1j * c[1]).imag)),
       ("fft2", ((A, M[:3]),), {}, lambda c: (np.fft.fft2(c[0] + 1j * c[1]).real, np.fft.fft2(c[0] + 1j * c[1]).imag)),
       ("ifft2", ((A, M[:3]),), {}, lambda c: (np.fft.ifft2(c[0] + 1j * c[1]).real, np.fft.ifft2(c[0] + 1j * c[1]).imag)),
       ("rfft", (A,), {}, lambda x: (np.fft.rfft(x).real, np.fft.rfft(x).imag)),
       ("rfft", (A,), {"fft_length": 6}, lambda x, fft_length: (np.fft.rfft(x, 6).real, np.fft.rfft(x, 6).imag)),
       ("irfft", ((A, M[:3]),), {}, lambda c: np.fft.irfft(c[0] + 1j * c[1])),
       ("extract_sequences", (np.arange(10.0, dtype="f"), 4, 2), {},
        lambda x, n, s: np.stack([x[i:i + n] for i in range(0, len(x) - n + 1, s)])),
       ("cdist", (A, M), {}, lambda x, y: np.sqrt(((x[:, None] - y[None]) ** 2).sum(-1))),
       ("stft", (np.sin(np.arange(64, dtype="f") / 3), 16, 8, 16), {}, None),
       ("stft", (np.sin(np.arange(64, dtype="f") / 3), 12, 4, 16), {"center": False}, None)]
    # linalg
    + [("cholesky", (SPD,), {}, np.linalg.cholesky), ("det", (M,), {}, np.linalg.det),
       ("inv", (SPD,), {}, np.linalg.inv), ("solve", (SPD, A.T), {}, np.linalg.solve),
       ("solve_triangular", (np.tril(SPD), B), {"lower": True}, lambda a, b, lower: np.linalg.solve(a, b)),
       ("norm", (A,), {}, np.linalg.norm), ("norm", (A,), {"axis": 1}, lambda x, axis: np.linalg.norm(x, axis=axis)),
       ("norm", (A,), {"ord": 1}, lambda x, ord: np.linalg.norm(x, ord)),
       ("norm", (A,), {"ord": "fro", "keepdims": True}, lambda x, ord, keepdims: np.linalg.norm(x, ord, keepdims=True)),
       ("norm", (B,), {"ord": 3}, lambda x, ord: np.linalg.norm(x, ord)),
       ("svd", (A,), {"compute_uv": False}, lambda x, compute_uv: np.linalg.svd(x, compute_uv=False)),
       ("pinv", (A,), {}, np.linalg.pinv), ("matrix_rank", (A,), {}, np.linalg.matrix_rank),
       ("lstsq", (A.T, B), {}, lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0]),
       ("eigh", (SPD,), {}, lambda x: (np.linalg.eigh(x)[0], None)),
       ("cholesky_inverse", (np.linalg.cholesky(SPD),), {}, lambda l_: np.linalg.inv(SPD))]
)
