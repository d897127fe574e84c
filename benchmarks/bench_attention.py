"""Attention benchmark: groundup vs PyTorch in one process, same weights and data, medians.

(a) ``MultiheadAttention`` self-attention, batch 32, T=64, d=128, 4 heads, batch_first,
    forward + backward (``need_weights=False``, as inside the transformer layers);
(b) the same with ``need_weights=True`` (PyTorch's default; the weights are returned);
(c) one ``TransformerEncoderLayer`` (d_model 128, 4 heads, feed-forward 512, dropout 0,
    post-norm, training mode), forward + backward, for information.

Run: ``python benchmarks/bench_attention.py [--repeats 30] [--threads 1]``. Prints a table of
medians (the two libraries timed alternately) and the ratio groundup/PyTorch; record it in
benchmarks/RESULTS.md. On a busy machine ``--threads 1`` gives far steadier numbers: two BLAS
threads competing for two loaded cores spin-wait and slow both libraries down by 10x.
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
from groundup import nn

N, T, D, HEADS = 32, 64, 128, 4


def time_pair(run_a, run_b, repeats: int, warmup: int = 3) -> tuple[float, float]:
    """Medians of ``run_a`` and ``run_b``, timed alternately so that a change in the load of
    the (shared) machine hits both alike."""
    for _ in range(warmup):
        run_a()
        run_b()
    times: tuple[list, list] = ([], [])
    for _ in range(repeats):
        for fn, out in ((run_a, times[0]), (run_b, times[1])):
            gc.collect()
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def twins(ours_cls, ref_cls, *args, **kwargs):
    """A torch layer and a groundup layer holding the same float32 weights."""
    torch.manual_seed(0)
    ref = ref_cls(*args, **kwargs)
    ours = ours_cls(*args, **kwargs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def step(lib, layer, x0: np.ndarray, g0: np.ndarray, call):
    """Forward + backward of ``call(layer, x)`` with a fixed upstream gradient."""
    x = lib.tensor(x0, requires_grad=True)
    g = lib.tensor(g0)

    def run():
        x.grad = None
        for p in layer.parameters():
            p.grad = None
        out = call(layer, x)
        out.backward(g)
        return out

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="limit both libraries to this many threads (BLAS via threadpoolctl); 0: defaults",
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=args.threads, user_api="blas")
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((N, T, D)).astype(np.float32)
    g0 = rng.standard_normal((N, T, D)).astype(np.float32)

    mha = twins(nn.MultiheadAttention, torch.nn.MultiheadAttention, D, HEADS, batch_first=True)
    enc = twins(
        nn.TransformerEncoderLayer,
        torch.nn.TransformerEncoderLayer,
        D,
        HEADS,
        dim_feedforward=4 * D,
        dropout=0.0,
        batch_first=True,
    )
    cases = [
        (
            "(a) MHA self-attn fwd+bwd, need_weights=False",
            mha,
            lambda m, x: m(x, x, x, need_weights=False)[0],
            1.5,
        ),
        ("(b) MHA self-attn fwd+bwd, need_weights=True", mha, lambda m, x: m(x, x, x)[0], 1.5),
        ("(c) TransformerEncoderLayer fwd+bwd", enc, lambda m, x: m(x), None),
    ]
    rows = []
    for name, (ours, ref), call, target in cases:
        run_gu = step(gu, ours, x0, g0, call)
        run_torch = step(torch, ref, x0, g0, call)
        np.testing.assert_allclose(
            run_gu().numpy(), run_torch().detach().numpy(), rtol=1e-4, atol=1e-5
        )
        t_gu, t_torch = time_pair(run_gu, run_torch, args.repeats)
        rows.append((name, t_gu, t_torch, target))

    print(
        f"cores: {os.cpu_count()}  torch {torch.__version__} (threads {torch.get_num_threads()})"
        f"  numpy {np.__version__};  batch {N}, T {T}, d {D}, {HEADS} heads, float32"
    )
    print(f"{'benchmark':48s} {'groundup':>12s} {'pytorch':>12s} {'ratio':>7s} {'target':>7s}")
    for name, a, b, target in rows:
        tgt = "-" if target is None else f"{target:.2f}"
        print(f"{name:48s} {a * 1e3:9.3f} ms {b * 1e3:9.3f} ms {a / b:7.2f} {tgt:>7s}")


if __name__ == "__main__":
    main()
