"""The program corpus: Keras 2 example-style and Keras 3 gallery-style programs run to the end
with ``import lamina as keras`` and their training loss goes down.

Each program's ``main()`` returns the per-epoch training losses. Programs that take more than a
few seconds are marked slow (``pytest -m slow`` runs them).
"""

import importlib
import math

import pytest

import lamina

# Fast enough for the default run (about a second each on an idle 2-core machine).
FAST = ["mnist_mlp", "antirectifier", "reuters_mlp", "imdb_fasttext", "custom_train_step",
        "custom_callbacks"]
SLOW = ["mnist_cnn", "mnist_irnn", "mnist_hierarchical_rnn", "imdb_lstm", "imdb_cnn",
        "imdb_bidirectional_lstm", "cifar10_cnn", "addition_rnn", "lstm_seq2seq",
        "lstm_text_generation", "babi_rnn", "mnist_transfer_cnn", "gan", "vae", "distillation",
        "text_classification", "transformer_classification", "timeseries_classification",
        "siamese_contrastive", "variational_autoencoder", "mnist_siamese", "reuters_tokenizer",
        "cifar10_augmentation", "filter_visualization", "timeseries_generator", "conv_lstm"]
# Programs written against Keras 2's backend API (K.square, K.random_normal...).
NEEDS_K = {"variational_autoencoder", "mnist_siamese", "filter_visualization"}


def _run(name):
    if name in NEEDS_K and not hasattr(lamina.backend, "random_normal"):
        pytest.skip("needs Keras 2's backend API (K.*) in lamina.backend")
    module = importlib.import_module(f"tests.programs.{name}")
    losses = module.main()
    assert len(losses) >= 2 and all(math.isfinite(v) for v in losses), losses
    assert losses[-1] < losses[0], f"{name}: the loss did not go down: {losses}"


@pytest.mark.filterwarnings("ignore::lamina.errors.LaminaDeprecationWarning")
@pytest.mark.parametrize("name", FAST)
def test_program(name):
    _run(name)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::lamina.errors.LaminaDeprecationWarning")
@pytest.mark.parametrize("name", SLOW)
def test_slow_program(name):
    _run(name)


def test_every_program_is_listed():
    import pathlib

    here = pathlib.Path(__file__).parent
    found = {p.stem for p in here.glob("*.py") if not p.stem.startswith(("_", "test_"))}
    assert found == set(FAST) | set(SLOW)
