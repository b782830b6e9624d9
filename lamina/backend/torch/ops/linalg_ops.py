"""The ``keras.ops.linalg`` kernels for the torch backend (``torch.linalg`` with Keras's signatures)."""

from __future__ import annotations

import torch

from lamina.backend.torch.ops._convert import _t, promote, to_float


def _f(x):
    return to_float(_t(x))


def cholesky(x, upper=False):
    return torch.linalg.cholesky(_f(x), upper=upper)


def cholesky_inverse(x, upper=False):
    return torch.cholesky_inverse(_f(x), upper=upper)


def det(x):
    return torch.linalg.det(_f(x))


def eig(x):
    return torch.linalg.eig(_f(x))


def eigh(x):
    return torch.linalg.eigh(_f(x))


def inv(x):
    return torch.linalg.inv(_f(x))


def lu_factor(x):
    lu, pivots = torch.linalg.lu_factor(_f(x))
    return lu, pivots - 1  # 0-based pivots, as SciPy/JAX/Keras


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    x = _f(x)
    if isinstance(axis, int):
        axis = (axis,)
    if ord is None:
        return torch.linalg.norm(x, dim=axis, keepdim=keepdims)
    if axis is None:
        axis = tuple(range(x.dim())) if x.dim() <= 2 else None
    if axis is not None and len(axis) == 1:
        return torch.linalg.vector_norm(x, ord=ord, dim=axis, keepdim=keepdims)
    return torch.linalg.matrix_norm(x, ord=ord, dim=axis, keepdim=keepdims)


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr() received mode={mode!r}; expected 'reduced' or 'complete'.")
    return torch.linalg.qr(_f(x), mode=mode)


def solve(a, b):
    a, b = promote(_t(a), _t(b), floating=True)
    return torch.linalg.solve(a, b)


def solve_triangular(a, b, lower=False):
    a, b = promote(_t(a), _t(b), floating=True)
    vector = b.dim() == a.dim() - 1
    if vector:
        b = b.unsqueeze(-1)
    out = torch.linalg.solve_triangular(a, b, upper=not lower)
    return out.squeeze(-1) if vector else out


def svd(x, full_matrices=True, compute_uv=True):
    x = _f(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return torch.linalg.svd(x, full_matrices=full_matrices)


def lstsq(a, b, rcond=None):
    a, b = promote(_t(a), _t(b), floating=True)
    vector = b.dim() == 1
    if vector:
        b = b.unsqueeze(-1)
    # pinv-based: exact for any rank and on every device (torch's gelsd is CPU-only)
    out = torch.linalg.pinv(a, rtol=rcond) @ b if rcond is not None else torch.linalg.pinv(a) @ b
    return out.squeeze(-1) if vector else out


def matrix_rank(x, tol=None):
    return torch.linalg.matrix_rank(_f(x), atol=tol).to(torch.int32)


def pinv(x, rcond=None):
    x = _f(x)
    return torch.linalg.pinv(x) if rcond is None else torch.linalg.pinv(x, rtol=rcond)


def slogdet(x):
    r = torch.linalg.slogdet(_f(x))
    return r.sign, r.logabsdet


def jvp(fun, primals, tangents, has_aux=False):
    """(outputs, jacobian-vector product) of ``fun`` at ``primals`` along ``tangents``."""
    primals = tuple(_t(p) for p in primals)
    tangents = tuple(_t(t) for t in tangents)
    return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)
