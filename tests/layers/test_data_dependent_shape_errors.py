"""Under JAX a user's layer that computes a shape (or a Python branch) from tensor values inside
a compiled step raises lamina's DataDependentShapeError naming the layer and the fix, not an XLA
trace. Runs with LAMINA_BACKEND=jax (torch runs such layers eagerly, so there is no error)."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.errors import DataDependentShapeError

pytestmark = pytest.mark.skipif(lamina.backend.backend() != "jax", reason="compiled steps are JAX's")


class PickPositive(layers.Layer):
    def call(self, x):
        return x[x > 0]   # boolean mask: the shape depends on the values


class Branchy(layers.Layer):
    def call(self, x):
        if ops.sum(x) > 0:   # a Python branch on a tensor value
            return x
        return -x


@pytest.mark.parametrize("cls,jax_error", [(PickPositive, "NonConcreteBooleanIndexError"),
                                           (Branchy, "TracerBoolConversionError")])
def test_predict_names_the_layer_and_the_fix(cls, jax_error):
    model = lamina.Sequential([cls(name="odd"), layers.Lambda(lambda t: ops.sum(t, axis=-1, keepdims=True))])
    with pytest.raises(DataDependentShapeError, match=rf"Layer 'odd' \({cls.__name__}\) computes a shape or a "
                       rf"Python branch from the values of a tensor \({jax_error}") as info:
        model.predict(np.ones((4, 3), "float32"), verbose=0)
    assert "ops.where(mask, x, 0) instead of x[mask]" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_a_users_own_jit_gets_the_same_error_from_the_innermost_layer():
    import jax

    inner = PickPositive(name="inner")
    outer = lamina.Sequential([layers.Dense(3), inner])
    outer.build((None, 3))
    with pytest.raises(DataDependentShapeError, match="Layer 'inner' "):
        jax.jit(lambda x: outer(x))(np.ones((2, 3), "float32"))
