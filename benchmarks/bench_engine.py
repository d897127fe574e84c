"""Engine benchmark: groundup vs PyTorch in one process, same data, medians of several repeats.

(a) per-op overhead: a chain of 10,000 small ops (mul, add, tanh on a 16-element vector),
    forward and backward;
(b) one training step (forward, cross-entropy, backward, hand-written SGD) of a
    784-256-128-10 ReLU MLP at batch 128, float32, on MNIST-shaped data.

Run: ``python benchmarks/bench_engine.py [--repeats 7]``. Prints a table of medians and the
ratio groundup/PyTorch; record it in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time

import numpy as np
import torch

import groundup as gu

CHAIN = 10_000


def time_it(fn, repeats: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        gc.collect()  # each repeat starts clean: a collection it triggers is its own
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ----------------------------------------------------------------------------- (a) op chain
def chain(lib, x0: np.ndarray):
    x = lib.tensor(x0, requires_grad=True)

    def run():
        x.grad = None
        y = x
        for _ in range(CHAIN // 3):
            y = (y * 0.999 + 0.001).tanh()
        y.sum().backward()
        return x.grad

    return run


# ----------------------------------------------------------------------------- (b) MLP step
def init_weights(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = [784, 256, 128, 10]
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        k = 1.0 / np.sqrt(n_in)
        weights.append(rng.uniform(-k, k, (n_in, n_out)).astype(np.float32))
        weights.append(rng.uniform(-k, k, (n_out,)).astype(np.float32))
    return weights


def mlp_step(lib, weights, X, y, lr=0.01):
    """One training step, written once for both libraries (``lib`` is groundup or torch)."""
    params = [lib.tensor(w, requires_grad=True) for w in weights]
    xb, yb = lib.from_numpy(X), lib.from_numpy(y)
    rows = lib.arange(len(y))

    def step():
        w1, b1, w2, b2, w3, b3 = params
        h = (xb @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        logits = h @ w3 + b3
        loss = -logits.log_softmax(dim=1)[rows, yb].mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        return loss

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    rows = []
    x0 = np.random.default_rng(0).standard_normal(16).astype(np.float32)
    ga, ta = chain(gu, x0), chain(torch, x0)
    np.testing.assert_allclose(ga().numpy(), ta().numpy(), rtol=1e-4, atol=1e-6)
    t_gu = time_it(ga, args.repeats)
    t_torch = time_it(ta, args.repeats)
    rows.append(("(a) 10,000-op chain fwd+bwd", t_gu, t_torch, 2.5))

    rng = np.random.default_rng(1)
    X = rng.random((128, 784), dtype=np.float32)
    y = rng.integers(0, 10, 128)
    weights = init_weights()
    g_step, t_step = mlp_step(gu, weights, X, y), mlp_step(torch, weights, X, y)
    for _ in range(3):  # same trajectory: the steps agree
        lg, lt = g_step().item(), t_step().item()
    assert abs(lg - lt) < 1e-4, (lg, lt)
    repeats = args.repeats * 30
    t_gu = time_it(g_step, repeats, warmup=10)
    t_torch = time_it(t_step, repeats, warmup=10)
    rows.append(("(b) MLP 784-256-128-10 step, batch 128", t_gu, t_torch, 1.2))

    print(
        f"cores: {os.cpu_count()}  torch {torch.__version__} (threads {torch.get_num_threads()})"
        f"  numpy {np.__version__}"
    )
    print(f"{'benchmark':42s} {'groundup':>12s} {'pytorch':>12s} {'ratio':>7s} {'target':>7s}")
    for name, a, b, target in rows:
        print(f"{name:42s} {a * 1e3:9.3f} ms {b * 1e3:9.3f} ms {a / b:7.2f} {target:7.2f}")


if __name__ == "__main__":
    main()
