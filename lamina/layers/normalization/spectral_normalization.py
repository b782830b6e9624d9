"""SpectralNormalization: divide a layer's kernel by its largest singular value (Miyato et al., 2018)."""

from __future__ import annotations

from lamina import initializers
from lamina.layers.core.wrapper import Wrapper
from lamina.layers.input_spec import InputSpec
from lamina.ops import _internal as ops


def _l2_normalize(x, epsilon=1e-12):
    return x * ops.rsqrt(ops.maximum(ops.sum(ops.square(x)), epsilon))


class SpectralNormalization(Wrapper):
    """Keeps the spectral norm of the wrapped layer's kernel near 1 (stabilizes GAN critics).

    In training, each call runs ``power_iterations`` steps of the power method on the kernel
    (reshaped to (-1, last_axis)) from the stored vector ``vector_u``, then *assigns*
    ``kernel / sigma`` to the wrapped layer's kernel and ``u`` to ``vector_u`` before calling
    the layer, exactly as Keras 3 does (so weights and files match Keras's). At inference the
    layer runs with its kernel as it is. A kernel of all zeros is left alone.

    Args:
        layer: a layer with a ``kernel`` (Dense, Conv*) or ``embeddings`` (Embedding).
        power_iterations: power-method steps per training call (>= 1).

    Weights: those of the wrapped layer, then ``vector_u`` (1, last_axis), non-trainable,
    initialized from TruncatedNormal(stddev=0.02).

    Example:
        >>> import lamina
        >>> sn = lamina.layers.SpectralNormalization(lamina.layers.Dense(3))
        >>> tuple(sn(lamina.ops.ones((2, 4)), training=True).shape)
        (2, 3)
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError(
                f"SpectralNormalization: power_iterations must be a positive integer, received "
                f"power_iterations={power_iterations!r}. Example: power_iterations=1."
            )
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        attr = "kernel" if getattr(self.layer, "kernel", None) is not None else "embeddings"
        if getattr(self.layer, attr, None) is None:
            raise ValueError(
                f"SpectralNormalization: the wrapped layer {type(self.layer).__name__} "
                f"'{self.layer.name}' has neither a 'kernel' nor an 'embeddings' weight. Wrap a "
                "Dense, convolution or Embedding layer."
            )
        self._kernel_attr = attr
        kernel = getattr(self.layer, attr)
        self.vector_u = self.add_weight(shape=(1, kernel.shape[-1]),
                                        initializer=initializers.TruncatedNormal(stddev=0.02),
                                        trainable=False, name="vector_u")

    @property
    def kernel(self):
        return getattr(self.layer, self._kernel_attr)

    @property
    def weights(self):
        """Keras 3's order: the wrapped kernel, ``vector_u``, then the wrapped layer's others."""
        if not self.built:
            return super().weights
        kernel = [v for v in self.layer._own_weights if v._attr == self._kernel_attr]
        out = kernel + [v for v in self._own_weights]
        return out + [v for v in self.layer.weights if all(v is not w for w in out)]

    def save_own_variables(self, store):
        """Keras's file layout: the wrapper's vars are [kernel, vector_u] (the kernel is also
        saved under the wrapped layer, as Keras does)."""
        for i, v in enumerate(self.weights[:2]):
            store[str(i)] = v.numpy()

    def load_own_variables(self, store):
        for i, v in enumerate(self.weights[:2]):
            v.assign(store[str(i)])

    def normalized_weights(self):
        """(new vector_u, kernel / sigma) from ``power_iterations`` power-method steps."""
        kernel = self.kernel
        w = ops.reshape(kernel, (-1, kernel.shape[-1]))
        u = self.vector_u
        for _ in range(self.power_iterations):
            v = _l2_normalize(ops.matmul(u, ops.transpose(w)))
            u = _l2_normalize(ops.matmul(v, w))
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        sigma = ops.matmul(ops.matmul(v, w), ops.transpose(u))
        return u, ops.reshape(kernel / sigma, tuple(kernel.shape))

    def call(self, inputs, training=False):
        if training:
            # An all-zero kernel (sigma = 0) is kept as it is: ops.where, not a Python `if` on the
            # kernel's values, which are unknown while JAX traces the train step.
            u, normalized = self.normalized_weights()
            kernel = self.kernel
            zero = ops.all(ops.equal(kernel, 0))
            self._assign_state("vector_u", ops.stop_gradient(ops.where(zero, self.vector_u, u)))
            # The kernel takes the normalized value and its gradient is the gradient at that value
            # (as a variable assigned in place under torch): kernel + stop_gradient(new - kernel)
            # carries that gradient through a stateless (JAX) call too.
            step = ops.stop_gradient(ops.where(zero, kernel, normalized) - kernel)
            self.layer._assign_state(self._kernel_attr, kernel + step)
        out = self.layer(inputs)
        # Keras casts the output to the inputs' dtype, which turns an Embedding's output into
        # integers; lamina casts only between floating dtypes.
        if ops.is_float_dtype(ops.dtype(inputs)) and ops.dtype(out) != ops.dtype(inputs):
            out = ops.cast(out, ops.dtype(inputs))
        return out

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["power_iterations"] = self.power_iterations
        return config
