"""``audio_dataset_from_directory``: a folder of class subfolders of ``.wav`` files as a lazy Dataset."""

from __future__ import annotations

import wave

import numpy as np

from lamina.utils import dataset_utils

__all__ = ["audio_dataset_from_directory", "read_wav"]

_SCALE = {1: (np.uint8, 128.0, 128.0), 2: (np.dtype("<i2"), 0.0, 32768.0), 4: (np.dtype("<i4"), 0.0, 2147483648.0)}


def read_wav(path):
    """A PCM ``.wav`` file as ``(float32 samples (time, channels) in [-1, 1], sampling rate)`` (stdlib ``wave``)."""
    try:
        with wave.open(str(path), "rb") as f:
            width, channels, rate = f.getsampwidth(), f.getnchannels(), f.getframerate()
            raw = f.readframes(f.getnframes())
    except (wave.Error, EOFError) as e:
        raise ValueError(
            f"audio_dataset_from_directory: cannot read '{path}' as a PCM wav file ({e}). Only uncompressed "
            "8/16/32-bit PCM wav is supported; convert other files first (e.g. with ffmpeg or soundfile)."
        ) from None
    if width not in _SCALE:
        raise ValueError(f"audio_dataset_from_directory: '{path}' has {8 * width}-bit samples; 8, 16 or 32-bit PCM is supported.")
    dtype, offset, scale = _SCALE[width]
    samples = (np.frombuffer(raw, dtype=dtype).astype(np.float32) - offset) / scale
    return samples.reshape(-1, channels), rate


def _pad_batch(waves):
    longest = max(w.shape[0] for w in waves)
    out = np.zeros((len(waves), longest, waves[0].shape[1]), dtype=np.float32)
    for i, w in enumerate(waves):
        out[i, :w.shape[0]] = w
    return out


def _ragged_batch(waves):
    out = np.empty(len(waves), dtype=object)
    out[:] = waves
    return out


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                 sampling_rate=None, output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None, follow_links=False, verbose=True,
                                 workers=None):
    """Loads a folder of ``.wav`` files, one subfolder per class, as a Dataset of ``(audio, labels)`` batches.

    Files, labels and the split follow Keras's rules (see ``image_dataset_from_directory``). Each
    file is decoded with Python's ``wave`` module into float32 in [-1, 1] of shape ``(time, channels)``;
    a batch is zero-padded to its longest clip (or to ``output_sequence_length``).

    Args:
        directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split,
            subset, follow_links, verbose: as in ``image_dataset_from_directory``.
        sampling_rate: the expected sampling rate; a file with another rate raises a ValueError
            (lamina does not resample). None accepts any rate.
        output_sequence_length: cut or zero-pad every clip to this many samples.
        ragged: yield each batch as an object array of clips of their own lengths instead of padding.
        workers: decoding threads (lamina's addition).

    Returns:
        A ``lamina.utils.Dataset`` with ``class_names`` and ``file_paths``; ``[train, validation]`` for
        ``subset='both'``.

    Example:

    >>> train = audio_dataset_from_directory("speech_commands", output_sequence_length=16000)  # doctest: +SKIP
    """
    what = "audio_dataset_from_directory"
    if ragged and output_sequence_length is not None:
        raise ValueError(f"{what}: pass either ragged=True or output_sequence_length, not both.")

    def load(path):
        samples, rate = read_wav(path)
        if sampling_rate is not None and rate != sampling_rate:
            raise ValueError(
                f"{what}: '{path}' is sampled at {rate} Hz, not sampling_rate={sampling_rate}. lamina does not "
                "resample audio; resample the files first or pass sampling_rate=None."
            )
        if output_sequence_length is not None:
            samples = samples[:output_sequence_length]
            if len(samples) < output_sequence_length:
                samples = np.pad(samples, [(0, output_sequence_length - len(samples)), (0, 0)])
        return samples

    return dataset_utils.directory_dataset(what, directory, (".wav",), load, labels, label_mode, class_names,
                                           batch_size, shuffle, seed, validation_split, subset, follow_links,
                                           verbose, workers, collate=_ragged_batch if ragged else _pad_batch)
