"""A variational autoencoder as in Keras 3's gallery: a Sampling layer, encoder and decoder models,
and a VAE Model subclass whose train_step adds the KL term to the reconstruction loss; plus the
add_loss variant, where the Sampling layer adds the KL loss itself and fit() needs no loss."""

import torch

import lamina as keras
from lamina import layers, ops
from tests.programs import _data

latent_dim = 2


class Sampling(layers.Layer):
    """z = mean + exp(log_var / 2) * epsilon."""

    def __init__(self, add_kl_loss=False, **kwargs):
        super().__init__(**kwargs)
        self.add_kl_loss = add_kl_loss
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        if self.add_kl_loss:
            kl = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
            self.add_loss(ops.mean(ops.sum(kl, axis=1)))
        epsilon = keras.random.normal(shape=ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def encoder_decoder(add_kl_loss=False):
    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(16, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = Sampling(add_kl_loss=add_kl_loss)([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 32, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 32))(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")
    return encoder, decoder


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.total_loss_tracker, self.reconstruction_loss_tracker, self.kl_loss_tracker]

    def train_step(self, data):
        self.zero_grad()
        z_mean, z_log_var, z = self.encoder(data)
        reconstruction = self.decoder(z)
        reconstruction_loss = ops.mean(ops.sum(
            keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2)))
        kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
        kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
        total_loss = reconstruction_loss + kl_loss
        total_loss.backward()
        weights = self.trainable_weights
        with torch.no_grad():
            self.optimizer.apply([v.value.grad for v in weights], weights)
        self.total_loss_tracker.update_state(total_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        return {
            "loss": self.total_loss_tracker.result(),
            "reconstruction_loss": self.reconstruction_loss_tracker.result(),
            "kl_loss": self.kl_loss_tracker.result(),
        }


def main(epochs=3):
    (x_train, _), (x_test, _) = _data.mnist(n_train=256, n_test=32)
    digits = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255

    vae = VAE(*encoder_decoder())
    vae.compile(optimizer=keras.optimizers.Adam())
    history = vae.fit(digits, epochs=epochs, batch_size=64, verbose=0)

    # The add_loss variant: the KL term comes from the Sampling layer, the reconstruction loss
    # from compile().
    encoder, decoder = encoder_decoder(add_kl_loss=True)
    inputs = keras.Input(shape=(28, 28, 1))
    autoencoder = keras.Model(inputs, decoder(encoder(inputs)[2]))
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    second = autoencoder.fit(digits, digits, epochs=epochs, batch_size=64, verbose=0)
    assert second.history["loss"][-1] < second.history["loss"][0]
    sample = decoder.predict(keras.random.normal((4, latent_dim)), verbose=0)
    print("decoded samples:", sample.shape)
    return history.history["loss"]


if __name__ == "__main__":
    main()
