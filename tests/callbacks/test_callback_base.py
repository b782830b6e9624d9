import pytest

from lamina.callbacks import Callback, CallbackList, History, LambdaCallback, ProgbarLogger
from lamina.callbacks.callback import overrides


def test_default_train_batch_hooks_route_to_keras1_names():
    seen = []

    class Old(Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch, logs))

        def on_batch_end(self, batch, logs=None):
            seen.append(("end", batch, logs))

    cb = Old()
    cb.on_train_batch_begin(3)
    cb.on_train_batch_end(3, {"loss": 1.0})
    cb.on_test_batch_end(0, {"loss": 2.0})  # not routed
    assert seen == [("begin", 3, None), ("end", 3, {"loss": 1.0})]


def test_every_keras_hook_exists_and_does_nothing_by_default():
    cb = Callback()
    for name in ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
                 "on_predict_begin", "on_predict_end"):
        assert getattr(cb, name)({}) is None
    for name in ("on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end",
                 "on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                 "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end"):
        assert getattr(cb, name)(0, {}) is None
    assert cb.model is None and cb.params == {}


def test_set_model_and_params(model):
    cb = Callback()
    cb.set_model(model)
    cb.set_params({"epochs": 3})
    assert cb.model is model and cb.params == {"epochs": 3}


def test_subclass_without_super_init_still_has_model_and_params():
    class NoInit(Callback):
        def __init__(self):
            pass

    cb = NoInit()
    assert cb.model is None and dict(cb.params) == {}


def test_overrides_sees_class_methods_and_instance_functions():
    class A(Callback):
        def on_batch_end(self, batch, logs=None):
            pass

    assert overrides(A(), "on_train_batch_end", "on_batch_end")
    assert not overrides(A(), "on_test_batch_end")
    assert not overrides(History(), "on_train_batch_end", "on_batch_end")
    assert overrides(ProgbarLogger(), "on_train_batch_end")
    assert overrides(LambdaCallback(on_train_batch_end=lambda b, l: None), "on_train_batch_end")
    assert not overrides(LambdaCallback(on_epoch_end=lambda e, l: None), "on_train_batch_end")


def test_callback_list_rejects_a_class_with_a_fix():
    with pytest.raises(TypeError, match=r"class History itself.*History\(\.\.\.\)"):
        CallbackList([History])
    with pytest.raises(TypeError, match="LambdaCallback"):
        CallbackList([print])
