"""Data: datasets and loaders, splits, toy-data generators, and standard dataset files.

- :class:`Dataset`, :class:`TensorDataset`, :class:`DataLoader` (PyTorch's names and batching).
- :func:`one_hot`, :func:`train_test_split`, :class:`KFold`, :class:`StratifiedKFold`
  (scikit-learn's splits, same indices for the same seed).
- Generators returning NumPy arrays: :func:`make_regression`, :func:`make_classification`,
  :func:`make_blobs`, :func:`make_moons`, :func:`make_circles`, :func:`make_spirals`.
- Loaders returning NumPy arrays: :func:`load_mnist`, :func:`load_fashion_mnist`,
  :func:`load_cifar10`, :func:`load_shakespeare`, :func:`load_cora`, and :func:`load_digits`
  (shipped inside the package, works offline). See :mod:`groundup.data.datasets`.
- Batch image transforms on arrays (N, C, H, W): :func:`normalize`, :func:`random_crop`,
  :func:`random_horizontal_flip` and torchvision-style :class:`Compose` of :class:`Normalize`,
  :class:`RandomCrop`, :class:`RandomHorizontalFlip`. See :mod:`groundup.data.transforms`.

Examples
--------
>>> import groundup as gu
>>> from groundup.data import DataLoader, TensorDataset, make_moons
>>> X, y = make_moons(100, noise=0.1, random_state=0)
>>> loader = DataLoader(TensorDataset(X.astype("float32"), y), batch_size=32, shuffle=True)
>>> xb, yb = next(iter(loader))
>>> xb.shape, xb.dtype, yb.dtype
((32, 2), dtype('float32'), dtype('int64'))
"""

from groundup.data.dataloader import DataLoader, default_collate
from groundup.data.dataset import Dataset, TensorDataset
from groundup.data.datasets import (
    CIFAR10_CLASSES,
    ChecksumError,
    CoraGraph,
    load_cifar10,
    load_cora,
    load_digits,
    load_fashion_mnist,
    load_mnist,
    load_shakespeare,
)
from groundup.data.encoding import one_hot
from groundup.data.generators import (
    make_blobs,
    make_circles,
    make_classification,
    make_moons,
    make_regression,
    make_spirals,
)
from groundup.data.splits import KFold, StratifiedKFold, train_test_split
from groundup.data.transforms import (
    Compose,
    Normalize,
    RandomCrop,
    RandomHorizontalFlip,
    normalize,
    random_crop,
    random_horizontal_flip,
)

__all__ = [
    "CIFAR10_CLASSES",
    "ChecksumError",
    "Compose",
    "CoraGraph",
    "DataLoader",
    "Dataset",
    "KFold",
    "Normalize",
    "RandomCrop",
    "RandomHorizontalFlip",
    "StratifiedKFold",
    "TensorDataset",
    "default_collate",
    "load_cifar10",
    "load_cora",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist",
    "load_shakespeare",
    "make_blobs",
    "make_circles",
    "make_classification",
    "make_moons",
    "make_regression",
    "make_spirals",
    "normalize",
    "one_hot",
    "random_crop",
    "random_horizontal_flip",
    "train_test_split",
]
