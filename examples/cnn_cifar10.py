"""A conv-BN-ReLU CNN on CIFAR-10 with groundup: per-channel normalisation, random crop + flip.

The model: ``groundup.models.SmallCNN`` for 3x32x32 images with three blocks (3x3 conv to
32, 64 and 128 maps, batch norm, ReLU, 2x2 max pool), dropout 0.25, a 256-unit hidden layer,
dropout 0.25 and the 10 logits. Data: ``groundup.data.load_cifar10`` (channels last, uint8),
moved to (N, 3, 32, 32) and standardised per channel with the training set's mean and std;
each training batch is augmented with ``groundup.data.random_crop`` (zero padding 4, i.e.
the mean colour after standardisation) and ``random_horizontal_flip``, vectorised over the
batch. Adam with a peak learning rate of 2e-3 annealed to 0 along a cosine, batch 128.

Needs ``cifar-10-binary.tar.gz`` (the official binary version, 170 MB) under ``--root``,
``$GROUNDUP_DATA/cifar-10/`` or the download cache; ``load_cifar10`` downloads it when allowed.
Prints the test accuracy after every epoch and at the end. ``--compare`` trains the PyTorch
twin from the same initial weights on the same augmented batches.

Not yet run on the real CIFAR-10 (the files were not on the machines this was written on):
the tests run it end to end on a small generated archive in the official format. Timed on
2,560 generated images with one BLAS thread on a busy 2-core machine, an epoch of the 50,000
would take about 6 minutes in groundup and 2 in PyTorch.

Run::

    python examples/cnn_cifar10.py [--epochs 20] [--compare]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
from _cnn_common import check_positive, parser, run, subset, torch_small_cnn

# Per-channel mean and std of the 50,000 training images, on the [0, 1] scale (R, G, B).
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
CHANNELS, HIDDEN, DROPOUT = (32, 64, 128), 256, 0.25


def prepare(X: np.ndarray) -> np.ndarray:
    """uint8 (N, 32, 32, 3) -> standardised float32 (N, 3, 32, 32)."""
    from groundup.data import normalize

    return normalize(X.transpose(0, 3, 1, 2), [255 * m for m in MEAN], [255 * s for s in STD])


def augment(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random 32x32 crop of each image padded by 4, then a left-right flip half the time."""
    from groundup.data import Compose, RandomCrop, RandomHorizontalFlip

    return Compose([RandomCrop(32, padding=4), RandomHorizontalFlip(0.5)])(X, rng=rng)


def main(argv: Sequence[str] | None = None) -> dict:
    """Parse ``argv``, train, print per-epoch and final accuracies; return the histories."""
    from groundup.data import load_cifar10
    from groundup.models import SmallCNN

    p = parser(__doc__.splitlines()[0], epochs=20, batch_size=128, lr=2e-3)
    p.add_argument("--no-augment", action="store_true", help="train without crop and flip")
    args = p.parse_args(argv)
    check_positive(args, ["epochs", "batch_size", "limit", "test_limit"])
    (X, y), (Xt, yt) = subset(load_cifar10(root=args.root), args.limit, args.test_limit)
    data = (prepare(X), y), (prepare(Xt), yt)
    shape = dict(channels=CHANNELS, hidden=HIDDEN, dropout=DROPOUT)

    def build():
        return SmallCNN(3, 10, 32, **shape)

    def build_torch():
        return torch_small_cnn(3, 10, 32, **shape)

    return run(args, data, build, build_torch, None if args.no_augment else augment)


if __name__ == "__main__":
    main(sys.argv[1:])
