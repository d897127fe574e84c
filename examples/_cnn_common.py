"""What the CNN examples share: the command line, one training loop for groundup AND PyTorch,
and the side-by-side run with the PyTorch twin.

The loop is written once against a library namespace (``groundup`` or ``torch``): both get
the same initial weights (the state dict, copied), the same shuffled batches and the same
augmented images (drawn from NumPy generators seeded by ``--seed``, the same draws for both),
the same optimizer and learning-rate schedule. Only the dropout masks differ (each library
draws its own), so the two runs agree closely but not bit for bit.

Times are training seconds per epoch (the test pass is not counted). To compare them on a
busy or small machine, give both libraries one thread each:
``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python examples/cnn_mnist.py --compare``
(idle BLAS threads that spin while another process holds the cores slow either one a lot).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

import numpy as np


def parser(description: str, epochs: int, batch_size: int, lr: float) -> argparse.ArgumentParser:
    """The flags every CNN example takes, with the example's own defaults."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--epochs", type=int, default=epochs, help=f"passes over the data ({epochs})")
    p.add_argument("--batch-size", type=int, default=batch_size, help=f"({batch_size})")
    p.add_argument("--lr", type=float, default=lr, help=f"Adam's peak learning rate ({lr})")
    p.add_argument("--seed", type=int, default=0, help="seeds init, order and augmentation (0)")
    p.add_argument("--limit", type=int, default=None, help="train on the first N images only")
    p.add_argument("--test-limit", type=int, default=None, help="test on the first N images")
    p.add_argument("--root", default=None, help="dataset folder (default $GROUNDUP_DATA/...)")
    p.add_argument(
        "--compare",
        action="store_true",
        help="also train the same model in PyTorch (same init, batches, hyperparameters)",
    )
    return p


def subset(data: tuple, limit: int | None, test_limit: int | None) -> tuple:
    """The first ``limit`` training and ``test_limit`` test images (all when None)."""
    (X, y), (Xt, yt) = data
    return (X[:limit], y[:limit]), (Xt[:test_limit], yt[:test_limit])


def evaluate(lib, model, X: np.ndarray, y: np.ndarray, batch_size: int = 500) -> float:
    """Test accuracy in [0, 1] of ``model`` (a groundup or PyTorch module) in eval mode."""
    model.eval()
    correct = 0
    with lib.no_grad():
        for i in range(0, len(X), batch_size):
            logits = model(lib.from_numpy(X[i : i + batch_size]))
            correct += int((logits.argmax(dim=1).numpy() == y[i : i + batch_size]).sum())
    return correct / len(X)


def train(
    lib,
    model,
    data: tuple,
    args: argparse.Namespace,
    augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
    name: str = "groundup",
) -> dict:
    """Train ``model`` with Adam and a per-step cosine decay of the learning rate to 0.

    ``lib`` is ``groundup`` or ``torch``; the loop is the same line for line. Prints one line
    an epoch (mean training loss, test accuracy, seconds) and returns the history.
    """
    (X, y), (Xt, yt) = data
    F = lib.nn.functional
    opt = lib.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * -(-len(X) // args.batch_size)
    schedule = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    order_rng = np.random.default_rng(args.seed)  # the same draws for both libraries
    augment_rng = np.random.default_rng(args.seed + 1)
    history: dict = {"loss": [], "accuracy": [], "seconds": []}
    for epoch in range(args.epochs):
        start = time.perf_counter()
        model.train()
        order = order_rng.permutation(len(X))
        total = 0.0
        for i in range(0, len(X), args.batch_size):
            idx = order[i : i + args.batch_size]
            xb = X[idx] if augment is None else augment(X[idx], augment_rng)
            loss = F.cross_entropy(model(lib.from_numpy(xb)), lib.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
            total += loss.item() * len(idx)
        seconds = time.perf_counter() - start  # training only; the test pass is not counted
        accuracy = evaluate(lib, model, Xt, yt)
        history["loss"].append(total / len(X))
        history["accuracy"].append(accuracy)
        history["seconds"].append(seconds)
        print(
            f"{name} epoch {epoch + 1}/{args.epochs}: loss {total / len(X):.4f}, "
            f"test accuracy {100 * accuracy:.2f}%, {seconds:.1f} s",
            flush=True,
        )
    history["test_accuracy"] = history["accuracy"][-1] if history["accuracy"] else float("nan")
    history["train_seconds"] = sum(history["seconds"])
    return history


def run(
    args: argparse.Namespace,
    data: tuple,
    build: Callable[[], object],
    build_torch: Callable[[], object],
    augment: Callable | None = None,
) -> dict:
    """Train groundup's model (and with ``--compare`` its PyTorch twin); print the summary."""
    import groundup as gu

    gu.manual_seed(args.seed)
    model = build()
    initial = {k: np.array(v.numpy()) for k, v in model.state_dict().items()}
    results = {"groundup": train(gu, model, data, args, augment, "groundup")}
    if args.compare:
        import torch

        torch.manual_seed(args.seed)  # only dropout draws from it: the weights are copied
        twin = build_torch()
        twin.load_state_dict({k: torch.from_numpy(v) for k, v in initial.items()})
        results["torch"] = train(torch, twin, data, args, augment, "torch")
    print(f"training images: {len(data[0][0]):,}, test images: {len(data[1][0]):,}")
    for name, h in results.items():
        per_epoch = h["train_seconds"] / max(args.epochs, 1)
        print(
            f"{name}: test accuracy {100 * h['test_accuracy']:.2f}%, training "
            f"{h['train_seconds']:.1f} s ({per_epoch:.1f} s an epoch)"
        )
    if args.compare:
        gap = 100 * (results["groundup"]["test_accuracy"] - results["torch"]["test_accuracy"])
        ratio = results["groundup"]["train_seconds"] / results["torch"]["train_seconds"]
        print(f"groundup - torch: {gap:+.2f} points; time ratio groundup/torch {ratio:.2f}x")
    return results


def torch_small_cnn(
    in_channels: int,
    num_classes: int,
    image_size: int,
    channels: Sequence[int],
    convs_per_block: int = 1,
    hidden: int = 128,
    dropout: float = 0.25,
):
    """PyTorch's twin of ``groundup.models.SmallCNN``: the same layers under the same keys."""
    from torch import nn

    class SmallCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            layers, prev = [], in_channels
            for c in channels:
                for _ in range(convs_per_block):
                    layers += [nn.Conv2d(prev, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)]
                    layers.append(nn.ReLU())
                    prev = c
                layers.append(nn.MaxPool2d(2))
            self.features = nn.Sequential(*layers)
            side = image_size // 2 ** len(channels)
            self.classifier = nn.Sequential(
                nn.Flatten(),
                nn.Dropout(dropout),
                nn.Linear(prev * side * side, hidden),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden, num_classes),
            )

        def forward(self, x):
            return self.classifier(self.features(x))

    return SmallCNN()


def check_positive(args: argparse.Namespace, names: Sequence[str]) -> None:
    """Exit with argparse's message when a count flag is below 1."""
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be >= 1, got {value}")
