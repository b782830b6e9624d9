"""A GAN whose Model subclass overrides compile() (two optimizers and a loss) and train_step()
(discriminator step, then generator step through a frozen-in-effect discriminator), as in Keras
3's "Customizing fit() with PyTorch" guide, on MNIST-shaped images. Under JAX the same step is
written in Keras 3's JAX form: a pure function of the state, with each optimizer's
stateless_apply on its slice of the optimizer variables."""

import lamina as keras
from lamina import layers, ops
from tests.programs import _data

latent_dim = 16


class TorchGAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.seed_generator = keras.random.SeedGenerator(1337)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        import torch

        if isinstance(real_images, (tuple, list)):
            real_images = real_images[0]
        batch_size = real_images.shape[0]
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        generated = self.generator(noise)
        combined = ops.concatenate([generated, real_images], axis=0)
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * keras.random.uniform(ops.shape(labels), seed=self.seed_generator)

        self.zero_grad()
        d_loss = self.loss_fn(labels, self.discriminator(combined))
        d_loss.backward()
        grads = [v.value.grad for v in self.discriminator.trainable_weights]
        with torch.no_grad():
            self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        misleading = ops.zeros((batch_size, 1))
        self.zero_grad()
        g_loss = self.loss_fn(misleading, self.discriminator(self.generator(noise)))
        g_loss.backward()
        grads = [v.value.grad for v in self.generator.trainable_weights]
        with torch.no_grad():
            self.g_optimizer.apply(grads, self.generator.trainable_weights)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


class JaxGAN(TorchGAN):
    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile(d_optimizer, g_optimizer, loss_fn)
        self.d_optimizer.build(self.discriminator.trainable_variables)  # stateless_apply needs them built
        self.g_optimizer.build(self.generator.trainable_variables)

    def train_step(self, state, real_images):
        import jax

        if isinstance(real_images, (tuple, list)):
            real_images = real_images[0]
        tv, ntv, ov, mv = state
        batch_size = real_images.shape[0]
        # optimizer_variables: model.optimizer's (compile()'s default), d_optimizer's, g_optimizer's
        start = len(self.optimizer.variables)
        end = start + len(self.d_optimizer.variables)
        d_ov, g_ov = ov[start:end], ov[end:]
        n_d = len(self.discriminator.trainable_variables)  # the discriminator was set first
        d_tv, g_tv = tv[:n_d], tv[n_d:]
        with keras.backend.StatelessScope(list(zip(self.non_trainable_variables, ntv))) as scope:
            noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
            noise_g = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
            jitter = 0.05 * keras.random.uniform((2 * batch_size, 1), seed=self.seed_generator)
        ntv = [scope.get_current_value(v) for v in self.non_trainable_variables]
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0) + jitter

        def d_loss_fn(d_tv):
            generated, _ = self.generator.stateless_call(g_tv, [], noise)
            combined = ops.concatenate([generated, real_images], axis=0)
            return self.loss_fn(labels, self.discriminator.stateless_call(d_tv, [], combined)[0])

        d_loss, grads = jax.value_and_grad(d_loss_fn)(d_tv)
        d_tv, d_ov = self.d_optimizer.stateless_apply(d_ov, grads, d_tv)

        def g_loss_fn(g_tv):
            generated, _ = self.generator.stateless_call(g_tv, [], noise_g)
            logits, _ = self.discriminator.stateless_call(d_tv, [], generated)
            return self.loss_fn(ops.zeros((batch_size, 1)), logits)

        g_loss, grads = jax.value_and_grad(g_loss_fn)(g_tv)
        g_tv, g_ov = self.g_optimizer.stateless_apply(g_ov, grads, g_tv)
        d_mv = self.d_loss_tracker.stateless_update_state(mv[:2], d_loss)
        g_mv = self.g_loss_tracker.stateless_update_state(mv[2:], g_loss)
        logs = {"d_loss": self.d_loss_tracker.stateless_result(d_mv),
                "g_loss": self.g_loss_tracker.stateless_result(g_mv)}
        return logs, (list(d_tv) + list(g_tv), ntv, list(ov[:start]) + list(d_ov) + list(g_ov),
                      list(d_mv) + list(g_mv))


GAN = JaxGAN if keras.backend.backend() == "jax" else TorchGAN


def main(epochs=3):
    (x_train, _), _ = _data.mnist(n_train=256, n_test=1)
    images = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255.0
    discriminator = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(16, 3, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(32, 3, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.GlobalMaxPooling2D(),
        layers.Dense(1),
    ], name="discriminator")
    generator = keras.Sequential([
        keras.Input(shape=(latent_dim,)),
        layers.Dense(7 * 7 * 16),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Reshape((7, 7, 16)),
        layers.Conv2DTranspose(16, 4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(16, 4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, 7, padding="same", activation="sigmoid"),
    ], name="generator")
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
                g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    history = gan.fit(images, batch_size=32, epochs=epochs, verbose=0)
    print({k: [round(v, 3) for v in vs] for k, vs in history.history.items()})
    return history.history["d_loss"]


if __name__ == "__main__":
    main()
