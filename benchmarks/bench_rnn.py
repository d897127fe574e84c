"""Recurrent-layer benchmark: groundup vs PyTorch in one process, same weights and data, medians.

(a) ``nn.LSTM(64, 128)`` on a (T=50, N=32, 64) float32 sequence, forward + backward (the
    gradients of the input and all weights) of ``output.sum()``: the issue's target, <= 1.5x;
(b) the same for ``nn.GRU`` (for information);
(c) (a) forward only, under ``no_grad`` (for information);
(d) a 2-layer bidirectional batch_first LSTM, forward + backward (for information).

The two libraries are timed in alternation (one groundup run, one PyTorch run, ...), so a
burst of load on this shared machine hits both alike; each number is the median of the runs.
Both run on ONE thread by default (``--threads``): on 2 cores, PyTorch's OpenMP threads and
OpenBLAS's threads each keep spinning after their call and starve the other library's next
run (measured here with 2 threads each: ~2 s per LSTM step for BOTH instead of ~10 ms).

Run: ``python benchmarks/bench_rnn.py [--repeats 21] [--threads 1]``. Prints a table of
medians and the ratio groundup/PyTorch; record it in benchmarks/RESULTS.md.
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

T, N, INPUT, HIDDEN = 50, 32, 64, 128


def time_pair(fn_a, fn_b, repeats: int, warmup: int = 2) -> tuple[float, float]:
    """Medians of fn_a and fn_b, timed in alternation."""
    for _ in range(warmup):
        fn_a()
        fn_b()
    times_a, times_b = [], []
    for _ in range(repeats):
        for fn, times in ((fn_a, times_a), (fn_b, times_b)):
            gc.collect()  # each run starts clean: a collection it triggers is its own
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(times_a), statistics.median(times_b)


def twins(name: str, **kw):
    """A torch layer and a groundup layer holding the same (torch-initialised) weights."""
    torch.manual_seed(0)
    ref = getattr(torch.nn, name)(INPUT, HIDDEN, **kw)
    ours = getattr(nn, name)(INPUT, HIDDEN, **kw)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def step(lib, layer, x: np.ndarray, backward: bool = True):
    """One forward (+ backward) of output.sum(), written once for both libraries."""
    xt = lib.tensor(x, requires_grad=backward)

    def run():
        for p in layer.parameters():
            p.grad = None
        xt.grad = None
        if backward:
            out, _ = layer(xt)
            out.sum().backward()
        else:
            with lib.no_grad():
                out, _ = layer(xt)
        return out

    return run


def check_same(ours_run, ref_run, ours, ref) -> None:
    np.testing.assert_allclose(ours_run().numpy(), ref_run().detach().numpy(), atol=1e-5)
    for (name, p), q in zip(ours.named_parameters(), ref.parameters()):
        if q.grad is not None:
            np.testing.assert_allclose(
                p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-4, err_msg=name
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads (1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from threadpoolctl import threadpool_limits  # a dev dependency, via scikit-learn

    threadpool_limits(limits=args.threads, user_api="blas")
    x = np.random.default_rng(0).standard_normal((T, N, INPUT)).astype(np.float32)
    cases = [
        ("(a) LSTM 64->128, T=50, N=32, fwd+bwd", "LSTM", {}, x, True, 1.5),
        ("(b) GRU 64->128, T=50, N=32, fwd+bwd", "GRU", {}, x, True, None),
        ("(c) LSTM 64->128, T=50, N=32, fwd only", "LSTM", {}, x, False, None),
        (
            "(d) LSTM 2-layer bidir. batch_first, fwd+bwd",
            "LSTM",
            dict(num_layers=2, bidirectional=True, batch_first=True),
            x.transpose(1, 0, 2).copy(),
            True,
            None,
        ),
    ]
    rows = []
    for title, name, kw, data, backward, target in cases:
        ours, ref = twins(name, **kw)
        ours_run, ref_run = step(gu, ours, data, backward), step(torch, ref, data, backward)
        check_same(ours_run, ref_run, ours, ref)
        t_gu, t_torch = time_pair(ours_run, ref_run, args.repeats)
        rows.append((title, t_gu, t_torch, target))

    print(
        f"cores: {os.cpu_count()}  torch {torch.__version__} (threads {torch.get_num_threads()})"
        f"  numpy {np.__version__}  repeats {args.repeats}"
    )
    print(f"{'benchmark':46s} {'groundup':>10s} {'pytorch':>10s} {'ratio':>7s} {'target':>7s}")
    for title, a, b, target in rows:
        goal = "" if target is None else f"<= {target}"
        print(f"{title:46s} {a * 1e3:8.2f}ms {b * 1e3:8.2f}ms {a / b:7.2f} {goal:>7s}")


if __name__ == "__main__":
    main()
