"""Per-call cost of train_on_batch / test_on_batch / predict_on_batch, interleaved in one process.

A small MLP (Dense(64, relu) -> Dense(10, softmax)) on 32x20 inputs, Adam, sparse categorical
crossentropy, with and without ``metrics=['accuracy']``. Columns, timed in alternating rounds
so that a noisy shared machine affects them alike:

- lamina on the backend of ``LAMINA_BACKEND`` (torch by default);
- Keras 3 on the same backend (``KERAS_BACKEND`` is set to match before keras is imported;
  the column is skipped with the reason printed when keras cannot load);
- a hand-written ``jax.jit`` + optax step that returns the batch's loss (and accuracy) to the
  host, the floor for one Python call per batch (skipped when jax/optax are missing).

Each call's result is read on the host (a float), as a Keras 2 GAN loop does. Prints the median
microseconds per call and the ratios to lamina.

Run: ``LAMINA_BACKEND=jax python benchmarks/train_on_batch.py [--calls 200] [--rounds 5]``
(and without ``LAMINA_BACKEND`` for torch); ``--profile`` prints a cProfile of lamina's
train_on_batch.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

LAMINA_BACKEND = os.environ.get("LAMINA_BACKEND", "torch")
os.environ.setdefault("KERAS_BACKEND", LAMINA_BACKEND)

import lamina  # noqa: E402


def data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(32, 20)).astype("float32"), rng.integers(0, 10, 32).astype("int32")


def build(lib, metrics):
    lib.utils.set_random_seed(0)
    model = lib.Sequential([lib.Input((20,)), lib.layers.Dense(64, activation="relu"),
                            lib.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=metrics)
    return model


def keras_or_reason():
    try:
        import keras
    except Exception as e:  # noqa: BLE001 - any import failure means "no column", with its reason
        return None, f"keras could not be imported ({type(e).__name__}: {e})"
    if keras.backend.backend() != LAMINA_BACKEND:
        return None, f"keras runs on {keras.backend.backend()!r}, not {LAMINA_BACKEND!r} (set KERAS_BACKEND)"
    return keras, None


class Hand:
    """The jitted JAX step a user writes by hand: one dispatch, the batch's logs read back."""

    def __init__(self, metrics):
        import jax
        import jax.numpy as jnp
        import optax

        k1, k2 = jax.random.split(jax.random.PRNGKey(0))

        def dense(key, n_in, n_out):
            lim = np.sqrt(6.0 / (n_in + n_out))
            return {"w": jax.random.uniform(key, (n_in, n_out), jnp.float32, -lim, lim), "b": jnp.zeros((n_out,))}

        self.params = [dense(k1, 20, 64), dense(k2, 64, 10)]
        tx = optax.adam(0.001, eps=1e-7)
        self.opt_state = tx.init(self.params)

        def forward(p, x):
            return jax.nn.softmax(jax.nn.relu(x @ p[0]["w"] + p[0]["b"]) @ p[1]["w"] + p[1]["b"])

        def loss_fn(p, x, y):
            probs = forward(p, x)
            logp = jnp.log(jnp.clip(probs, 1e-7, 1 - 1e-7))
            return -jnp.mean(jnp.take_along_axis(logp, y[:, None], 1)), probs

        def logs(loss, probs, y):
            acc = jnp.mean((jnp.argmax(probs, -1) == y).astype(jnp.float32))
            return jnp.stack([loss, acc]) if metrics else loss[None]

        @jax.jit
        def train(p, s, x, y):
            (loss, probs), g = jax.value_and_grad(loss_fn, has_aux=True)(p, x, y)
            u, s = tx.update(g, s, p)
            return optax.apply_updates(p, u), s, logs(loss, probs, y)

        @jax.jit
        def test(p, x, y):
            loss, probs = loss_fn(p, x, y)
            return logs(loss, probs, y)

        self._train, self._test, self._predict = train, test, jax.jit(forward)

    def train_on_batch(self, x, y):
        self.params, self.opt_state, out = self._train(self.params, self.opt_state, x, y)
        return np.asarray(out).tolist()

    def test_on_batch(self, x, y):
        return np.asarray(self._test(self.params, x, y)).tolist()

    def predict_on_batch(self, x):
        return np.asarray(self._predict(self.params, x))


def hand_or_reason(metrics):
    try:
        return Hand(metrics), None
    except ImportError as e:
        return None, f"no hand-written JAX column ({e}; pip install jax optax)"


def time_calls(fn, calls):
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(calls, rounds, profile):
    x, y = data()
    keras, keras_reason = keras_or_reason()
    print(f"lamina backend: {LAMINA_BACKEND}; {calls} calls x {rounds} rounds, median us per call")
    if keras_reason:
        print(f"  Keras 3 column skipped: {keras_reason}")
    for metrics in (None, ["accuracy"]):
        cols = {"lamina": build(lamina, metrics)}
        if keras is not None:
            cols["keras3"] = build(keras, metrics)
        hand, hand_reason = hand_or_reason(metrics)
        if hand is not None:
            cols["hand_jax"] = hand
        elif metrics is None:
            print(f"  hand column skipped: {hand_reason}")
        kinds = {"train_on_batch": lambda m: (lambda: m.train_on_batch(x, y)),
                 "test_on_batch": lambda m: (lambda: m.test_on_batch(x, y)),
                 "predict_on_batch": lambda m: (lambda: m.predict_on_batch(x))}
        for m in cols.values():  # compile and warm every path
            for make in kinds.values():
                for _ in range(5):
                    make(m)()
        res = {(k, c): [] for k in kinds for c in cols}
        for _ in range(rounds):
            for kind, make in kinds.items():
                for name, m in cols.items():
                    res[kind, name].append(time_calls(make(m), calls))
        print(f"\nmetrics={metrics}")
        print(f"  {'':18s}" + "".join(f"{c:>12s}" for c in cols) + "".join(f"{c + '/lamina':>18s}" for c in cols if c != "lamina"))
        for kind in kinds:
            med = {c: statistics.median(res[kind, c]) * 1e6 for c in cols}
            ratios = "".join(f"{med[c] / med['lamina']:>18.2f}" for c in cols if c != "lamina")
            print(f"  {kind:18s}" + "".join(f"{med[c]:>12.1f}" for c in cols) + ratios)
        if profile:
            import cProfile
            import pstats

            model = cols["lamina"]
            pr = cProfile.Profile()
            pr.enable()
            for _ in range(calls):
                model.train_on_batch(x, y)
            pr.disable()
            pstats.Stats(pr).sort_stats("cumulative").print_stats(25)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--profile", action="store_true")
    a = p.parse_args()
    run(a.calls, a.rounds, a.profile)


if __name__ == "__main__":
    main()
