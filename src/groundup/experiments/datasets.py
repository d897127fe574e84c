"""The datasets an experiment config can name, each loaded as ready-to-train NumPy arrays.

Images come as float32 ``(N, C, H, W)``, standardised per channel with the training set's
mean and standard deviation; labels as int64. Text comes as windows of ``seq_len``
character ids ``(N, seq_len)`` with the next character of each position as the target
(int64 ``(N, seq_len)``). Real datasets are read from ``$GROUNDUP_DATA`` (or the download
cache) by :mod:`groundup.data`; ``digits`` ships inside groundup and needs neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["DATA_DEFAULTS", "DATASETS", "Data", "load_data"]

# The [data] table: what every dataset understands (text ones also read seq_len).
DATA_DEFAULTS: dict[str, Any] = {
    "dataset": "digits",
    "limit": 0,  # keep the first N training examples (0: all)
    "val_limit": 0,  # keep the first N validation examples (0: all)
    "seq_len": 64,  # text: characters per training window
    "root": "",  # folder of the dataset files ("": $GROUNDUP_DATA, then the cache)
}


@dataclass
class Data:
    """Training and validation arrays, and what a model needs to know to fit them.

    ``info`` holds ``kind`` ("image" or "text"), and ``shape`` (C, H, W) plus
    ``num_classes`` for images, or ``vocab_size`` and ``seq_len`` for text.
    """

    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray]
    info: dict[str, Any] = field(default_factory=dict)


def _standardised(X_train: np.ndarray, X_val: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both sets scaled with the training set's per-channel mean and std (N, C, H, W)."""
    from groundup.data import normalize

    X_train = X_train.astype(np.float32)
    mean = X_train.mean(axis=(0, 2, 3))
    std = X_train.std(axis=(0, 2, 3))
    return normalize(X_train, mean, std), normalize(X_val.astype(np.float32), mean, std)


def _images(train: tuple, val: tuple, num_classes: int) -> Data:
    (X, y), (Xv, yv) = train, val
    if X.ndim == 3:  # grey (N, H, W) -> (N, 1, H, W)
        X, Xv = X[:, None], Xv[:, None]
    X, Xv = _standardised(X, Xv)
    info = {"kind": "image", "shape": tuple(X.shape[1:]), "num_classes": num_classes}
    return Data((X, y.astype(np.int64)), (Xv, yv.astype(np.int64)), info)


def _root(cfg: dict) -> str | None:
    return cfg["root"] or None


def _mnist(cfg: dict, seed: int) -> Data:
    from groundup.data import load_mnist

    return _images(*load_mnist(root=_root(cfg)), num_classes=10)


def _fashion_mnist(cfg: dict, seed: int) -> Data:
    from groundup.data import load_fashion_mnist

    return _images(*load_fashion_mnist(root=_root(cfg)), num_classes=10)


def _cifar10(cfg: dict, seed: int) -> Data:
    from groundup.data import load_cifar10

    return _images(*load_cifar10(root=_root(cfg)), num_classes=10)


def _digits(cfg: dict, seed: int) -> Data:
    """The 1,797 8x8 digits shipped with groundup, split 80/20 (stratified, by ``seed``)."""
    from groundup.data import load_digits, train_test_split

    X, y = load_digits(as_images=True)
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.2, random_state=seed, stratify=y
    )
    return _images((X_train, y_train), (X_val, y_val), num_classes=10)


def _shakespeare(cfg: dict, seed: int) -> Data:
    """Tiny Shakespeare as next-character windows: the first 90% trains, the rest validates."""
    from groundup.data import load_shakespeare
    from groundup.text import CharTokenizer

    text = load_shakespeare(root=_root(cfg))
    tokenizer = CharTokenizer().train(text)
    ids = np.asarray(tokenizer.encode(text), dtype=np.int64)
    split = int(0.9 * len(ids))
    L = cfg["seq_len"]
    info = {"kind": "text", "vocab_size": tokenizer.vocab_size, "seq_len": L}
    return Data(_windows(ids[:split], L), _windows(ids[split:], L), info)


def _windows(ids: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Back-to-back windows: inputs ids[s : s + L], targets ids[s + 1 : s + L + 1], (N, L)."""
    n = (len(ids) - 1) // seq_len
    X = ids[: n * seq_len].reshape(n, seq_len)
    Y = ids[1 : n * seq_len + 1].reshape(n, seq_len)
    return X, Y


DATASETS: dict[str, Callable[[dict, int], Data]] = {
    "digits": _digits,
    "mnist": _mnist,
    "fashion_mnist": _fashion_mnist,
    "cifar10": _cifar10,
    "shakespeare": _shakespeare,
}


def load_data(cfg: dict, seed: int) -> Data:
    """The dataset named by a resolved ``[data]`` table, cut to ``limit`` / ``val_limit``."""
    data = DATASETS[cfg["dataset"]](cfg, seed)
    keep, keep_val = cfg["limit"] or None, cfg["val_limit"] or None
    data.train = tuple(a[:keep] for a in data.train)
    data.val = tuple(a[:keep_val] for a in data.val)
    return data
