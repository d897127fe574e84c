"""Find, verify and download dataset files: the machinery every ``load_*`` function shares.

Where a dataset's files come from, in this order:

1. ``root=``: a folder holding the files (missing ones are downloaded into it).
2. ``$GROUNDUP_DATA/<name>/``: a prepared copy. A missing or corrupt file there is an error,
   never a reason to download or skip, so CI that sets the variable always tests real data.
3. A cache, ``$GROUNDUP_CACHE/<name>/`` (default ``$XDG_CACHE_HOME/groundup/<name>/``, that is
   ``~/.cache/groundup/<name>/``), filled on first use from the dataset's public URL.

Every file is checked against its SHA-256 in :data:`SHA256` each time it is loaded: hashing is
faster than parsing, and it catches a truncated download or a file edited in place wherever it
came from. A file ``f`` may also be stored gzipped as ``f.gz``; then the checksum is that of
the unpacked bytes (Cora ships gzipped in ``$GROUNDUP_DATA`` but plain on the web). Downloads
go to a temporary file in the target folder and are renamed into place only once complete and
matching their checksum, so a failed download never leaves a file behind.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import zlib
from pathlib import Path

__all__ = ["SHA256", "ChecksumError", "cache_dir", "fetch", "read_bytes"]

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
    "cifar-10": {
        "cifar-10-binary.tar.gz": (
            "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
        ),
    },
    "shakespeare": {
        "input.txt": "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    },
    "cora": {  # of the plain text files; the copies in GROUNDUP_DATA are gzipped
        "cora.content": "b8ebed0fd45e53995abafd1b70cf6a9fcc8f86abc5826d69b97fe6ca46e9c8ee",
        "cora.cites": "ec1a372391b7f0f60a6aff0084e8abd8f19f0faa7e1f2441a41c492042d5945e",
    },
}
"""SHA-256 of every file a loader reads, by dataset (its folder name), then file name."""

_BLOCK = 1 << 20


class ChecksumError(ValueError):
    """A dataset file's SHA-256 differs from the one in :data:`SHA256`."""


def cache_dir(name: str) -> Path:
    """The cache folder of one dataset: ``$GROUNDUP_CACHE/<name>``, else ``~/.cache/groundup``.

    Examples
    --------
    >>> cache_dir("mnist").name
    'mnist'
    """
    base = os.environ.get("GROUNDUP_CACHE")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "groundup")
    return Path(base) / name


def _sha256(path: Path, gunzip: bool = False) -> str:
    h = hashlib.sha256()
    try:
        with gzip.open(path, "rb") if gunzip else open(path, "rb") as f:
            for block in iter(lambda: f.read(_BLOCK), b""):
                h.update(block)
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise ChecksumError(
            f"{path} is not a complete gzip file ({e}); the file is corrupt or truncated. "
            f"Delete it to download it again (or fix the copy under GROUNDUP_DATA)."
        ) from e
    return h.hexdigest()


def _check_file(path: Path, sha256: str, gunzip: bool = False) -> None:
    got = _sha256(path, gunzip)
    if got != sha256:
        raise ChecksumError(
            f"{path}: SHA-256 is {got}, expected {sha256}; the file is corrupt or a different "
            f"version. Delete it to download it again (or fix the copy under GROUNDUP_DATA)."
        )


def _locate(folder: Path, file: str) -> Path | None:
    """The file, or its gzipped twin ``file.gz``, in folder; None when neither is there."""
    for path in (folder / file, folder / (file + ".gz")):
        if path.is_file():
            return path
    return None


def _download(url: str, dest: Path, sha256: str) -> None:
    """Fetch url to dest atomically: a temporary file, checked, then renamed into place."""
    import urllib.request  # here, not at the top: it costs ~15 ms and most loads need no network

    from tqdm.auto import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        h, got = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name, leave=False) as bar:
                for block in iter(lambda: response.read(1 << 16), b""):
                    out.write(block)
                    h.update(block)
                    got += len(block)
                    bar.update(len(block))
        if total is not None and got != total:
            raise OSError(f"the connection closed after {got} of {total} bytes")
        if h.hexdigest() != sha256:
            raise ChecksumError(
                f"download of {url}: SHA-256 is {h.hexdigest()}, expected {sha256}; "
                f"the mirror served a different or damaged file"
            )
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _place_hint(name: str, files: list[str], folder: Path) -> str:
    listed = ", ".join(files)
    return (
        f"To work offline, place {listed} in {folder} (or in a folder you pass as root=, "
        f"or in $GROUNDUP_DATA/{name}/)."
    )


def fetch(
    who: str,
    name: str,
    root: str | os.PathLike | None,
    download: bool,
    base_url: str,
) -> dict[str, Path]:
    """Resolve, check and if need be download one dataset's files; return their paths.

    Parameters
    ----------
    who : str
        The public function asking, for messages (``"load_cora"``).
    name : str
        The dataset: a key of :data:`SHA256` and its folder name under ``GROUNDUP_DATA`` and
        the cache.
    root : str or os.PathLike or None
        A folder given by the user; None to use ``GROUNDUP_DATA`` or the cache.
    download : bool
        Download missing files (never from ``GROUNDUP_DATA``).
    base_url : str
        The files are downloaded from ``base_url + "/" + file name``.

    Returns
    -------
    dict
        File name (as in :data:`SHA256`) to the path found, possibly ``name + ".gz"``.

    Raises
    ------
    FileNotFoundError
        A file is missing under ``GROUNDUP_DATA``, or anywhere with ``download=False``.
    ChecksumError
        A file's SHA-256 is not the registered one.
    OSError
        The download failed; the message says which files to place where.

    Examples
    --------
    >>> fetch("load_mnist", "mnist", None, True, MNIST_URL)  # doctest: +SKIP
    {'train-images-idx3-ubyte.gz': PosixPath('/root/.cache/groundup/mnist/train-...'), ...}
    """
    sums = SHA256[name]
    env_data = os.environ.get("GROUNDUP_DATA")
    if root is None and env_data:
        folder = Path(env_data) / name
        paths = {f: _locate(folder, f) for f in sums}
        missing = [f for f, path in paths.items() if path is None]
        if missing:
            raise FileNotFoundError(
                f"GROUNDUP_DATA={env_data} is set, but {folder / missing[0]} is missing: {who} "
                f"expects the {name} files {sorted(sums)} in {folder}. Place them there, pass "
                f"root=, or unset GROUNDUP_DATA to download into the cache."
            )
        for f, path in paths.items():
            _check_file(path, sums[f], gunzip=path.name != f)
        return paths

    folder = Path(root) if root is not None else cache_dir(name)
    paths = {f: _locate(folder, f) for f in sums}
    missing = [f for f, path in paths.items() if path is None]
    if missing and not download:
        raise FileNotFoundError(
            f"{who}: {folder / missing[0]} is missing and download=False. "
            + _place_hint(name, missing, folder)
        )
    for f, path in paths.items():
        if path is not None:
            _check_file(path, sums[f], gunzip=path.name != f)
    import http.client
    import urllib.error

    for i, f in enumerate(missing):
        url = base_url.rstrip("/") + "/" + f
        try:
            _download(url, folder / f, sums[f])
        except ChecksumError:
            raise
        except (OSError, http.client.HTTPException) as e:
            reason = e.reason if isinstance(e, urllib.error.URLError) else e
            raise OSError(
                f"{who}: could not download {url}: {reason}. "
                + _place_hint(name, missing[i:], folder)
            ) from e
        paths[f] = folder / f
    return paths


def read_bytes(path: Path, file: str) -> bytes:
    """The content of ``file`` as :func:`fetch` found it at path, unpacked if it is ``file.gz``.

    Examples
    --------
    >>> read_bytes(Path("cora/cora.cites.gz"), "cora.cites")[:2]  # doctest: +SKIP
    b'35'
    """
    if path.name == file:
        return path.read_bytes()
    with gzip.open(path, "rb") as f:
        return f.read()
