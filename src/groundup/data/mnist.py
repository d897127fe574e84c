"""MNIST and Fashion-MNIST: 28x28 grayscale images in the IDX format, as NumPy arrays.

Files are found, verified and downloaded as :mod:`groundup.data._download` describes.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from groundup.data._download import fetch

__all__ = [
    "FASHION_MNIST_URL",
    "MNIST_FILES",
    "MNIST_URL",
    "load_fashion_mnist",
    "load_mnist",
    "read_idx",
]

MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
"""Default mirror of the four original MNIST ``.gz`` files (the one torchvision uses)."""

FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
"""Default mirror of the four Fashion-MNIST ``.gz`` files (Zalando Research's own)."""

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
"""The four file names shared by MNIST and Fashion-MNIST."""

# IDX element types (third byte of the magic number) and their big-endian NumPy dtypes.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
_LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension


def read_idx(path: str | os.PathLike, expected_magic: int | None = None) -> np.ndarray:
    """Read one gzipped IDX file (the MNIST format) into a NumPy array.

    Header: the magic number ``0x0000TTDD`` (``TT`` the element type, ``DD`` the number of
    dimensions), then ``DD`` sizes, all 32-bit big-endian; then the elements, big-endian.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.gz`` IDX file.
    expected_magic : int, optional
        Raise unless the magic number equals this (2051 for images, 2049 for labels).

    Returns
    -------
    ndarray
        A writable array in native byte order, of the shape the header gives.

    Examples
    --------
    >>> images = read_idx("mnist/t10k-images-idx3-ubyte.gz", 2051)  # doctest: +SKIP
    >>> images.shape, images.dtype  # doctest: +SKIP
    ((10000, 28, 28), dtype('uint8'))
    """
    path = Path(path)
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (gzip.BadGzipFile, EOFError) as e:
        raise ValueError(f"read_idx: {path} is not a complete gzip file ({e})") from e
    if len(raw) < 4:
        raise ValueError(f"read_idx: {path} holds {len(raw)} bytes, too few for an IDX header")
    magic = int.from_bytes(raw[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(
            f"read_idx: {path} has magic number {magic} (0x{magic:08x}), "
            f"expected {expected_magic} (0x{expected_magic:08x}); wrong or corrupt file?"
        )
    type_code, ndim = raw[2], raw[3]
    if raw[:2] != b"\x00\x00" or type_code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(f"read_idx: {path} has magic number 0x{magic:08x}, not an IDX header")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"read_idx: {path} ends inside its {ndim}-dimension IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[type_code]
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"read_idx: {path} has shape {shape} in its header, so {expected} bytes unpacked, "
            f"but holds {len(raw)}; truncated or corrupt file?"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a native, writable copy


def _load_idx_dataset(
    name: str, paths: dict[str, Path]
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    splits = []
    for split in ("train", "test"):
        images_path = paths[MNIST_FILES[f"{split}_images"]]
        labels_path = paths[MNIST_FILES[f"{split}_labels"]]
        X = read_idx(images_path, _IMAGES_MAGIC)
        y = read_idx(labels_path, _LABELS_MAGIC)
        if X.shape[1:] != (28, 28):
            raise ValueError(f"{name}: expected 28x28 images in {images_path}, got {X.shape}")
        if len(X) != len(y):
            raise ValueError(
                f"{name}: {images_path} holds {len(X)} images but {labels_path} "
                f"holds {len(y)} labels"
            )
        if y.size and y.max() > 9:
            raise ValueError(f"{name}: expected labels 0-9 in {labels_path}, found {y.max()}")
        splits.append((X, y.astype(np.int64)))
    return splits[0], splits[1]


def load_mnist(
    root: str | os.PathLike | None = None,
    download: bool = True,
    *,
    url: str | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST, 70,000 handwritten digits: 60,000 for training, 10,000 for testing.

    Parameters
    ----------
    root : str or os.PathLike, optional
        Folder holding the four ``.gz`` files (``train-images-idx3-ubyte.gz``, ...). Default:
        ``$GROUNDUP_DATA/mnist`` when that variable is set, else the cache
        ``$GROUNDUP_CACHE/mnist`` (``~/.cache/groundup/mnist``).
    download : bool, default=True
        Download missing files into ``root`` or the cache. Never used with ``GROUNDUP_DATA``:
        a file missing there raises ``FileNotFoundError``.
    url : str, optional
        Base URL of a mirror; default ``$GROUNDUP_MNIST_URL``, else :data:`MNIST_URL`.

    Returns
    -------
    (X_train, y_train), (X_test, y_test) : tuple of tuples of ndarray
        ``X`` uint8 of shape ``(N, 28, 28)``, 0 background to 255 ink; ``y`` int64 of
        shape ``(N,)``, the digits 0-9.

    Raises
    ------
    FileNotFoundError
        A file is missing under ``GROUNDUP_DATA``, or anywhere with ``download=False``.
    ChecksumError
        A file's SHA-256 is not the one in :data:`SHA256`.
    OSError
        The download failed.
    ValueError
        A file is not a valid IDX file of the expected kind.

    Examples
    --------
    >>> (X_train, y_train), (X_test, y_test) = load_mnist()  # doctest: +SKIP
    >>> X_train.shape, X_train.dtype, y_train[:5]  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), array([5, 0, 4, 1, 9]))
    """
    base = url or os.environ.get("GROUNDUP_MNIST_URL") or MNIST_URL
    paths = fetch("load_mnist", "mnist", root, download, base)
    return _load_idx_dataset("mnist", paths)


def load_fashion_mnist(
    root: str | os.PathLike | None = None,
    download: bool = True,
    *,
    url: str | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load Fashion-MNIST, 70,000 clothing images in MNIST's format (60,000 train, 10,000 test).

    Classes 0-9: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag,
    Ankle boot.

    Parameters
    ----------
    root : str or os.PathLike, optional
        Folder holding the four ``.gz`` files. Default: ``$GROUNDUP_DATA/fashion-mnist`` when
        that variable is set, else the cache ``$GROUNDUP_CACHE/fashion-mnist``
        (``~/.cache/groundup/fashion-mnist``).
    download : bool, default=True
        Download missing files into ``root`` or the cache. Never used with ``GROUNDUP_DATA``.
    url : str, optional
        Base URL of a mirror; default ``$GROUNDUP_FASHION_MNIST_URL``, else
        :data:`FASHION_MNIST_URL`.

    Returns
    -------
    (X_train, y_train), (X_test, y_test) : tuple of tuples of ndarray
        ``X`` uint8 of shape ``(N, 28, 28)``; ``y`` int64 of shape ``(N,)``.

    Raises
    ------
    FileNotFoundError, ChecksumError, OSError, ValueError
        As for :func:`load_mnist`.

    Examples
    --------
    >>> (X_train, y_train), (X_test, y_test) = load_fashion_mnist()  # doctest: +SKIP
    >>> X_test.shape, y_test.dtype  # doctest: +SKIP
    ((10000, 28, 28), dtype('int64'))
    """
    base = url or os.environ.get("GROUNDUP_FASHION_MNIST_URL") or FASHION_MNIST_URL
    paths = fetch("load_fashion_mnist", "fashion-mnist", root, download, base)
    return _load_idx_dataset("fashion-mnist", paths)
