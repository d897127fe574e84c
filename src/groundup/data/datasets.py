"""Loaders for standard datasets, each returning plain NumPy arrays: one place to import them.

======================  =================================================  =================
loader                  returns                                            folder
======================  =================================================  =================
``load_mnist``          ``(X (N, 28, 28) uint8, y int64)``, train, test    ``mnist/``
``load_fashion_mnist``  the same, clothing                                 ``fashion-mnist/``
``load_cifar10``        ``(X (N, 32, 32, 3) uint8, y int64)``, train, test ``cifar-10/``
``load_shakespeare``    ``str``                                            ``shakespeare/``
``load_cora``           :class:`CoraGraph` (features, labels, edges, ...)  ``cora/``
``load_digits``         ``(X (1797, 64) float32, y int64)``                in the package
======================  =================================================  =================

Files are looked for in ``root=``, else ``$GROUNDUP_DATA/<folder>`` (where a missing or
corrupt file is an error), else the cache ``$GROUNDUP_CACHE/<folder>`` (default
``~/.cache/groundup/<folder>``), which is filled from the dataset's public URL on first use,
with a progress bar, a SHA-256 check and an atomic rename. Details: ``groundup.data._download``.
"""

from __future__ import annotations

from groundup.data._download import SHA256, ChecksumError, cache_dir
from groundup.data.cifar import CIFAR10_CLASSES, CIFAR10_URL, load_cifar10
from groundup.data.digits import load_digits
from groundup.data.graph import CORA_URL, CoraGraph, load_cora
from groundup.data.mnist import (
    FASHION_MNIST_URL,
    MNIST_FILES,
    MNIST_URL,
    load_fashion_mnist,
    load_mnist,
    read_idx,
)
from groundup.data.text import SHAKESPEARE_URL, load_shakespeare

__all__ = [
    "CIFAR10_CLASSES",
    "CIFAR10_URL",
    "CORA_URL",
    "FASHION_MNIST_URL",
    "MNIST_FILES",
    "MNIST_URL",
    "SHA256",
    "SHAKESPEARE_URL",
    "ChecksumError",
    "CoraGraph",
    "cache_dir",
    "load_cifar10",
    "load_cora",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist",
    "load_shakespeare",
    "read_idx",
]
