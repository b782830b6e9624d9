"""A variational autoencoder in Keras 2's style (examples/variational_autoencoder.py): a Lambda
sampling layer with K.random_normal, the encoder/decoder as functional models, and the VAE loss
built from symbolic tensors with K.* and added with vae.add_loss(); compile() takes no loss."""

import numpy as np

from lamina import backend as K
from lamina.layers import Dense, Input, Lambda
from lamina.losses import binary_crossentropy
from lamina.models import Model
from tests.programs import _data

original_dim = 784
intermediate_dim = 64
latent_dim = 2
batch_size = 64


def sampling(args):
    z_mean, z_log_var = args
    batch = K.shape(z_mean)[0]
    dim = K.int_shape(z_mean)[1]
    epsilon = K.random_normal(shape=(batch, dim))
    return z_mean + K.exp(0.5 * z_log_var) * epsilon


def main(epochs=3):
    (x_train, y_train), (x_test, y_test) = _data.mnist()
    x_train = np.reshape(x_train, [-1, original_dim]).astype("float32") / 255
    x_test = np.reshape(x_test, [-1, original_dim]).astype("float32") / 255

    inputs = Input(shape=(original_dim,), name="encoder_input")
    x = Dense(intermediate_dim, activation="relu")(inputs)
    z_mean = Dense(latent_dim, name="z_mean")(x)
    z_log_var = Dense(latent_dim, name="z_log_var")(x)
    z = Lambda(sampling, output_shape=(latent_dim,), name="z")([z_mean, z_log_var])
    encoder = Model(inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = Input(shape=(latent_dim,), name="z_sampling")
    x = Dense(intermediate_dim, activation="relu")(latent_inputs)
    outputs = Dense(original_dim, activation="sigmoid")(x)
    decoder = Model(latent_inputs, outputs, name="decoder")

    outputs = decoder(encoder(inputs)[2])
    vae = Model(inputs, outputs, name="vae_mlp")
    reconstruction_loss = binary_crossentropy(inputs, outputs) * original_dim
    kl_loss = 1 + z_log_var - K.square(z_mean) - K.exp(z_log_var)
    kl_loss = K.sum(kl_loss, axis=-1) * -0.5
    vae.add_loss(K.mean(reconstruction_loss + kl_loss))
    vae.compile(optimizer="adam")
    history = vae.fit(x_train, epochs=epochs, batch_size=batch_size, verbose=0,
                      validation_data=(x_test, None))
    z_test = encoder.predict(x_test, batch_size=batch_size, verbose=0)[0]
    assert z_test.shape == (len(x_test), latent_dim)
    digits = decoder.predict(np.array([[0.0, 0.0], [1.0, -1.0]]), verbose=0)
    assert digits.shape == (2, original_dim)
    return history.history["loss"]


if __name__ == "__main__":
    main()
