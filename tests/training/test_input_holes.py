"""Inputs a new user passes first: uint8 images, bool features, validation_data as a list, and
outputs that cannot learn what the loss asks (the warnings name the fix)."""

import warnings

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.errors import LaminaWarning


def _digits_model():
    return lamina.Sequential([lamina.Input((8, 8)), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])


def test_uint8_digits_train_as_floats_with_list_validation_data():
    (x, y), (xv, yv) = lamina.datasets.digits.load_data()
    assert x.dtype == np.uint8
    lamina.utils.set_random_seed(0)
    model = _digits_model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=64, validation_data=[xv, yv], verbose=0).history
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    # uint8 and the same values as float32 give the same predictions (the cast is exact).
    np.testing.assert_array_equal(model.predict(xv, verbose=0),
                                  model.predict(xv.astype("float32"), verbose=0))
    val = model.evaluate(xv, yv, verbose=0, return_dict=True)
    assert history["val_loss"][-1] == pytest.approx(val["loss"], rel=1e-5)


def test_validation_data_list_of_three_is_x_y_sample_weight():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 3)).astype("float32"), rng.normal(size=(20, 1)).astype("float32")
    sw = rng.uniform(size=20).astype("float32")
    logs = []
    for vd in ((x, y, sw), [x, y, sw]):
        lamina.utils.set_random_seed(1)
        model = lamina.Sequential([lamina.Input((3,)), layers.Dense(1)])
        model.compile("sgd", "mse")
        logs.append(model.fit(x, y, epochs=1, validation_data=vd, verbose=0).history["val_loss"])
    assert logs[0] == logs[1]
    unweighted = model.evaluate(x, y, verbose=0)
    assert logs[1][0] != pytest.approx(unweighted)  # the weights were used


def test_integer_and_bool_inputs_cast_to_compute_dtype_embedding_excepted():
    dense = layers.Dense(2)
    ints = np.array([[0, 1, 2], [3, 4, 5]], dtype="uint8")
    out = dense(ops.convert_to_tensor(ints))
    assert ops.standardize_dtype(out.dtype) == "float32"
    np.testing.assert_allclose(ops.convert_to_numpy(out),
                               ops.convert_to_numpy(dense(ints.astype("float32"))))
    flags = np.array([[True, False, True]])
    np.testing.assert_allclose(ops.convert_to_numpy(dense(ops.convert_to_tensor(flags))),
                               ops.convert_to_numpy(dense(flags.astype("float32"))))
    seen = []

    class SpyEmbedding(layers.Embedding):
        def call(self, inputs):
            seen.append(ops.standardize_dtype(inputs.dtype))
            return super().call(inputs)

    emb = SpyEmbedding(10, 2)
    wide = ops.convert_to_tensor(np.array([[1, 2]], dtype="int64"))  # int32 under JAX without x64
    emb(wide)
    model = lamina.Sequential([lamina.Input((2,), dtype="int32"), SpyEmbedding(10, 2)])
    model.predict(np.array([[3, 4]], dtype="int32"), verbose=0)
    assert seen == [ops.standardize_dtype(wide.dtype), "int32"]


def test_binary_crossentropy_accuracy_on_softmax_warns():
    (x, y), _ = lamina.datasets.digits.load_data()
    model = _digits_model()
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    with pytest.warns(LaminaWarning) as record:
        model.fit(x[:64], lamina.utils.to_categorical(y[:64], 10), epochs=1, verbose=0)
    assert [str(r.message) for r in record] == [
        "binary_crossentropy does not fit this output: it has 10 units whose values sum to 1 (a "
        "softmax), but binary_crossentropy scores each unit as a separate yes/no question, and "
        "'accuracy' then becomes BinaryAccuracy over all units (a 10-way softmax that predicts "
        "nothing scores 0.90). For one class per sample use loss='categorical_crossentropy' "
        "(one-hot labels) or 'sparse_categorical_crossentropy' (integer labels); for several "
        "independent labels use activation='sigmoid'."]


def test_binary_crossentropy_on_sigmoid_units_does_not_warn():
    rng = np.random.default_rng(0)
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(rng.normal(size=(16, 4)).astype("float32"),
                  (rng.uniform(size=(16, 3)) > 0.5).astype("float32"), verbose=0)


def test_softmax_over_one_unit_warns_at_build():
    fix = ("the result is always 1.0 and the layer cannot learn. For two classes use "
           "Dense(1, activation='sigmoid') with binary_crossentropy, or Dense(2, "
           "activation='softmax') with (sparse_)categorical_crossentropy.")
    with pytest.warns(LaminaWarning) as record:
        lamina.Sequential([lamina.Input((4,)), layers.Dense(1, activation="softmax", name="out")])
    assert str(record[0].message) == (
        "Layer 'out' (Dense) applies softmax over its output, which has a single unit: " + fix)
    with pytest.warns(LaminaWarning, match=r"Layer 'act' \(Activation\) applies softmax over its "
                                           r"last axis, which has a single unit"):
        layers.Activation("softmax", name="act")(lamina.Input((1,)))
    with pytest.warns(LaminaWarning, match=r"Layer 'sm' \(Softmax\) applies softmax over axis -1"):
        layers.Softmax(name="sm")(lamina.Input((5, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layers.Dense(2, activation="softmax")(lamina.Input((4,)))
        layers.Dense(1, activation="sigmoid")(lamina.Input((4,)))
        layers.Softmax(axis=1)(lamina.Input((5, 1)))
