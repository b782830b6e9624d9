"""history.plot() / lamina.utils.plot_history draw the History's numbers (matplotlib, Agg)."""

import sys

import numpy as np
import pytest

import lamina as keras

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def history():
    rng = np.random.RandomState(0)
    x = rng.rand(60, 3).astype("float32")
    y = (x.sum(1) > 1.5).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model.fit(x, y, epochs=4, validation_split=0.25, verbose=0)


def _lines(ax):
    return {line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in ax.get_lines()}


def test_history_plot_draws_train_and_validation_curves(history):
    fig = history.plot()
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    for ax in axes:
        name = ax.get_title()
        lines = _lines(ax)
        assert lines["train"] == ([1, 2, 3, 4], history.history[name])
        assert lines["validation"] == ([1, 2, 3, 4], history.history["val_" + name])
    plt.close(fig)


def test_plot_history_from_a_dict_to_a_file(tmp_path):
    logs = {"accuracy": [0.5, 0.7], "loss": [1.0, 0.4], "learning_rate": [0.1, 0.05]}
    fig = keras.utils.plot_history(logs, metrics=["loss", "learning_rate"], to_file=tmp_path / "c.png",
                                   log_scale=["loss"])
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == ["loss", "learning_rate"]
    assert fig.axes[0].get_yscale() == "log" and "validation" not in _lines(fig.axes[0])
    assert open(tmp_path / "c.png", "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    plt.close(fig)


def test_unknown_metric_name_suggests_the_logged_one(history):
    with pytest.raises(ValueError, match=r"\['acuracy'\] were not logged; the history has \['loss', 'accuracy'\]"
                                         r".*accuracy"):
        history.plot(metrics=["acuracy"])


def test_empty_history_is_refused():
    with pytest.raises(ValueError, match="no recorded epochs"):
        keras.utils.plot_history(keras.callbacks.History())


def test_missing_matplotlib_names_the_install(history, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install matplotlib \(or pip install 'lamina\[plot\]'\)"):
        history.plot()
