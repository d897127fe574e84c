"""Tests of groundup.data.datasets: real MNIST files, and downloads from a local mirror."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import os
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

from groundup.data import ChecksumError, datasets, load_fashion_mnist, load_mnist

FILES = list(datasets.MNIST_FILES.values())

# Label counts and first labels from shared/datasets/README.md (and the files themselves).
REAL = {
    "mnist": dict(
        loader=load_mnist,
        train_counts=[5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
        test_counts=[980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
        train_first=[5, 0, 4, 1, 9, 2, 1, 3, 1, 4],
        test_first=[7, 2, 1, 0, 4, 1, 4, 9, 5, 9],
    ),
    "fashion-mnist": dict(
        loader=load_fashion_mnist,
        train_counts=[6000] * 10,
        test_counts=[1000] * 10,
        train_first=[9, 0, 0, 3, 0, 2, 7, 2, 5, 5],
        test_first=[9, 2, 1, 1, 6, 1, 4, 6, 5, 7],
    ),
}


# ---------------------------------------------------------------- real data (GROUNDUP_DATA)


@pytest.fixture
def groundup_data() -> Path:
    """The real data folder; skip only when GROUNDUP_DATA is unset."""
    value = os.environ.get("GROUNDUP_DATA")
    if not value:
        pytest.skip("GROUNDUP_DATA is not set")
    return Path(value)


@pytest.mark.parametrize("name", sorted(REAL))
def test_load_real_dataset_shapes_dtypes_and_labels(groundup_data, name):
    ref = REAL[name]
    (X_train, y_train), (X_test, y_test) = ref["loader"]()
    assert X_train.shape == (60000, 28, 28) and X_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert X_train.dtype == np.uint8 and X_test.dtype == np.uint8
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert np.bincount(y_train, minlength=10).tolist() == ref["train_counts"]
    assert np.bincount(y_test, minlength=10).tolist() == ref["test_counts"]
    assert y_train[:10].tolist() == ref["train_first"]
    assert y_test[:10].tolist() == ref["test_first"]
    assert X_train.max() == 255 and X_train.min() == 0
    assert X_train.flags.writeable


def test_load_mnist_root_argument_reads_real_files(groundup_data, monkeypatch):
    monkeypatch.delenv("GROUNDUP_DATA")
    _, (X_test, y_test) = load_mnist(root=groundup_data / "mnist", download=False)
    assert X_test.shape == (10000, 28, 28) and y_test[:3].tolist() == [7, 2, 1]


# ---------------------------------------------------------------- generated files, local mirror


def write_idx(path: Path, array: np.ndarray, magic: int | None = None) -> None:
    """Write a uint8 array as a gzipped IDX file; magic overrides the true magic number."""
    if magic is None:
        magic = 0x0800 + array.ndim
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def small_mnist(tmp_path) -> dict:
    """A tiny MNIST-format dataset (12 train, 5 test) in tmp_path/mirror, and its checksums."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "mirror"
    folder.mkdir()
    arrays = {
        "train_images": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, 12, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, 5, dtype=np.uint8),
    }
    for key, array in arrays.items():
        write_idx(folder / datasets.MNIST_FILES[key], array)
    sums = {f: sha256(folder / f) for f in FILES}
    return {"folder": folder, "arrays": arrays, "sums": sums}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def log_message(self, format, *args):  # keep test output clean
        pass

    def do_GET(self):
        self.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def mirror(small_mnist):
    """Serve small_mnist's folder over HTTP on 127.0.0.1; yield (base url, request log)."""
    requests: list[str] = []
    handler = type("Handler", (_QuietHandler,), {"requests": requests})
    handler = functools.partial(handler, directory=str(small_mnist["folder"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def cache(tmp_path, monkeypatch, small_mnist) -> Path:
    """An empty cache, no GROUNDUP_DATA, and the small files' checksums in the table."""
    monkeypatch.delenv("GROUNDUP_DATA", raising=False)
    monkeypatch.delenv("GROUNDUP_MNIST_URL", raising=False)
    monkeypatch.delenv("GROUNDUP_FASHION_MNIST_URL", raising=False)
    monkeypatch.setenv("GROUNDUP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(datasets.SHA256, "mnist", dict(small_mnist["sums"]))
    monkeypatch.setitem(datasets.SHA256, "fashion-mnist", dict(small_mnist["sums"]))
    return tmp_path / "cache"


def assert_matches(result, arrays) -> None:
    (X_train, y_train), (X_test, y_test) = result
    np.testing.assert_array_equal(X_train, arrays["train_images"])
    np.testing.assert_array_equal(X_test, arrays["test_images"])
    np.testing.assert_array_equal(y_train, arrays["train_labels"])
    np.testing.assert_array_equal(y_test, arrays["test_labels"])
    assert X_train.dtype == np.uint8 and y_train.dtype == np.int64


@pytest.mark.parametrize(
    "loader, name", [(load_mnist, "mnist"), (load_fashion_mnist, "fashion-mnist")]
)
def test_loader_downloads_into_cache_once(cache, mirror, small_mnist, loader, name):
    url, requests = mirror
    assert_matches(loader(url=url), small_mnist["arrays"])
    assert sorted(p.name for p in (cache / name).iterdir()) == sorted(FILES)
    assert len(requests) == 4
    assert_matches(loader(url=url), small_mnist["arrays"])  # now from the cache
    assert len(requests) == 4


def test_load_mnist_url_from_environment(cache, mirror, small_mnist, monkeypatch):
    monkeypatch.setenv("GROUNDUP_MNIST_URL", mirror[0])
    assert_matches(load_mnist(), small_mnist["arrays"])


def test_load_mnist_downloads_into_root(cache, mirror, small_mnist, tmp_path):
    root = tmp_path / "mine"
    assert_matches(load_mnist(root=root, url=mirror[0]), small_mnist["arrays"])
    assert sorted(p.name for p in root.iterdir()) == sorted(FILES)
    assert not cache.exists()


def test_load_mnist_corrupted_download_raises_and_leaves_no_file(cache, mirror, monkeypatch):
    monkeypatch.setitem(datasets.SHA256["mnist"], "t10k-images-idx3-ubyte.gz", "0" * 64)
    with pytest.raises(ChecksumError, match="t10k-images-idx3-ubyte.gz: SHA-256 is"):
        load_mnist(url=mirror[0])
    left = sorted(p.name for p in (cache / "mnist").iterdir())
    assert "t10k-images-idx3-ubyte.gz" not in left
    assert not [name for name in left if name.endswith(".part")]


def test_load_mnist_corrupt_cached_file_raises(cache, mirror):
    load_mnist(url=mirror[0])
    path = cache / "mnist" / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ChecksumError, match="Delete it to download it again"):
        load_mnist(url=mirror[0])


def test_load_mnist_missing_file_on_mirror_raises_oserror(cache, mirror, small_mnist):
    (small_mnist["folder"] / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(OSError, match="could not download .*t10k-labels-idx1-ubyte.gz"):
        load_mnist(url=mirror[0])
    assert not (cache / "mnist" / "t10k-labels-idx1-ubyte.gz").exists()


def test_load_mnist_unreachable_mirror_raises_oserror(cache):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(OSError, match="could not download"):
        load_mnist(url=f"http://127.0.0.1:{port}/")


def test_load_mnist_download_false_raises_when_missing(cache):
    with pytest.raises(FileNotFoundError, match="download=False"):
        load_mnist(download=False)


def test_groundup_data_missing_file_raises(cache, tmp_path, monkeypatch, mirror):
    (tmp_path / "data" / "mnist").mkdir(parents=True)
    monkeypatch.setenv("GROUNDUP_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("GROUNDUP_MNIST_URL", mirror[0])
    with pytest.raises(FileNotFoundError, match="GROUNDUP_DATA=.* is set, but .* is missing"):
        load_mnist()
    assert mirror[1] == []  # never falls back to downloading
    assert not cache.exists()


def test_groundup_data_corrupt_file_raises(cache, tmp_path, monkeypatch, small_mnist):
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    for f in FILES:
        (folder / f).write_bytes((small_mnist["folder"] / f).read_bytes())
    monkeypatch.setenv("GROUNDUP_DATA", str(tmp_path / "data"))
    assert_matches(load_mnist(), small_mnist["arrays"])
    with open(folder / "train-images-idx3-ubyte.gz", "ab") as f:
        f.write(b"\0")
    with pytest.raises(ChecksumError, match="train-images-idx3-ubyte.gz: SHA-256 is"):
        load_mnist()


def test_load_mnist_bad_magic_number_raises(cache, small_mnist, tmp_path, monkeypatch):
    root = tmp_path / "root"
    root.mkdir()
    for f in FILES:
        (root / f).write_bytes((small_mnist["folder"] / f).read_bytes())
    bad = root / "train-images-idx3-ubyte.gz"
    write_idx(bad, small_mnist["arrays"]["train_images"], magic=2049)
    monkeypatch.setitem(datasets.SHA256["mnist"], bad.name, sha256(bad))
    with pytest.raises(ValueError, match=r"magic number 2049 \(0x00000801\), expected 2051"):
        load_mnist(root=root)


def test_load_mnist_image_label_count_mismatch_raises(cache, small_mnist, tmp_path, monkeypatch):
    root = tmp_path / "root"
    root.mkdir()
    for f in FILES:
        (root / f).write_bytes((small_mnist["folder"] / f).read_bytes())
    bad = root / "t10k-labels-idx1-ubyte.gz"
    write_idx(bad, np.zeros(4, np.uint8))
    monkeypatch.setitem(datasets.SHA256["mnist"], bad.name, sha256(bad))
    with pytest.raises(ValueError, match="holds 5 images but .* holds 4 labels"):
        load_mnist(root=root, download=False)


# ---------------------------------------------------------------- read_idx


def test_read_idx_roundtrip_is_native_and_writable(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a.gz", array)
    got = datasets.read_idx(tmp_path / "a.gz", expected_magic=0x0803)
    np.testing.assert_array_equal(got, array)
    assert got.dtype == np.uint8 and got.flags.writeable


def test_read_idx_int32_big_endian(tmp_path):
    array = np.array([1, -2, 70000], dtype=">i4")
    with gzip.open(tmp_path / "a.gz", "wb") as f:
        f.write(bytes([0, 0, 0x0C, 1]) + (3).to_bytes(4, "big") + array.tobytes())
    got = datasets.read_idx(tmp_path / "a.gz")
    assert got.dtype == np.int32 and got.tolist() == [1, -2, 70000]


def test_read_idx_truncated_data_raises(tmp_path):
    with gzip.open(tmp_path / "a.gz", "wb") as f:
        f.write(bytes([0, 0, 8, 1]) + (10).to_bytes(4, "big") + bytes(7))
    with pytest.raises(ValueError, match=r"shape \(10,\) in its header, so 18 bytes .* holds 15"):
        datasets.read_idx(tmp_path / "a.gz")


def test_read_idx_not_idx_raises(tmp_path):
    with gzip.open(tmp_path / "a.gz", "wb") as f:
        f.write(b"hello world")
    with pytest.raises(ValueError, match="not an IDX header"):
        datasets.read_idx(tmp_path / "a.gz")


def test_read_idx_not_gzip_raises(tmp_path):
    (tmp_path / "a.gz").write_bytes(b"\x00\x00\x08\x01plain")
    with pytest.raises(ValueError, match="not a complete gzip file"):
        datasets.read_idx(tmp_path / "a.gz")
