"""verbose=1 in a Jupyter notebook: one tqdm widget per epoch that ends showing every metric."""

import numpy as np
import pytest

import lamina
from lamina.callbacks import progress_display
from lamina.callbacks.progbar_logger import format_value

pytest.importorskip("ipywidgets")


def test_one_widget_per_epoch_with_all_metrics(monkeypatch, capsys):
    from tqdm.notebook import tqdm as notebook_tqdm

    widgets = []
    original = progress_display.NotebookDisplay.__init__

    def record(self, *args, **kwargs):
        original(self, *args, **kwargs)
        widgets.append(self.bar)

    monkeypatch.setattr(progress_display, "in_notebook", lambda: True)
    monkeypatch.setattr(progress_display.NotebookDisplay, "__init__", record)
    x = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=10, validation_split=0.5, verbose=1).history
    capsys.readouterr()
    assert len(widgets) == 3
    for epoch, bar in enumerate(widgets):
        assert isinstance(bar, notebook_tqdm)
        assert bar.desc == f"Epoch {epoch + 1}/3"
        assert bar.n == bar.total == 2
        for name, values in history.items():
            assert f"{name}: {format_value(values[epoch])}" in bar.postfix
        assert bar.disable or bar.container.children[1].bar_style == "success"


def test_not_a_notebook_without_a_jupyter_kernel(monkeypatch):
    assert progress_display.in_notebook() is False
    monkeypatch.setitem(__import__("sys").modules, "ipykernel", object())
    assert progress_display.in_notebook() is False  # IPython has no running kernel app
