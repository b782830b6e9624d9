"""Fuzz lamina's loaders: mutate small valid ``.keras``, ``.h5`` and ``.weights.h5`` files and check
that every load either succeeds or raises a lamina error (FileFormatError, UnsafeLoadError,
WeightsMismatchError): no other exception, no crash, no hang, bounded memory.

Mutations: truncation, flipped bytes, config values (in ``config.json`` / ``model_config``)
replaced by random JSON (including names such as ``load_model`` and ``__class__``), and HDF5
datasets re-declared with random shapes and dtypes.

The test suite runs a bounded number of cases in a child process
(tests/saving/test_fuzz_loading.py). For a longer run::

    python tests/saving/fuzz_loading.py --cases 5000 --seed 1            # random mutations
    python tests/saving/fuzz_loading.py --hypothesis --cases 2000         # hypothesis drives them

It prints one line per failure and exits with status 1 if there was any. Run it under
``ulimit -v`` to turn a memory blow-up into a reported failure; ``--timeout`` (seconds per case,
default 20) reports a hang.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import signal
import sys
import tempfile
import traceback
import zipfile

import numpy as np

MEMORY_BOUND_MB = 400

_NAMES = ["load_model", "save_model", "__class__", "_private", "Dense", "Lambda", "Functional",
          "Sequential", "relu", "function", "__lambda__", "__numpy__", "__keras_tensor__", "system",
          "keras.saving", "os", "", "x" * 300, "get", "deserialize"]


def _random_json(rng, depth=0):
    r = rng.random()
    if depth > 3 or r < 0.3:
        return rng.choice([None, True, False, 0, -1, 2 ** 40, 1e308, -0.5, rng.choice(_NAMES),
                           [None, 4], [-1, 4], "(20000,20000)f4"])
    if r < 0.55:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if r < 0.8:
        return {rng.choice(_NAMES + ["config", "class_name", "module", "value", "dtype", "args",
                                     "kwargs", "inbound_nodes", "keras_history", "shape"]):
                _random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return {"class_name": rng.choice(_NAMES), "module": rng.choice(["keras.layers", "keras.saving", None]),
            "config": _random_json(rng, depth + 1)}


def _mutate_json(config, rng):
    nodes = []

    def walk(x):
        if isinstance(x, dict):
            for k in x:
                nodes.append((x, k))
                walk(x[k])
        elif isinstance(x, list):
            for i in range(len(x)):
                nodes.append((x, i))
                walk(x[i])

    walk(config)
    for _ in range(rng.randint(1, 3)):
        if nodes:
            parent, key = rng.choice(nodes)
            parent[key] = _random_json(rng)
    return config


def _flip(data, rng):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return bytes(data)


def _truncate(data, rng):
    return data[: rng.randrange(len(data))]


def _mutate_h5_datasets(path, rng):
    import h5py

    with h5py.File(path, "r+") as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        for name in rng.sample(names, min(len(names), rng.randint(1, 2))):
            choice = rng.random()
            del f[name]
            if choice < 0.4:
                shape = tuple(rng.choice([0, 1, 3, 4, 7, 100000]) for _ in range(rng.randint(0, 3)))
                f.create_dataset(name, shape=shape, dtype=rng.choice(["float32", "int8", "float64"]),
                                 chunks=True if shape and all(shape) else None)
            elif choice < 0.7:
                f.create_dataset(name, data=np.array([b"ab", b"cd"]))
            else:
                f[name] = h5py.SoftLink("/" + rng.choice(names))


def make_seeds(folder):
    """The valid files the mutations start from."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from hostile_corpus import reference_model

    import lamina

    model = reference_model()
    inputs = lamina.Input((4,), name="x")
    hidden = lamina.layers.Dense(3, activation="relu")(inputs)
    functional = lamina.Model(inputs, lamina.layers.Dense(2)(lamina.layers.Concatenate()([hidden, inputs])))
    functional.compile(optimizer="adam", loss="mse", metrics=["mae"])
    seeds = {}
    for name, obj, method in [("seq.keras", model, "save"), ("func.keras", functional, "save"),
                              ("seq.h5", model, "save"), ("func.h5", functional, "save"),
                              ("seq.weights.h5", model, "save_weights")]:
        path = os.path.join(folder, name)
        getattr(obj, method)(path)
        seeds[name] = path
    return seeds


def mutate(seed_path, out_path, rng):
    """Write one mutation of ``seed_path`` to ``out_path``; returns its description."""
    import shutil

    data = open(seed_path, "rb").read()
    r = rng.random()
    if r < 0.2:
        open(out_path, "wb").write(_truncate(data, rng))
        return "truncate"
    if r < 0.4:
        open(out_path, "wb").write(_flip(data, rng))
        return "flip bytes"
    if seed_path.endswith(".keras"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        if r < 0.8:
            config = _mutate_json(json.loads(members["config.json"]), rng)
            members["config.json"] = json.dumps(config).encode()
            what = "config.json values"
        else:
            tmp = out_path + ".w.h5"
            open(tmp, "wb").write(members["model.weights.h5"])
            _mutate_h5_datasets(tmp, rng)
            members["model.weights.h5"] = open(tmp, "rb").read()
            os.unlink(tmp)
            what = "model.weights.h5 datasets"
        with zipfile.ZipFile(out_path, "w") as zf:
            for n, d in members.items():
                zf.writestr(n, d)
        return what
    shutil.copyfile(seed_path, out_path)
    if r < 0.7 and not seed_path.endswith(".weights.h5"):
        import h5py

        with h5py.File(out_path, "r+") as f:
            config = _mutate_json(json.loads(f.attrs["model_config"]), rng)
            f.attrs["model_config"] = json.dumps(config)
        return "model_config values"
    _mutate_h5_datasets(out_path, rng)
    return "datasets"


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang()


def check_one(path, timeout):
    """None if loading ``path`` succeeds or raises a lamina error; else a description."""
    import lamina
    from lamina.errors import FileFormatError, UnsafeLoadError, WeightsMismatchError

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from hostile_corpus import reference_model

    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    try:
        if path.endswith(".weights.h5"):
            reference_model().load_weights(path)
        else:
            lamina.models.load_model(path)
    except (FileFormatError, UnsafeLoadError, WeightsMismatchError):
        return None
    except _Hang:
        return f"hang: more than {timeout}s"
    except Exception as e:  # noqa: BLE001 - this is what the fuzzer looks for
        return f"{type(e).__name__}: {str(e)[:300]}\n{traceback.format_exc(limit=-4)}"
    finally:
        signal.alarm(0)
    return None


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(cases, seed, timeout, folder):
    import warnings

    warnings.simplefilter("ignore")
    seeds = make_seeds(folder)
    names = sorted(seeds)
    rng = random.Random(seed)
    baseline = None
    failures = []
    for i in range(cases):
        name = names[i % len(names)]
        path = os.path.join(folder, f"case{i}_{name}")
        what = mutate(seeds[name], path, rng)
        problem = check_one(path, timeout)
        if baseline is None:
            baseline = _peak_mb()
        if problem:
            failures.append(f"case {i} ({name}, {what}): {problem}")
        os.unlink(path)
    grown = _peak_mb() - (baseline or _peak_mb())
    if grown > MEMORY_BOUND_MB:
        failures.append(f"peak memory grew by {grown:.0f} MB over {cases} cases")
    return failures


def run_hypothesis(cases, timeout, folder):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    seeds = make_seeds(folder)
    failures = []

    @settings(max_examples=cases, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(sorted(seeds)), st.integers(0, 2 ** 32 - 1))
    def one(name, seed):
        path = os.path.join(folder, f"hyp_{name}")
        what = mutate(seeds[name], path, random.Random(seed))
        problem = check_one(path, timeout)
        if problem:
            failures.append(f"{name} seed {seed} ({what}): {problem}")

    import warnings

    warnings.simplefilter("ignore")
    one()
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=int, default=20)
    parser.add_argument("--hypothesis", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lamina-fuzz-") as folder:
        if args.hypothesis:
            failures = run_hypothesis(args.cases, args.timeout, folder)
        else:
            failures = run(args.cases, args.seed, args.timeout, folder)
    for f in failures:
        print("FAIL", f)
    print(f"{args.cases} cases, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
