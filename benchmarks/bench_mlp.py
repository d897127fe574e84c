"""MLP benchmark: one MNIST epoch of a 784-256-128-10 ReLU MLP, groundup vs PyTorch.

Both train from the same initial weights on the same shuffled batches (Adam, lr 1e-3,
cross-entropy), in one process, at batch 128 and batch 32. The table gives the median time
per epoch over the repeats, the ratio groundup/PyTorch and each library's test accuracy
after the epoch. Peak memory (RSS) is measured separately: one fresh process per library
loads MNIST as float32 (about 250 MB of the peak, the same in both), trains one epoch and
reports its own peak, so neither library's footprint hides the other's. Also: the time of
``python -c "import groundup"``.

Run: ``GROUNDUP_DATA=../shared/datasets python benchmarks/bench_mlp.py [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time

import numpy as np

SIZES = (784, 256, 128, 10)


def load() -> tuple:
    from groundup.data import load_mnist

    (X, y), (Xt, yt) = load_mnist()
    scale = np.float32(1 / 255)
    return X.reshape(-1, 784) * scale, y, Xt.reshape(-1, 784) * scale, yt


def groundup_model():
    import groundup as gu
    from groundup import nn

    gu.manual_seed(0)
    layers = [nn.Linear(SIZES[0], SIZES[1]), nn.ReLU(), nn.Linear(SIZES[1], SIZES[2]), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(SIZES[2], SIZES[3]))


def torch_model(weights: dict):
    import torch

    layers = [torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.ReLU()]
    layers += [torch.nn.Linear(SIZES[1], SIZES[2]), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(SIZES[2], SIZES[3]))
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()})
    return model


def epoch_groundup(weights: dict, data: tuple, batch: int, order: np.ndarray) -> tuple:
    import groundup as gu

    model = groundup_model()
    model.load_state_dict(weights)
    return train_epoch(gu, gu.nn, gu.optim, model, data, batch, order)


def epoch_torch(weights: dict, data: tuple, batch: int, order: np.ndarray) -> tuple:
    import torch

    return train_epoch(torch, torch.nn, torch.optim, torch_model(weights), data, batch, order)


def train_epoch(lib, nn, optim, model, data: tuple, batch: int, order: np.ndarray) -> tuple:
    """One epoch of Adam on ``model``, written once for both libraries; (seconds, accuracy)."""
    X, y, Xt, yt = data
    opt, loss_fn = optim.Adam(model.parameters(), lr=1e-3), nn.CrossEntropyLoss()
    gc.collect()
    start = time.perf_counter()
    for i in range(0, len(X), batch):
        idx = order[i : i + batch]
        loss = loss_fn(model(lib.from_numpy(X[idx])), lib.from_numpy(y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - start
    with lib.no_grad():
        accuracy = float((model(lib.from_numpy(Xt)).argmax(1).numpy() == yt).mean())
    return seconds, accuracy


def peak_rss_mb(library: str, batch: int) -> float:
    """Peak RSS of a fresh process that trains one epoch with ``library`` alone."""
    command = [sys.executable, __file__, "--rss-probe", library, str(batch)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def rss_probe(library: str, batch: int) -> None:
    """The child side of ``peak_rss_mb``: train one epoch, print the peak RSS in MB."""
    data = load()
    weights = {k: v.numpy() for k, v in groundup_model().state_dict().items()}
    order = np.random.default_rng(0).permutation(len(data[0]))
    train = epoch_groundup if library == "groundup" else epoch_torch
    train(weights, data, batch, order)
    # VmHWM, not getrusage: Linux carries ru_maxrss over exec from the forked parent.
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(peak_kb / 1024)


def import_time() -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import groundup"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    probe = dict(nargs=2, metavar=("LIBRARY", "BATCH"), help=argparse.SUPPRESS)
    parser.add_argument("--rss-probe", **probe)
    args = parser.parse_args()
    if args.rss_probe:
        rss_probe(args.rss_probe[0], int(args.rss_probe[1]))
        return
    import torch

    data = load()
    weights = {k: v.numpy().copy() for k, v in groundup_model().state_dict().items()}
    print(f"cores: {os.cpu_count()}  torch {torch.__version__} (threads {torch.get_num_threads()})")
    print(f"{'one MNIST epoch, Adam':24s} {'groundup':>10s} {'pytorch':>10s} {'ratio':>6s} "
          f"{'acc gu':>7s} {'acc pt':>7s} {'RSS gu':>8s} {'RSS pt':>8s}")  # fmt: skip
    for batch in (128, 32):
        runs_gu, runs_pt = [], []
        for r in range(args.repeats):
            order = np.random.default_rng(r).permutation(len(data[0]))
            runs_gu.append(epoch_groundup(weights, data, batch, order))
            runs_pt.append(epoch_torch(weights, data, batch, order))
        t_gu = statistics.median(t for t, _ in runs_gu)
        t_pt = statistics.median(t for t, _ in runs_pt)
        rss_gu, rss_pt = peak_rss_mb("groundup", batch), peak_rss_mb("torch", batch)
        acc_gu, acc_pt = runs_gu[-1][1], runs_pt[-1][1]
        print(f"{'batch ' + str(batch):24s} {t_gu:8.2f} s {t_pt:8.2f} s {t_gu / t_pt:6.2f} "
              f"{acc_gu:7.4f} {acc_pt:7.4f} {rss_gu:5.0f} MB {rss_pt:5.0f} MB")  # fmt: skip
    print(f"python -c 'import groundup': {import_time() * 1e3:.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
