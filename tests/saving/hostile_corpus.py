"""Generate a corpus of hostile model and weights files, and the loader the tests run on it.

Run ``python tests/saving/hostile_corpus.py OUT`` to write the files and ``OUT/manifest.json``;
``python tests/saving/hostile_corpus.py OUT --load`` loads every file in this process and prints
one JSON line per file (error type, message, peak memory), which the test runs in a child
process. Every payload a file carries writes ``OUT/PAYLOAD_RAN``: if it exists after the loads,
some file made lamina run code.

The files (each a pattern seen in real attacks or a damaged file in the wild):

- call chains without bytecode (CVE-2025-9906 pattern): a Lambda whose ``function`` is a
  reference to ``load_model`` (with ``safe_mode: false`` in its arguments and the path of a file
  holding a bytecode lambda passed through ``inbound_nodes``), or to ``save_model`` (overwriting a
  file); references to private names, ``os.system``, ``__class__``; objects passed in
  ``inbound_nodes`` or Lambda ``arguments``; the same chain in the compile config;
- bombs: a config.json or model.weights.h5 that inflates to 64-100 MB (past the limits), a tiny weights file
  declaring a (24000, 24000) kernel, a ``__numpy__`` value of dtype ``(20000,20000)f4``;
- HDF5 that reads other files: external storage, external links, soft links, virtual datasets;
- damage: wrong JSON types, no class_name, deep nesting, a layer config instead of a model,
  string-typed weights, a flipped bit in a weight (SHA-256), truncated files.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile

import numpy as np

MARKER = "PAYLOAD_RAN"


def reference_model():
    import lamina

    return lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(3), lamina.layers.Dense(2)],
                             name="reference")


# ---------------------------------------------------------------------------------------------
def _archive_members(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _write_archive(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data if isinstance(data, bytes) else json.dumps(data))


def _functional(layers, output):
    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "registered_name": "Functional",
            "config": {"name": "evil", "trainable": True, "layers": layers,
                       "input_layers": [["input_layer", 0, 0]], "output_layers": [[output, 0, 0]]}}


def _input():
    return {"module": "keras.layers", "class_name": "InputLayer", "name": "input_layer",
            "config": {"batch_shape": [None, 4], "dtype": "float32", "name": "input_layer"},
            "inbound_nodes": []}


def _tensor(name):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": [None, 4], "dtype": "float32", "keras_history": [name, 0, 0]}}


def _lambda(name, function, arguments=None, args=None):
    return {"module": "keras.layers", "class_name": "Lambda", "name": name,
            "config": {"name": name, "function": function, "arguments": arguments or {},
                       "output_shape": None},
            "inbound_nodes": [{"args": args if args is not None else [_tensor("input_layer")], "kwargs": {}}]}


def _ref(module, name):
    return {"module": module, "class_name": "function", "config": name, "registered_name": None}


def _bytecode_lambda_archive(path, marker):
    """A .keras file whose Lambda's bytecode writes the marker (the payload of the chains)."""
    import base64
    import marshal

    code = compile(f"lambda x: (open({marker!r}, 'w').write('ran'), x)[1]", "<payload>", "eval")
    fn_code = next(c for c in code.co_consts if hasattr(c, "co_code"))
    function = {"class_name": "__lambda__", "config": {
        "code": base64.b64encode(marshal.dumps(fn_code)).decode("ascii"), "defaults": None,
        "closure": None}}
    config = _functional([_input(), _lambda("payload", function)], "payload")
    _write_archive(path, {"metadata.json": {"keras_version": "3.15.1"}, "config.json": config})


def _weights_variant(src, dst, edit):
    import h5py

    data = open(src, "rb").read()
    with open(dst, "wb") as f:
        f.write(data)
    with h5py.File(dst, "r+") as f:
        edit(f)


def generate(out):
    """Write the corpus into ``out``; returns the manifest (also written as manifest.json)."""
    import h5py

    import lamina

    os.makedirs(out, exist_ok=True)
    marker = os.path.join(out, MARKER)
    model = reference_model()
    good_keras = os.path.join(out, "good.keras")
    good_weights = os.path.join(out, "good.weights.h5")
    good_h5 = os.path.join(out, "good.h5")
    model.save(good_keras)
    model.save_weights(good_weights)
    model.save(good_h5)
    members = _archive_members(good_keras)
    cases = []

    def case(name, kind, error, pattern):
        cases.append({"file": name, "kind": kind, "error": error, "pattern": pattern})

    def keras_with_config(name, config, error, pattern, extra=None):
        m = dict(members)
        m["config.json"] = config if isinstance(config, bytes) else json.dumps(config).encode()
        m.update(extra or {})
        _write_archive(os.path.join(out, name), m)
        case(name, "model", error, pattern)

    # -- call chains without bytecode ------------------------------------------------------
    inner = os.path.join(out, "payload_bytecode.keras")
    _bytecode_lambda_archive(inner, marker)
    case("payload_bytecode.keras", "model", "UnsafeLoadError", "bytecode.*safe_mode=False")
    chain = _functional([_input(), _lambda("chain", _ref("keras.saving", "load_model"),
                                           {"safe_mode": False}, args=[inner])], "chain")
    keras_with_config("chain_load_model.keras", chain, "UnsafeLoadError", "'load_model'")
    chain = _functional([_input(), _lambda("chain", _ref("keras.models", "load_model"),
                                           {"safe_mode": False}, args=[inner])], "chain")
    keras_with_config("chain_load_model_models.keras", chain, "UnsafeLoadError", "'load_model'")
    chain = _functional([_input(), _lambda("chain", _ref("keras.saving", "save_model"),
                                           {"filepath": marker})], "chain")
    keras_with_config("chain_save_model.keras", chain, "UnsafeLoadError", "'save_model'")
    chain = _functional([_input(), _lambda("chain", _ref("os", "system"),
                                           args=[f"touch {marker}"])], "chain")
    keras_with_config("chain_os_system.keras", chain, "UnsafeLoadError", "'system'")
    chain = _functional([_input(), _lambda("chain", _ref("builtins", "__import__"),
                                           args=["os"])], "chain")
    keras_with_config("function_private_name.keras", chain, "UnsafeLoadError", "'__import__'")
    dunder = _functional([_input(), {"module": "keras.layers", "class_name": "__class__",
                                     "name": "d", "config": {}, "inbound_nodes": []}], "input_layer")
    keras_with_config("class_dunder.keras", dunder, "UnsafeLoadError", "'__class__'")
    layer_obj = {"module": "keras.layers", "class_name": "Dense", "config": {"units": 1}}
    inbound = _functional([_input(), _lambda("obj", _ref("keras.activations", "relu"),
                                             args=[_tensor("input_layer"), layer_obj])], "obj")
    keras_with_config("inbound_object.keras", inbound, "UnsafeLoadError",
                      "inbound_nodes.*'Dense' object")
    args = _functional([_input(), _lambda("arg", _ref("keras.activations", "relu"),
                                          {"max_value": _ref("keras.saving", "load_model")})], "arg")
    keras_with_config("lambda_arguments_object.keras", args, "UnsafeLoadError",
                      "arguments of Lambda 'arg'.*'function' object")
    compiled = json.loads(members["config.json"])
    compiled["compile_config"] = {"optimizer": "sgd", "loss": _ref("keras.saving", "load_model"),
                                  "metrics": None}
    keras_with_config("compile_chain.keras", compiled, "UnsafeLoadError", "'load_model'")

    # -- bombs --------------------------------------------------------------------------------
    with zipfile.ZipFile(os.path.join(out, "config_bomb.keras"), "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", members["metadata.json"])
        with zf.open("config.json", "w", force_zip64=True) as f:
            f.write(b'{"class_name": "Sequential", "config": {"layers": []}, "pad": "')
            block = b" " * (1 << 20)
            for _ in range(64):
                f.write(block)
            f.write(b'"}')
        zf.writestr("model.weights.h5", members["model.weights.h5"])
    case("config_bomb.keras", "model", "UnsafeLoadError", "config.json.*declares")
    with zipfile.ZipFile(os.path.join(out, "weights_bomb.keras"), "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", members["metadata.json"])
        zf.writestr("config.json", members["config.json"])
        with zf.open("model.weights.h5", "w", force_zip64=True) as f:
            f.write(members["model.weights.h5"])
            block = bytes(1 << 20)
            for _ in range(100):
                f.write(block)
    case("weights_bomb.keras", "model", "UnsafeLoadError", "model.weights.h5.*declares")

    def huge(f, path, shape=(24000, 24000)):
        del f[path]
        f.create_dataset(path, shape=shape, dtype="float32", chunks=(1000, 1000))

    _weights_variant(good_weights, os.path.join(out, "huge_kernel.weights.h5"),
                     lambda f: huge(f, "layers/dense/vars/0"))
    case("huge_kernel.weights.h5", "weights", "WeightsMismatchError", r"\(24000, 24000\)")
    _weights_variant(good_h5, os.path.join(out, "huge_kernel.h5"),
                     lambda f: huge(f, "model_weights/dense/dense/kernel"))
    case("huge_kernel.h5", "model", "WeightsMismatchError", r"\(24000, 24000\)")
    _weights_variant(good_h5, os.path.join(out, "huge_kernel_weights_only.h5"),
                     lambda f: huge(f, "model_weights/dense/dense/kernel"))
    case("huge_kernel_weights_only.h5", "weights", "WeightsMismatchError", r"\(24000, 24000\)")
    local = os.path.join(out, "huge.weights.tmp")
    _weights_variant(good_weights, local, lambda f: huge(f, "layers/dense/vars/0", (100000, 100000)))
    m = dict(members)
    m["model.weights.h5"] = open(local, "rb").read()
    os.unlink(local)
    _write_archive(os.path.join(out, "huge_kernel_in_archive.keras"), m)
    case("huge_kernel_in_archive.keras", "model", "WeightsMismatchError", r"\(100000, 100000\)")
    numpy_bomb = _functional([_input(), {
        "module": "keras.layers", "class_name": "Add", "name": "add",
        "config": {"name": "add"}, "inbound_nodes": [{"args": [[_tensor("input_layer"), {
            "class_name": "__numpy__", "config": {"value": [0], "dtype": "(20000,20000)f4"}}]],
            "kwargs": {}}]}], "add")
    keras_with_config("numpy_dtype_bomb.keras", numpy_bomb, "UnsafeLoadError", "dtype '\\(20000,20000\\)f4'")

    # -- HDF5 that reads other files ---------------------------------------------------------
    secret = os.path.join(out, "secret.bin")
    np.arange(12, dtype="float32").tofile(secret)

    def external_storage(f):
        del f["layers/dense/vars/0"]
        f.create_dataset("layers/dense/vars/0", shape=(4, 3), dtype="float32",
                         external=[(secret, 0, 48)])

    _weights_variant(good_weights, os.path.join(out, "external_storage.weights.h5"), external_storage)
    case("external_storage.weights.h5", "weights", "UnsafeLoadError", "external file")

    def external_link(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink(good_weights, "/layers/dense/vars/0")

    _weights_variant(good_weights, os.path.join(out, "external_link.weights.h5"), external_link)
    case("external_link.weights.h5", "weights", "UnsafeLoadError", "external link")

    def soft_link(f):
        del f["layers/dense_1/vars/1"]
        f["layers/dense_1/vars/1"] = h5py.SoftLink("/layers/dense/vars/1")

    _weights_variant(good_weights, os.path.join(out, "soft_link.weights.h5"), soft_link)
    case("soft_link.weights.h5", "weights", "UnsafeLoadError", "soft link")

    def external_link_group(f):
        del f["model_weights/dense"]
        f["model_weights/dense"] = h5py.ExternalLink(good_h5, "/model_weights/dense")

    _weights_variant(good_h5, os.path.join(out, "external_link_legacy.h5"), external_link_group)
    case("external_link_legacy.h5", "model", "UnsafeLoadError", "external link")

    def virtual(f):
        del f["layers/dense/vars/0"]
        layout = h5py.VirtualLayout(shape=(4, 3), dtype="float32")
        layout[:] = h5py.VirtualSource(good_weights, "layers/dense/vars/0", shape=(4, 3))
        f["layers/dense"]["vars"].create_virtual_dataset("0", layout)

    _weights_variant(good_weights, os.path.join(out, "virtual.weights.h5"), virtual)
    case("virtual.weights.h5", "weights", "UnsafeLoadError", "virtual dataset")

    # -- damage -------------------------------------------------------------------------------
    for name, config in [("config_list.keras", []), ("config_string.keras", "hello"),
                         ("config_null.keras", None), ("config_no_class.keras", {"config": {}}),
                         ("config_class_number.keras", {"class_name": 3, "config": {}})]:
        keras_with_config(name, config, "FileFormatError", "not a model config")
    deep = {"class_name": "Sequential", "config": {"layers": []}}
    node = deep["config"]
    for _ in range(500):
        node["x"] = {}
        node = node["x"]
    keras_with_config("deep_nesting.keras", deep, "UnsafeLoadError", "nests deeper")
    keras_with_config("deep_json.keras", b"[" * 200000 + b"]" * 200000, "FileFormatError",
                      "nests too deeply")
    keras_with_config("layer_not_model.keras", {"module": "keras.layers", "class_name": "Dense",
                                                 "config": {"units": 2}},
                      "FileFormatError", "describes a Dense, not a model")

    def string_weight(f):
        del f["layers/dense/vars/1"]
        f.create_dataset("layers/dense/vars/1", data=np.array([b"a", b"b", b"c"]))

    _weights_variant(good_weights, os.path.join(out, "string_weight.weights.h5"), string_weight)
    case("string_weight.weights.h5", "weights", "FileFormatError", "holds \\|S1 values")

    def bad_model_config(f):
        f.attrs["model_config"] = "[]"

    _weights_variant(good_h5, os.path.join(out, "h5_config_list.h5"), bad_model_config)
    case("h5_config_list.h5", "model", "FileFormatError", "model_config is a list")

    with h5py.File(good_weights, "r") as f:
        offset = f["layers/dense/vars/0"].id.get_offset()
    data = bytearray(open(good_weights, "rb").read())
    data[offset + 5] ^= 0x10
    open(os.path.join(out, "flipped_bit.weights.h5"), "wb").write(bytes(data))
    case("flipped_bit.weights.h5", "weights", "FileFormatError", "SHA-256")
    with h5py.File(good_h5, "r") as f:
        offset = f["model_weights/dense_1/dense_1/kernel"].id.get_offset()
    data = bytearray(open(good_h5, "rb").read())
    data[offset + 2] ^= 0x01
    open(os.path.join(out, "flipped_bit.h5"), "wb").write(bytes(data))
    case("flipped_bit.h5", "model", "FileFormatError", "SHA-256")
    for src, name in [(good_keras, "truncated.keras"), (good_h5, "truncated.h5")]:
        data = open(src, "rb").read()
        open(os.path.join(out, name), "wb").write(data[: len(data) // 2])
        case(name, "model", "FileFormatError", "truncated|corrupt")

    manifest = {"marker": MARKER, "cases": cases, "lamina": lamina.__file__}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


# ---------------------------------------------------------------------------------------------
def _peak_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def load_all(out):
    """Load every file of the corpus in this process; print one JSON line per file."""
    import lamina

    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    lamina.models.load_model(os.path.join(out, "good.keras"))  # warm up: imports, first build
    reference_model().load_weights(os.path.join(out, "good.weights.h5"))
    print(json.dumps({"baseline_mb": _peak_mb()}), flush=True)
    for c in manifest["cases"]:
        path = os.path.join(out, c["file"])
        try:
            if c["kind"] == "model":
                lamina.models.load_model(path)
            else:
                reference_model().load_weights(path)
            error, message = None, ""
        except Exception as e:  # noqa: BLE001 - reported to the parent test
            error, message = type(e).__name__, str(e)
        print(json.dumps({"file": c["file"], "error": error, "message": message,
                          "peak_mb": _peak_mb()}), flush=True)


if __name__ == "__main__":
    target = sys.argv[1]
    if "--load" in sys.argv:
        load_all(target)
    else:
        generate(target)
        print(f"wrote {target}/manifest.json")
