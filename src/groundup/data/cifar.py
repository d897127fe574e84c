"""CIFAR-10: 60,000 32x32 colour images in 10 classes, parsed from the official binary archive.

Files are found, verified and downloaded as :mod:`groundup.data._download` describes: the one
file is ``cifar-10-binary.tar.gz`` (170 MB), under ``root=``, ``$GROUNDUP_DATA/cifar-10/`` or
the cache ``~/.cache/groundup/cifar-10/``. It is read in place, never unpacked to disk.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import numpy as np

from groundup.data._download import fetch

__all__ = ["CIFAR10_CLASSES", "CIFAR10_URL", "load_cifar10"]

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/"
"""Default location of ``cifar-10-binary.tar.gz`` (Alex Krizhevsky's page)."""

CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
"""The class names, by label 0-9 (as in the archive's ``batches.meta.txt``)."""

_ARCHIVE = "cifar-10-binary.tar.gz"
_FOLDER = "cifar-10-batches-bin"
_TRAIN = [f"data_batch_{i}.bin" for i in range(1, 6)]
_TEST = ["test_batch.bin"]
_RECORD = 1 + 3 * 32 * 32  # one label byte, then the red, green and blue 32x32 planes


def _parse_batches(archive: Path, tar: tarfile.TarFile, names: list[str]) -> tuple:
    """Read the given batch files of the archive into (X (N, 32, 32, 3) uint8, y (N,) int64)."""
    chunks = []
    for name in names:
        member = f"{_FOLDER}/{name}"
        try:
            f = tar.extractfile(member)
        except KeyError:
            f = None
        if f is None:
            raise ValueError(
                f"load_cifar10: {archive} has no file {member}; expected {_FOLDER}/ with "
                f"{', '.join(_TRAIN + _TEST)} (the binary version of CIFAR-10)"
            )
        raw = f.read()
        if len(raw) == 0 or len(raw) % _RECORD:
            raise ValueError(
                f"load_cifar10: {member} in {archive} holds {len(raw)} bytes, not a whole number "
                f"of {_RECORD}-byte records; truncated or corrupt file?"
            )
        chunks.append(np.frombuffer(raw, dtype=np.uint8).reshape(-1, _RECORD))
    records = np.concatenate(chunks)  # (N, 3073)
    y = records[:, 0].astype(np.int64)
    if y.max() > 9:
        raise ValueError(f"load_cifar10: expected labels 0-9 in {archive}, found {y.max()}")
    # (N, 3, 32, 32) planes -> (N, 32, 32, 3) pixels, a contiguous copy
    X = np.ascontiguousarray(records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return X, y


def load_cifar10(
    root: str | os.PathLike | None = None,
    download: bool = True,
    *,
    url: str | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load CIFAR-10: 50,000 training and 10,000 test 32x32 RGB images of 10 classes.

    Parses the binary version: batch files of 3,073-byte records, one label byte (0-9), then
    the 1,024 red values of the image row by row, then the 1,024 green, then the 1,024 blue.
    Class names by label: :data:`CIFAR10_CLASSES`.

    Parameters
    ----------
    root : str or os.PathLike, optional
        Folder holding ``cifar-10-binary.tar.gz``. Default: ``$GROUNDUP_DATA/cifar-10`` when
        that variable is set, else the cache ``$GROUNDUP_CACHE/cifar-10``
        (``~/.cache/groundup/cifar-10``).
    download : bool, default=True
        Download the archive into ``root`` or the cache when it is missing (never into
        ``GROUNDUP_DATA``: a file missing there raises).
    url : str, optional
        Base URL of a mirror; default ``$GROUNDUP_CIFAR10_URL``, else :data:`CIFAR10_URL`.

    Returns
    -------
    (X_train, y_train), (X_test, y_test) : tuple of tuples of ndarray
        ``X`` uint8 of shape ``(N, 32, 32, 3)``, channels last (Keras' layout; for
        ``nn.Conv2d`` use ``X.transpose(0, 3, 1, 2)``); ``y`` int64 of shape ``(N,)``.

    Raises
    ------
    FileNotFoundError
        The archive is missing under ``GROUNDUP_DATA``, or anywhere with ``download=False``.
    ChecksumError
        The archive's SHA-256 is not the official one.
    OSError
        The download failed; the message says where to place the archive.
    ValueError
        The archive lacks a batch file, or a batch is not whole records.

    Examples
    --------
    >>> (X_train, y_train), (X_test, y_test) = load_cifar10()  # doctest: +SKIP
    >>> X_train.shape, X_train.dtype, CIFAR10_CLASSES[y_train[0]]  # doctest: +SKIP
    ((50000, 32, 32, 3), dtype('uint8'), 'frog')
    """
    base = url or os.environ.get("GROUNDUP_CIFAR10_URL") or CIFAR10_URL
    archive = fetch("load_cifar10", "cifar-10", root, download, base)[_ARCHIVE]
    try:
        with tarfile.open(archive, "r:gz") as tar:
            train = _parse_batches(archive, tar, _TRAIN)
            test = _parse_batches(archive, tar, _TEST)
    except (tarfile.TarError, EOFError, OSError) as e:
        raise ValueError(f"load_cifar10: {archive} is not a readable .tar.gz ({e})") from e
    return train, test
