"""Character-level sequence to sequence (encoder-decoder LSTMs with teacher forcing), then
inference models that reuse the trained layers, as Keras 2's lstm_seq2seq.py; the model is saved
to 's2s.h5' and loaded back."""

import os
import tempfile

import numpy as np

import lamina as keras
from lamina.layers import LSTM, Dense, Input
from lamina.models import Model
from tests.programs import _data

latent_dim = 32


def vectorize(inputs, targets):
    in_chars = sorted({c for t in inputs for c in t})
    out_chars = sorted({c for t in targets for c in t})
    in_index = {c: i for i, c in enumerate(in_chars)}
    out_index = {c: i for i, c in enumerate(out_chars)}
    max_in = max(len(t) for t in inputs)
    max_out = max(len(t) for t in targets)
    enc = np.zeros((len(inputs), max_in, len(in_chars)), dtype="float32")
    dec = np.zeros((len(inputs), max_out, len(out_chars)), dtype="float32")
    dec_target = np.zeros_like(dec)
    for i, (src, tgt) in enumerate(zip(inputs, targets)):
        for t, c in enumerate(src):
            enc[i, t, in_index[c]] = 1.0
        for t, c in enumerate(tgt):
            dec[i, t, out_index[c]] = 1.0
            if t > 0:
                dec_target[i, t - 1, out_index[c]] = 1.0
    return enc, dec, dec_target, out_index


def main(epochs=4):
    inputs, targets = _data.translation_pairs()
    enc_data, dec_data, dec_target, out_index = vectorize(inputs, targets)
    num_enc, num_dec = enc_data.shape[-1], dec_data.shape[-1]

    encoder_inputs = Input(shape=(None, num_enc))
    encoder = LSTM(latent_dim, return_state=True)
    _, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = Input(shape=(None, num_dec))
    decoder_lstm = LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = Dense(num_dec, activation="softmax")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = Model([encoder_inputs, decoder_inputs], decoder_outputs)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit([enc_data, dec_data], dec_target, batch_size=32, epochs=epochs,
                        validation_split=0.2, verbose=0)
    path = os.path.join(tempfile.mkdtemp(), "s2s.h5")
    model.save(path)
    model = keras.models.load_model(path)

    # Inference: the encoder gives the states, the decoder runs one character at a time.
    encoder_model = Model(encoder_inputs, encoder_states)
    state_in = [Input(shape=(latent_dim,)), Input(shape=(latent_dim,))]
    out, h, c = decoder_lstm(decoder_inputs, initial_state=state_in)
    decoder_model = Model([decoder_inputs] + state_in, [decoder_dense(out), h, c])
    reverse = {i: ch for ch, i in out_index.items()}
    states = encoder_model.predict(enc_data[:1], verbose=0)
    target = np.zeros((1, 1, num_dec), "float32")
    target[0, 0, out_index["\t"]] = 1.0
    decoded = ""
    for _ in range(dec_data.shape[1]):
        tokens, h, c = decoder_model.predict([target] + list(states), verbose=0)
        ch = reverse[int(tokens[0, -1].argmax())]
        if ch == "\n":
            break
        decoded += ch
        target = np.zeros((1, 1, num_dec), "float32")
        target[0, 0, out_index[ch]] = 1.0
        states = [h, c]
    print("Input:", inputs[0], "decoded:", decoded)
    return history.history["loss"]


if __name__ == "__main__":
    main()
