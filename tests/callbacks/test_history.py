from lamina.callbacks import History


def test_records_epoch_logs_and_sets_model_history(model):
    h = History()
    h.set_model(model)
    h.set_params({"epochs": 2, "steps": 3, "verbose": 0})
    h.on_train_begin()
    h.on_epoch_end(0, {"loss": 1.0, "val_loss": 1.5})
    h.on_epoch_end(1, {"loss": 0.5, "val_loss": 1.0, "learning_rate": 0.01})
    assert h.history == {"loss": [1.0, 0.5], "val_loss": [1.5, 1.0], "learning_rate": [0.01]}
    assert h.epoch == [0, 1] and h.params["epochs"] == 2
    assert model.history is h
