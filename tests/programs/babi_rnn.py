"""Question answering over short stories with two recurrent encoders merged by addition, as Keras
2's babi_rnn.py (story and question inputs, RepeatVector, layers.add)."""

from lamina import layers
from lamina.layers import Dense, Dropout, Embedding, Input, RepeatVector
from lamina.models import Model
from lamina.preprocessing.sequence import pad_sequences
from tests.programs import _data

RNN = layers.LSTM
EMBED_HIDDEN_SIZE = 32
SENT_HIDDEN_SIZE = 32
QUERY_HIDDEN_SIZE = 32
BATCH_SIZE = 32
VOCAB = 30


def main(epochs=5):
    stories, queries, answers = _data.babi(n=256, vocab=VOCAB)
    story_maxlen, query_maxlen = stories.shape[1], queries.shape[1]
    x = pad_sequences(stories, maxlen=story_maxlen)
    xq = pad_sequences(queries, maxlen=query_maxlen)
    print("RNN / Embed / Sent / Query =", RNN, EMBED_HIDDEN_SIZE, SENT_HIDDEN_SIZE, QUERY_HIDDEN_SIZE)

    sentence = Input(shape=(story_maxlen,), dtype="int32")
    encoded_sentence = Embedding(VOCAB, EMBED_HIDDEN_SIZE)(sentence)
    encoded_sentence = Dropout(0.3)(encoded_sentence)
    question = Input(shape=(query_maxlen,), dtype="int32")
    encoded_question = Embedding(VOCAB, EMBED_HIDDEN_SIZE)(question)
    encoded_question = Dropout(0.3)(encoded_question)
    encoded_question = RNN(EMBED_HIDDEN_SIZE)(encoded_question)
    encoded_question = RepeatVector(story_maxlen)(encoded_question)
    merged = layers.add([encoded_sentence, encoded_question])
    merged = RNN(EMBED_HIDDEN_SIZE)(merged)
    merged = Dropout(0.3)(merged)
    preds = Dense(VOCAB, activation="softmax")(merged)

    model = Model([sentence, question], preds)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit([x, xq], answers, batch_size=BATCH_SIZE, epochs=epochs,
                        validation_split=0.05, verbose=0)
    loss, acc = model.evaluate([x, xq], answers, batch_size=BATCH_SIZE, verbose=0)
    print(f"Test loss / test accuracy = {loss:.4f} / {acc:.4f}")
    return history.history["loss"]


if __name__ == "__main__":
    main()
