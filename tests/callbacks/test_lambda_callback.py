import pytest

from lamina.callbacks import LambdaCallback


def test_hooks_receive_the_keras_arguments(model, fit):
    events = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: events.append(("train_begin",)),
        on_epoch_begin=lambda epoch, logs: events.append(("epoch_begin", epoch)),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, logs["loss"])),
        on_batch_begin=lambda batch, logs: events.append(("batch_begin", batch)),
        on_test_end=lambda logs: events.append(("test_end", logs["loss"])),
        on_train_end=lambda logs: events.append(("train_end",)),
    )
    fit(model, [cb], epochs=1, steps=2)
    assert events == [
        ("train_begin",), ("epoch_begin", 0), ("batch_begin", 0), ("batch_begin", 1),
        ("test_end", 2.0), ("epoch_end", 0, 1.0), ("train_end",),
    ]


def test_unknown_hook_suggests_the_right_one():
    with pytest.raises(TypeError, match="'on_epoch_ends'.*Did you mean 'on_epoch_end'"):
        LambdaCallback(on_epoch_ends=print)
    with pytest.raises(TypeError, match="must be a function"):
        LambdaCallback(on_epoch_end=3)
