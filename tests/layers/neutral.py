"""Backend-neutral helpers for the layer tests: NumPy in, NumPy out, whatever the backend.

``grad`` differentiates a function written in ``lamina.ops`` with torch autograd under the torch
backend and with ``jax.grad`` under JAX; ``layer_grad`` does it for a layer's inputs and trainable
weights through ``Layer.stateless_call``. References computed with torch.nn stay in the tests: they
only turn NumPy inputs into expected NumPy numbers.
"""

import numpy as np

import lamina
from lamina import ops


def to_np(x):
    """A lamina output (a backend tensor, a Variable, a list of them) or a torch tensor as NumPy."""
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return [to_np(v) for v in x]
    if hasattr(x, "detach"):  # a torch tensor (the torch.nn / Keras reference side)
        x = x.detach().cpu()
        return x.numpy()
    return np.asarray(ops.convert_to_numpy(x))


def mask_of(x):
    """The Keras mask a lamina output carries (``None`` if none), as NumPy."""
    m = lamina.backend.get_mask(x)
    return None if m is None else to_np(m)


def with_mask(x, mask):
    """``x`` as a backend tensor carrying the Keras mask ``mask`` (Keras's ``_keras_mask``)."""
    t = ops.convert_to_tensor(x)
    lamina.backend.set_mask(t, ops.convert_to_tensor(mask))
    return t


def _flatten(args):
    leaves, spec = [], []
    for a in args:
        if isinstance(a, (list, tuple)):
            spec.append(len(a))
            leaves.extend(a)
        else:
            spec.append(None)
            leaves.append(a)
    return leaves, spec


def _unflatten(leaves, spec):
    out, i = [], 0
    for n in spec:
        if n is None:
            out.append(leaves[i])
            i += 1
        else:
            out.append(list(leaves[i:i + n]))
            i += n
    return out


def grad(fn, *args):
    """The gradients of the scalar ``fn(*args)`` with respect to every float array in ``args``.

    Each argument is a NumPy array or a list of them; ``fn`` receives backend tensors in the same
    structure. Returns NumPy gradients in that structure (zeros where ``fn`` does not depend on an
    input, as ``jax.grad`` gives).
    """
    leaves, spec = _flatten(args)
    leaves = [np.asarray(to_np(a)) for a in leaves]
    if lamina.backend.backend() == "jax":
        import jax

        fl = [i for i, a in enumerate(leaves) if a.dtype.kind == "f"]
        fixed = [ops.convert_to_tensor(a) for a in leaves]

        def f(floats):
            ls = list(fixed)
            for i, v in zip(fl, floats):
                ls[i] = v
            return fn(*_unflatten(ls, spec))

        g = dict(zip(fl, jax.grad(f)([fixed[i] for i in fl])))
        out = [to_np(g[i]) if i in g else np.zeros(a.shape, "float32") for i, a in enumerate(leaves)]
        return _unflatten(out, spec)
    import torch

    ts = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in leaves]
    wrt = [t for t in ts if t.requires_grad]
    g = iter(torch.autograd.grad(fn(*_unflatten(ts, spec)), wrt, allow_unused=True))
    out = []
    for t in ts:
        if not t.requires_grad:
            out.append(np.zeros(tuple(t.shape), "float32"))
            continue
        v = next(g)
        out.append(np.zeros(tuple(t.shape), to_np(t).dtype) if v is None else to_np(v))
    return _unflatten(out, spec)


def layer_grad(layer, loss, inputs, weights=None, as_list=False, **call_kwargs):
    """``(grads of the inputs, grads of the trainable weights)`` of ``loss(layer(*inputs))``.

    ``inputs``: a list of NumPy arrays, the positional call arguments (with ``as_list``, the one
    list argument of a layer such as Add or Attention); ``weights``: values for
    ``layer.trainable_variables`` (their current values by default). The call goes through
    ``layer.stateless_call``, so the layer's variables are left alone; ``loss`` maps the outputs
    to a scalar with ``lamina.ops``.
    """
    ntv = [v.value for v in layer.non_trainable_variables]
    weights = [to_np(v.value) for v in layer.trainable_variables] if weights is None else weights

    def f(xs, tv):
        args = (list(xs),) if as_list else tuple(xs)
        out, _ = layer.stateless_call(tv, ntv, *args, **call_kwargs)
        return loss(out)

    return grad(f, list(inputs), list(weights))
