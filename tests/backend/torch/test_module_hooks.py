"""A lamina layer is a torch.nn.Module: torch's module hooks fire on it like on torch.nn layers.

Layer.__call__ skips torch's ``Module.__call__`` when no hook is registered (one frame less per
layer call); these tests pin that every kind of hook still routes through torch.
"""

import numpy as np
import torch

import lamina
from lamina import layers


def _model():
    lamina.utils.set_random_seed(0)
    return lamina.Sequential([layers.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(2)])


def test_forward_and_pre_hooks_on_a_layer_see_its_inputs_and_outputs():
    model = _model()
    dense = model.layers[0]
    seen = {}
    h1 = dense.register_forward_pre_hook(lambda mod, args: seen.setdefault("pre", args[0].clone()))
    h2 = dense.register_forward_hook(lambda mod, args, out: seen.setdefault("out", out.clone()))
    x = np.arange(8, dtype="float32").reshape(2, 4)
    model.predict(x, verbose=0)
    np.testing.assert_array_equal(seen["pre"].numpy(), x)
    expected = np.maximum(x @ dense.kernel.numpy() + dense.bias.numpy(), 0)
    np.testing.assert_allclose(seen["out"].numpy(), expected, rtol=1e-6)
    h1.remove(), h2.remove()
    seen.clear()
    model.predict(x, verbose=0)
    assert seen == {}  # removed hooks no longer fire


def test_a_forward_hook_can_replace_the_output():
    model = _model()
    model.layers[-1].register_forward_hook(lambda mod, args, out: out * 0 + 7.0)
    np.testing.assert_array_equal(model.predict(np.ones((3, 4), "float32"), verbose=0), np.full((3, 2), 7.0))


def test_global_module_hooks_fire_for_lamina_layers():
    model = _model()
    names = []
    handle = torch.nn.modules.module.register_module_forward_hook(
        lambda mod, args, out: names.append(getattr(mod, "name", type(mod).__name__)))
    try:
        model.predict(np.ones((1, 4), "float32"), verbose=0)
    finally:
        handle.remove()
    assert [n for n in names if n.startswith("dense")] == [l.name for l in model.layers]


def test_full_backward_hook_receives_the_gradient_of_the_layer_output():
    model = _model()
    dense = model.layers[-1]
    grads = []
    dense.register_full_backward_hook(lambda mod, gin, gout: grads.append(gout[0].clone()))
    x = torch.ones((5, 4))
    model(x).sum().backward()
    assert len(grads) == 1
    np.testing.assert_array_equal(grads[0].numpy(), np.ones((5, 2), "float32"))  # d(sum)/d(out)
