"""Convolution benchmark: groundup vs PyTorch in one process, same data and weights, medians.

(a) Conv2d forward + backward (input, weight and bias gradients): input (64, 32, 32, 32),
    64 output channels, 3x3 kernel, padding 1, float32;
(b) one training step of LeNet-5 (conv 1->6 5x5 pad 2, ReLU, max-pool 2, conv 6->16 5x5,
    ReLU, max-pool 2, flatten, 400-120-84-10 with ReLUs), batch 64 of 1x28x28, Adam (lr 1e-3),
    cross-entropy: forward, backward, optimizer step.

Run: ``python benchmarks/bench_conv.py [--repeats 9] [--threads 1]``. ``--threads 1`` runs both
libraries on one thread (it sets OPENBLAS_NUM_THREADS before NumPy loads, and
torch.set_num_threads): on a loaded machine a multi-threaded BLAS call whose partner thread is
descheduled spins, and then the timings say more about the load than about the code.
The two libraries alternate repeat by repeat, so a burst of load on a shared machine hits
both; the table shows medians and the ratio groundup/PyTorch. Record it in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time

if __name__ == "__main__" and "--threads" in sys.argv:  # before NumPy starts its BLAS threads
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np  # noqa: E402
import torch  # noqa: E402

import groundup as gu  # noqa: E402
from groundup import nn, optim  # noqa: E402


def time_pair(fn_a, fn_b, repeats: int, warmup: int = 2) -> tuple[float, float]:
    """Median seconds of fn_a and fn_b, run alternately."""
    for _ in range(warmup):
        fn_a()
        fn_b()
    times_a, times_b = [], []
    for _ in range(repeats):
        for fn, times in ((fn_a, times_a), (fn_b, times_b)):
            gc.collect()
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(times_a), statistics.median(times_b)


def copy_weights(ours: nn.Module, ref: torch.nn.Module) -> None:
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})


# ----------------------------------------------------------------------------- (a) one conv
def conv_step(lib_nn, conv, x: np.ndarray, g: np.ndarray, lib):
    xt = lib.tensor(x, requires_grad=True)
    gt = lib.tensor(g)

    def step():
        xt.grad = None
        conv.zero_grad()
        y = conv(xt)
        y.backward(gt)
        return xt.grad

    return step


# ----------------------------------------------------------------------------- (b) LeNet-5
def lenet(lib_nn):
    return lib_nn.Sequential(
        lib_nn.Conv2d(1, 6, 5, padding=2),
        lib_nn.ReLU(),
        lib_nn.MaxPool2d(2),
        lib_nn.Conv2d(6, 16, 5),
        lib_nn.ReLU(),
        lib_nn.MaxPool2d(2),
        lib_nn.Flatten(),
        lib_nn.Linear(400, 120),
        lib_nn.ReLU(),
        lib_nn.Linear(120, 84),
        lib_nn.ReLU(),
        lib_nn.Linear(84, 10),
    )


def train_step(lib, model, opt, loss_fn, X: np.ndarray, y: np.ndarray):
    xb, yb = lib.tensor(X), lib.tensor(y)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--threads", type=int, default=None, help="threads for both libraries")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    rows = []

    torch.manual_seed(0)
    ref = torch.nn.Conv2d(32, 64, 3, padding=1)
    ours = nn.Conv2d(32, 64, 3, padding=1)
    copy_weights(ours, ref)
    x = rng.standard_normal((64, 32, 32, 32), dtype=np.float32)
    g = rng.standard_normal((64, 64, 32, 32), dtype=np.float32)
    a, b = conv_step(nn, ours, x, g, gu), conv_step(torch.nn, ref, x, g, torch)
    np.testing.assert_allclose(a().numpy(), b().numpy(), rtol=1e-3, atol=1e-3)
    t_gu, t_torch = time_pair(a, b, args.repeats)
    rows.append(("(a) Conv2d 32->64 3x3 pad 1, (64,32,32,32) fwd+bwd", t_gu, t_torch, 1.5))

    torch.manual_seed(0)
    ref_net, our_net = lenet(torch.nn), lenet(nn)
    copy_weights(our_net, ref_net)
    X = rng.random((64, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    a = train_step(gu, our_net, optim.Adam(our_net.parameters(), lr=1e-3),
                   nn.CrossEntropyLoss(), X, y)  # fmt: skip
    b = train_step(torch, ref_net, torch.optim.Adam(ref_net.parameters(), lr=1e-3),
                   torch.nn.CrossEntropyLoss(), X, y)  # fmt: skip
    for _ in range(3):  # same trajectory: the losses agree step by step
        la, lb = a().item(), b().item()
    assert abs(la - lb) < 1e-4, (la, lb)
    t_gu, t_torch = time_pair(a, b, args.repeats * 5, warmup=5)
    rows.append(("(b) LeNet-5 Adam step, batch 64", t_gu, t_torch, 1.5))

    print(
        f"cores: {os.cpu_count()}  torch {torch.__version__} (threads {torch.get_num_threads()})"
        f"  numpy {np.__version__} (OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')},"
        f" OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')})"
    )
    print(f"{'benchmark':52s} {'groundup':>12s} {'pytorch':>12s} {'ratio':>7s} {'target':>7s}")
    for name, t_a, t_b, target in rows:
        print(f"{name:52s} {t_a * 1e3:9.3f} ms {t_b * 1e3:9.3f} ms {t_a / t_b:7.2f} {target:7.2f}")


if __name__ == "__main__":
    main()
