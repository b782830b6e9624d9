"""The ``assets/`` folder of a ``.keras`` archive: files that layers write with ``save_assets``
(vocabularies), stored at ``assets/<object path>/<file>`` where the object path is the one its
weights use (``layers/string_lookup``), as Keras 3's saving_lib does.

Loading extracts only the plain files directly under an object's own folder, with checked
names and sizes, into a temporary folder that the object's ``load_assets`` reads as data; an
archive never makes lamina run code.
"""

from __future__ import annotations

import os
import tempfile

ASSETS = "assets"
MAX_ASSET_BYTES = 1 << 30


def _owners(model, method):
    from lamina.saving.weights_store import saveable_entries

    return [(path, obj) for path, obj in saveable_entries(model, include_optimizer=False)
            if callable(getattr(obj, method, None))]


def write_assets(model, zf):
    """Call ``save_assets(folder)`` on every object that has it and store what it wrote."""
    for path, obj in _owners(model, "save_assets"):
        with tempfile.TemporaryDirectory(prefix="lamina-assets-") as folder:
            obj.save_assets(folder)
            for root, _, files in os.walk(folder):
                for name in sorted(files):
                    full = os.path.join(root, name)
                    rel = os.path.relpath(full, folder).replace(os.sep, "/")
                    zf.write(full, "/".join(p for p in (ASSETS, path, rel) if p))


def read_assets(model, zf, filepath):
    """Hand every object with ``load_assets`` the files stored for it (objects with none stored
    are left as they are, e.g. a lookup whose vocabulary is in its config)."""
    from lamina.errors import UnsafeLoadError

    names = zf.namelist()
    for path, obj in _owners(model, "load_assets"):
        prefix = "/".join(p for p in (ASSETS, path) if p) + "/"
        members = [n for n in names if n.startswith(prefix) and n != prefix]
        files = [n for n in members if "/" not in n[len(prefix):]]
        if not files:
            continue
        with tempfile.TemporaryDirectory(prefix="lamina-assets-") as folder:
            for name in files:
                leaf = name[len(prefix):]
                if leaf in (".", "..") or "\\" in leaf or leaf.startswith("~"):
                    raise UnsafeLoadError(f"the archive has an asset with an unsafe name {name!r}.", filepath)
                info = zf.getinfo(name)
                if info.file_size > MAX_ASSET_BYTES:
                    raise UnsafeLoadError(f"the asset '{name}' declares {info.file_size} bytes, more than "
                                          f"lamina reads ({MAX_ASSET_BYTES}).", filepath)
                with zf.open(info) as src, open(os.path.join(folder, leaf), "wb") as out:
                    out.write(src.read(MAX_ASSET_BYTES + 1))
            obj.load_assets(folder)
