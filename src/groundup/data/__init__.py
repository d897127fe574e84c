"""Data: dataset loaders returning NumPy arrays (and, later, Dataset and DataLoader)."""

from groundup.data.datasets import ChecksumError, load_fashion_mnist, load_mnist

__all__ = ["ChecksumError", "load_fashion_mnist", "load_mnist"]
