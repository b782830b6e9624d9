"""README's "Not supported yet" list is kept in step with the code: each item is named there and
refused here with an error that says it is not supported."""

import pathlib

import numpy as np
import pytest
import torch

import lamina
from lamina import layers

README = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Not supported yet", 1)[1].split("\n## ", 1)[0]


def _model():
    return lamina.Sequential([lamina.Input((2,)), layers.Dense(1)])


CASES = {
    "`save_format='tf'`": (ValueError, "not supported by lamina",
                           lambda tmp: _model().save(tmp / "m", save_format="tf")),
    "`save_weights(max_shard_size=...)`": (
        NotImplementedError, "not supported by lamina yet",
        lambda tmp: _model().save_weights(tmp / "w.weights.h5", max_shard_size="1GB")),
    "`Dense(lora_rank=...)`": (NotImplementedError, "not supported by lamina yet",
                               lambda tmp: layers.Dense(1, lora_rank=4)),
    "`quantization_config=`": (NotImplementedError, "not supported by lamina yet",
                               lambda tmp: layers.Dense(1, quantization_config={"mode": "int8"})),
    "`BatchNormalization(renorm=True)`": (
        NotImplementedError, "not supported by lamina",
        lambda tmp: layers.BatchNormalization(renorm=True)),
    "`ModelParallel`": (NotImplementedError, "FSDP2",
                        lambda tmp: lamina.distribution.ModelParallel(layout_map=None)),
    "`IterableDataset` passed to `fit` directly": (
        ValueError, "Wrap it in a DataLoader", lambda tmp: _fit_iterable()),
}


def _fit_iterable():
    class Stream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter([])

    model = _model()
    model.compile("sgd", "mse")
    model.fit(Stream(), verbose=0)


# torch's own objects (a torch IterableDataset) are refused by the torch backend's data adapter.
_TORCH_ITEMS = {"`IterableDataset` passed to `fit` directly"}


@pytest.mark.parametrize("item", [pytest.param(i, marks=pytest.mark.torch_only) if i in _TORCH_ITEMS else i
                                  for i in sorted(CASES)])
def test_each_listed_item_is_refused(item, tmp_path):
    assert item in " ".join(SECTION.split()), f"{item} is no longer in README's list"
    error, message, action = CASES[item]
    with pytest.raises(error, match=message):
        action(tmp_path)


@pytest.mark.torch_only  # torch.autocast around fit
def test_float16_autocast_is_refused():
    assert "float16 is refused" in SECTION
    model = _model()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="float16 training needs loss scaling"):
        with torch.autocast("cpu", dtype=torch.float16):
            model.fit(np.zeros((2, 2), "float32"), np.zeros((2, 1), "float32"), verbose=0)
