"""A GAN trained by fit() with two optimizers, in the step form of the backend in use, matches
Keras 3 running the torch form of the same GAN (its "Customizing fit() with PyTorch" guide).

Under torch the step is ``train_step(self, data)``: backward(), then ``d_optimizer.apply`` and
``g_optimizer.apply``. Under JAX it is ``train_step(self, state, data)``: ``jax.value_and_grad``,
then ``d_optimizer.stateless_apply`` and ``g_optimizer.stateless_apply``, each on its own slice of
``optimizer_variables`` (``model.optimizer``'s variables first, then the other optimizers' in the
order the model set them). The noise is part of the data, so both runs see the same numbers.
"""

import numpy as np
import pytest

import lamina
from tests.keras3 import keras3

LATENT, FEATURES = 3, 5
RNG = np.random.default_rng(0)
REAL = (RNG.standard_normal((32, FEATURES)) * 0.5 + 1.0).astype("float32")
DATA = np.concatenate([REAL, RNG.standard_normal((32, 2 * LATENT))], axis=1).astype("float32")
D_INIT = [RNG.standard_normal((FEATURES, 8)).astype("float32") * 0.4, np.zeros(8, "float32"),
          RNG.standard_normal((8, 1)).astype("float32") * 0.4, np.zeros(1, "float32")]
G_INIT = [RNG.standard_normal((LATENT, 8)).astype("float32") * 0.4, np.zeros(8, "float32"),
          RNG.standard_normal((8, FEATURES)).astype("float32") * 0.4, np.zeros(FEATURES, "float32")]


def _split(keras, data):
    if isinstance(data, (tuple, list)):
        data = data[0]
    return (data[:, :FEATURES], data[:, FEATURES:FEATURES + LATENT], data[:, FEATURES + LATENT:])


def _labels(keras, n):
    ops = keras.ops
    return ops.concatenate([ops.ones((n, 1)), ops.zeros((n, 1))], axis=0), ops.zeros((n, 1))


def gan_class(keras, form):
    """The GAN as a program would write it for ``keras`` (lamina or Keras 3), in ``form``."""

    class GAN(keras.Model):
        def __init__(self):
            super().__init__()
            self.discriminator = keras.Sequential(
                [keras.Input((FEATURES,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
            self.generator = keras.Sequential(
                [keras.Input((LATENT,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(FEATURES)])
            self.discriminator.set_weights(D_INIT)
            self.generator.set_weights(G_INIT)
            self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
            self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
            self.built = True  # no call(): Keras would otherwise try to build it on a batch

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn
            # A stateless step needs built optimizers (Keras 3 builds them in apply() only).
            self.d_optimizer.build(self.discriminator.trainable_variables)
            self.g_optimizer.build(self.generator.trainable_variables)

    class TorchGAN(GAN):
        def train_step(self, data):
            import torch

            real, noise_d, noise_g = _split(keras, data)
            labels, misleading = _labels(keras, real.shape[0])
            self.zero_grad()
            combined = keras.ops.concatenate([self.generator(noise_d), real], axis=0)
            d_loss = self.loss_fn(labels, self.discriminator(combined))
            d_loss.backward()
            grads = [v.value.grad for v in self.discriminator.trainable_weights]
            with torch.no_grad():
                self.d_optimizer.apply(grads, self.discriminator.trainable_weights)
            self.zero_grad()
            g_loss = self.loss_fn(misleading, self.discriminator(self.generator(noise_g)))
            g_loss.backward()
            grads = [v.value.grad for v in self.generator.trainable_weights]
            with torch.no_grad():
                self.g_optimizer.apply(grads, self.generator.trainable_weights)
            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    class JaxGAN(GAN):
        def train_step(self, state, data):
            import jax

            tv, ntv, ov, mv = state
            real, noise_d, noise_g = _split(keras, data)
            labels, misleading = _labels(keras, real.shape[0])
            n_d = len(self.discriminator.trainable_variables)  # set first: its weights come first
            d_tv, g_tv = tv[:n_d], tv[n_d:]
            start = len(self.optimizer.variables)  # then d_optimizer's, then g_optimizer's
            end = start + len(self.d_optimizer.variables)
            d_ov, g_ov = ov[start:end], ov[end:]

            def d_loss_fn(d_tv):
                generated, _ = self.generator.stateless_call(g_tv, [], noise_d)
                combined = keras.ops.concatenate([generated, real], axis=0)
                logits, _ = self.discriminator.stateless_call(d_tv, [], combined)
                return self.loss_fn(labels, logits)

            d_loss, grads = jax.value_and_grad(d_loss_fn)(d_tv)
            d_tv, d_ov = self.d_optimizer.stateless_apply(d_ov, grads, d_tv)

            def g_loss_fn(g_tv):
                generated, _ = self.generator.stateless_call(g_tv, [], noise_g)
                logits, _ = self.discriminator.stateless_call(d_tv, [], generated)
                return self.loss_fn(misleading, logits)

            g_loss, grads = jax.value_and_grad(g_loss_fn)(g_tv)
            g_tv, g_ov = self.g_optimizer.stateless_apply(g_ov, grads, g_tv)
            d_mv = self.d_loss_tracker.stateless_update_state(mv[:2], d_loss)
            g_mv = self.g_loss_tracker.stateless_update_state(mv[2:], g_loss)
            logs = {"d_loss": self.d_loss_tracker.stateless_result(d_mv),
                    "g_loss": self.g_loss_tracker.stateless_result(g_mv)}
            return logs, (list(d_tv) + list(g_tv), ntv, list(ov[:start]) + list(d_ov) + list(g_ov),
                          list(d_mv) + list(g_mv))

    return JaxGAN if form == "jax" else TorchGAN


def _train(keras, form, epochs=2):
    gan = gan_class(keras, form)()
    gan.compile(d_optimizer=keras.optimizers.Adam(0.01), g_optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    history = gan.fit(DATA, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    return gan, history.history


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_two_optimizer_gan_matches_keras():
    keras = keras3()
    ours, our_logs = _train(lamina, lamina.backend.backend())
    theirs, their_logs = _train(keras, "torch")
    for name in ("d_loss", "g_loss"):
        np.testing.assert_allclose(our_logs[name], their_logs[name], rtol=1e-5)
        assert our_logs[name][0] != our_logs[name][1]  # the losses moved
    for sub, init in (("discriminator", D_INIT), ("generator", G_INIT)):
        mine, ref = getattr(ours, sub).get_weights(), getattr(theirs, sub).get_weights()
        assert max(np.abs(w - i).max() for w, i in zip(mine, init)) > 1e-2, f"the {sub} did not train"
        for a, b in zip(mine, ref):
            np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-5)
    # each optimizer stepped once per batch on its own model, with its own state
    assert ours.d_optimizer.iterations == ours.g_optimizer.iterations == 8
    for mine, ref in ((ours.d_optimizer, theirs.d_optimizer), (ours.g_optimizer, theirs.g_optimizer)):
        assert len(mine.variables) == len(ref.variables)
        for a, b in zip(mine.variables, ref.variables):
            np.testing.assert_allclose(a.numpy(), np.asarray(b.value.detach()), rtol=1e-5, atol=1e-5)
