"""ops.ctc_decode(strategy="beam_search") on both backends: against Keras 3's beam search (torch
backend) on random logits, with several beam widths, top_paths and blank indices, and against an
exhaustive sum over every alignment (with a beam wide enough to keep every prefix the search is
exact: the top paths are the most probable label sequences and their log probabilities are the
log of the summed alignment probabilities)."""

import itertools

import numpy as np
import pytest

import lamina
from lamina import ops
from tests.keras3 import keras3


def _decode(x, lengths, **kw):
    paths, scores = ops.ctc_decode(x, lengths, strategy="beam_search", **kw)
    return ops.convert_to_numpy(paths), ops.convert_to_numpy(scores)


@pytest.mark.parametrize("beam_width,top_paths", [(1, 1), (2, 2), (4, 3), (10, 5), (100, 2)])
def test_matches_keras_beam_search_on_random_logits(beam_width, top_paths):
    keras = keras3()
    rng = np.random.default_rng(beam_width * 10 + top_paths)
    compared = 0
    for batch, time, classes in [(3, 7, 5), (2, 12, 8), (1, 3, 2), (4, 6, 12)]:
        x = (rng.normal(size=(batch, time, classes)) * rng.choice([0.5, 2.0, 4.0])).astype("float32")
        lengths = rng.integers(1, time + 1, size=batch).astype("int32")
        lengths[0] = time
        for mask_index in (0, classes - 1, None):
            kw = dict(beam_width=beam_width, top_paths=top_paths, mask_index=mask_index)
            kp, ks = keras.ops.ctc_decode(x, lengths, strategy="beam_search", **kw)
            kp, ks = kp.detach().cpu().numpy(), ks.detach().cpu().numpy()
            lp, ls = _decode(x, lengths, **kw)
            assert lp.dtype == np.int32 and ls.dtype == np.float32
            assert lp.shape == kp.shape == (top_paths, batch, time) and ls.shape == ks.shape
            np.testing.assert_array_equal(lp, kp)
            np.testing.assert_array_equal(np.isfinite(ls), np.isfinite(ks))
            np.testing.assert_allclose(ls[np.isfinite(ks)], ks[np.isfinite(ks)], rtol=1e-5, atol=1e-5)
            compared += int(np.isfinite(ks).sum())
    assert compared > 0


def _exact(logp, blank):
    """{label sequence: probability} summed over every alignment (each frame's class)."""
    probs = {}
    for alignment in itertools.product(range(logp.shape[1]), repeat=logp.shape[0]):
        merged = [c for i, c in enumerate(alignment) if i == 0 or c != alignment[i - 1]]
        labels = tuple(c for c in merged if c != blank)
        p = np.exp(sum(logp[t, c] for t, c in enumerate(alignment)))
        probs[labels] = probs.get(labels, 0.0) + p
    return probs


@pytest.mark.parametrize("blank", [0, 2])
def test_a_wide_beam_gives_the_exact_most_probable_sequences(blank):
    rng = np.random.default_rng(blank)
    x = rng.normal(size=(2, 5, 3)).astype("float64") * 1.5
    lengths = np.array([5, 3], "int32")
    paths, scores = _decode(x.astype("float32"), lengths, beam_width=64, top_paths=4, mask_index=blank)
    for b in range(2):
        t = lengths[b]
        logp = x[b, :t] - np.log(np.exp(x[b, :t]).sum(-1, keepdims=True))
        exact = sorted(_exact(logp, blank).items(), key=lambda kv: -kv[1])[:4]
        got = [tuple(int(c) for c in paths[k, b] if c != -1) for k in range(4)]
        assert got == [seq for seq, _ in exact]
        np.testing.assert_allclose(scores[b], np.log([p for _, p in exact]), rtol=1e-5)
        assert (paths[:, b, t:] == -1).all()


def test_repeats_merge_only_without_a_blank_between():
    """Frames a, a -> 'a'; a, blank, a -> 'a a' (blank 0): a certain path decodes exactly."""
    big = 30.0
    def onehots(ids):
        x = np.full((1, len(ids), 3), -big, "float32")
        x[0, np.arange(len(ids)), ids] = big
        return x

    paths, scores = _decode(onehots([1, 1, 2, 2]), np.array([4]), beam_width=3, top_paths=1)
    assert paths[0, 0].tolist() == [1, 2, -1, -1] and abs(float(scores[0, 0])) < 1e-4
    paths, _ = _decode(onehots([1, 0, 1, 0]), np.array([4]), beam_width=3, top_paths=1)
    assert paths[0, 0].tolist() == [1, 1, -1, -1]


def test_bad_arguments_name_the_fix():
    x = np.zeros((1, 4, 3), "float32")
    lengths = np.array([4])
    with pytest.raises(ValueError, match="Did you mean 'beam_search'"):
        ops.ctc_decode(x, lengths, strategy="beam_serch")
    with pytest.raises(ValueError, match=r"top_paths \(3\) cannot exceed beam_width \(2\)"):
        ops.ctc_decode(x, lengths, strategy="beam_search", beam_width=2, top_paths=3)
    with pytest.raises(ValueError, match="mask_index 5 is out of range for 3 classes"):
        ops.ctc_decode(x, lengths, strategy="beam_search", mask_index=5)
    with pytest.raises(ValueError, match="beam_width must be a positive int"):
        ops.ctc_decode(x, lengths, strategy="beam_search", beam_width=0)


def test_under_jax_jit_beam_search_says_it_runs_on_the_host():
    if lamina.backend.backend() != "jax":
        pytest.skip("jax.jit exists under the JAX backend only")
    import jax

    x = np.zeros((1, 4, 3), "float32")
    with pytest.raises(ValueError, match="cannot run inside jax.jit"):
        jax.jit(lambda a: ops.ctc_decode(a, np.array([4]), strategy="beam_search"))(x)
    paths, _ = ops.ctc_decode(x, np.array([4]), strategy="beam_search")  # eagerly it works
    assert tuple(paths.shape) == (1, 1, 4)


def test_keras2_ctc_decode_beam_search_takes_probabilities_with_the_blank_last():
    """K.ctc_decode(y_pred, lengths, greedy=False): beam search over log(y_pred + epsilon) with
    the last class as the blank, then TensorFlow 1's merge of equal consecutive labels."""
    from lamina.backend import legacy as K

    rng = np.random.default_rng(3)
    logits = rng.normal(size=(2, 5, 3)) * 1.5
    probs = (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype("float32")
    decoded, log_prob = K.ctc_decode(probs, np.array([5, 4]), greedy=False, beam_width=64, top_paths=3)
    assert len(decoded) == 3 and tuple(ops.convert_to_numpy(log_prob).shape) == (2, 3)
    for b, t in enumerate([5, 4]):
        logp = np.log(probs[b, :t].astype("float64") + lamina.config.epsilon())
        logp -= np.log(np.exp(logp).sum(-1, keepdims=True))
        exact = sorted(_exact(logp, 2).items(), key=lambda kv: -kv[1])[:3]
        for k, (seq, p) in enumerate(exact):
            merged = [c for i, c in enumerate(seq) if i == 0 or c != seq[i - 1]]
            row = ops.convert_to_numpy(decoded[k])[b]
            assert row[:len(merged)].tolist() == merged and (row[len(merged):] == -1).all()
            np.testing.assert_allclose(ops.convert_to_numpy(log_prob)[b, k], np.log(p), rtol=1e-4)
    # a certain 'a blank a' path: beam search keeps 'a a', Keras 2's decoder merges it to 'a'
    sure = np.full((1, 3, 3), 1e-6, "float32")
    sure[0, [0, 1, 2], [1, 2, 1]] = 1.0
    decoded, _ = K.ctc_decode(sure, np.array([3]), greedy=False, beam_width=4)
    assert ops.convert_to_numpy(decoded[0]).tolist() == [[1, -1, -1]]
