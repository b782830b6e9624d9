"""The classic Keras mnist_mlp example (Dense 512-512-10, dropout, RMSprop), on the bundled
digits so that it runs offline. Written the way Keras 2 tutorials write it."""

from lamina.datasets import digits
from lamina.layers import Dense, Dropout
from lamina.models import Sequential
from lamina.optimizers import RMSprop
from lamina.utils import set_random_seed, to_categorical

batch_size, num_classes, epochs = 128, 10, 20
set_random_seed(0)
(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype("float32") / 16
x_test = x_test.reshape(-1, 64).astype("float32") / 16
y_train, y_test = to_categorical(y_train, num_classes), to_categorical(y_test, num_classes)

model = Sequential()
model.add(Dense(512, activation="relu", input_shape=(64,)))
model.add(Dropout(0.2))
model.add(Dense(512, activation="relu"))
model.add(Dropout(0.2))
model.add(Dense(num_classes, activation="softmax"))
model.summary()
model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2,
          validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
