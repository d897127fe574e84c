"""Loaders for standard datasets, returned as plain NumPy arrays.

Where the files come from, in this order:

1. ``root=``: a folder holding the dataset's files (downloaded into it when missing and
   ``download=True``).
2. ``$GROUNDUP_DATA/<name>/``: a prepared copy. A missing or corrupt file there is an error,
   never a reason to download or skip, so CI that sets the variable always tests real data.
3. A cache, ``$GROUNDUP_CACHE/<name>/`` (default ``~/.cache/groundup/<name>/``), filled on
   first use from a mirror: ``url=``, else ``$GROUNDUP_MNIST_URL`` (or
   ``$GROUNDUP_FASHION_MNIST_URL``), else :data:`MNIST_URL` (:data:`FASHION_MNIST_URL`).

Every file is checked against the SHA-256 in :data:`SHA256` each time it is loaded: hashing
the 10 MB of MNIST takes a few milliseconds, less than unpacking it, and it catches a truncated
download or a file edited in place wherever it came from. Downloads go to a temporary file in
the target folder and are renamed into place only once their checksum matches, so a failed or
corrupted download never leaves a file behind.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

__all__ = [
    "FASHION_MNIST_URL",
    "MNIST_URL",
    "SHA256",
    "ChecksumError",
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

SHA256: dict[str, dict[str, str]] = {
    "mnist": {
        "train-images-idx3-ubyte.gz": (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
        ),
        "train-labels-idx1-ubyte.gz": (
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
        ),
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
        ),
        "train-labels-idx1-ubyte.gz": (
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
        ),
    },
}
"""SHA-256 of every file a loader reads, by dataset name, then file name."""

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


class ChecksumError(ValueError):
    """A dataset file's SHA-256 differs from the one in :data:`SHA256`."""


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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_file(path: Path, sha256: str) -> None:
    got = _sha256(path)
    if got != sha256:
        raise ChecksumError(
            f"{path}: SHA-256 is {got}, expected {sha256}; the file is corrupt or a different "
            f"version. Delete it to download it again (or fix the copy under GROUNDUP_DATA)."
        )


def _download(url: str, dest: Path, sha256: str) -> None:
    """Fetch url to dest atomically: a temporary file, checked, then renamed into place."""
    from tqdm.auto import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name, leave=False) as bar:
                for block in iter(lambda: response.read(1 << 16), b""):
                    out.write(block)
                    h.update(block)
                    bar.update(len(block))
        if h.hexdigest() != sha256:
            raise ChecksumError(
                f"download of {url}: SHA-256 is {h.hexdigest()}, expected {sha256}; "
                f"the mirror served a different or damaged file"
            )
        os.replace(tmp, dest)
    except urllib.error.URLError as e:
        raise OSError(
            f"could not download {url}: {getattr(e, 'reason', e)}. Set GROUNDUP_DATA to a "
            f"folder holding the files (or pass root=), or name another mirror (url=)."
        ) from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _cache_dir(name: str) -> Path:
    base = os.environ.get("GROUNDUP_CACHE")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "groundup")
    return Path(base) / name


def _fetch(
    name: str,
    root: str | os.PathLike | None,
    download: bool,
    url: str | None,
    url_env: str,
    default_url: str,
) -> dict[str, Path]:
    """Resolve, check and if need be download the files of one dataset; return their paths."""
    sums = SHA256[name]
    env_data = os.environ.get("GROUNDUP_DATA")
    if root is None and env_data:
        folder = Path(env_data) / name
        paths = {f: folder / f for f in sums}
        for f, path in paths.items():
            if not path.is_file():
                raise FileNotFoundError(
                    f"GROUNDUP_DATA={env_data} is set, but {path} is missing: expected the "
                    f"{name} files {sorted(sums)} in {folder}. Fix the folder, or unset "
                    f"GROUNDUP_DATA to download into the cache."
                )
            _check_file(path, sums[f])
        return paths

    folder = Path(root) if root is not None else _cache_dir(name)
    base = url or os.environ.get(url_env) or default_url
    paths = {}
    for f, sha256 in sums.items():
        path = folder / f
        if not path.is_file():
            if not download:
                raise FileNotFoundError(
                    f"{path} is missing and download=False; pass download=True, or set "
                    f"GROUNDUP_DATA to a folder holding {name}/{f}"
                )
            _download(base.rstrip("/") + "/" + f, path, sha256)
        else:
            _check_file(path, sha256)
        paths[f] = path
    return paths


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
    paths = _fetch("mnist", root, download, url, "GROUNDUP_MNIST_URL", MNIST_URL)
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
    paths = _fetch(
        "fashion-mnist", root, download, url, "GROUNDUP_FASHION_MNIST_URL", FASHION_MNIST_URL
    )
    return _load_idx_dataset("fashion-mnist", paths)
