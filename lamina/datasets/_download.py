"""Where the public data sets are downloaded from, and one helper that fetches and verifies them.

Set ``LAMINA_DATASETS_MIRROR`` to a base URL (e.g. an internal mirror, or a local server in tests)
to download every file from ``<mirror>/<file name>`` instead of its public origin; the known hashes
are still checked.
"""

from __future__ import annotations

import os

from lamina.utils.file_utils import get_file

MIRROR_ENV = "LAMINA_DATASETS_MIRROR"
KERAS_BUCKET = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def fetch(origin, file_hash, fname=None, **kwargs):
    """``get_file`` for a data set file: the mirror (if set) replaces the origin's folder."""
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        origin = mirror.rstrip("/") + "/" + origin.rsplit("/", 1)[1]
    return get_file(fname=fname, origin=origin, file_hash=file_hash, **kwargs)


def check_test_split(what, test_split):
    if isinstance(test_split, bool) or not 0 <= test_split < 1:
        raise ValueError(
            f"{what}.load_data: test_split must be a fraction in [0, 1); received {test_split!r}."
        )
