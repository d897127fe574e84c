"""Loaders of CIFAR-10, Tiny Shakespeare, Cora and the bundled digits.

Real files from GROUNDUP_DATA where it holds them (skipped only when the variable is unset);
generated files in the real formats, downloaded from a local HTTP server, for the rest.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest
from data_helpers import dead_url, serve, sha256

from groundup.data import (
    CIFAR10_CLASSES,
    ChecksumError,
    CoraGraph,
    load_cifar10,
    load_cora,
    load_digits,
    load_shakespeare,
)
from groundup.data import datasets as ds

# ---------------------------------------------------------------- fixtures


@pytest.fixture
def groundup_data() -> Path:
    """The real data folder; skip only when GROUNDUP_DATA is unset."""
    value = os.environ.get("GROUNDUP_DATA")
    if not value:
        pytest.skip("GROUNDUP_DATA is not set")
    return Path(value)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """No GROUNDUP_DATA, no mirror variables, an empty cache folder."""
    monkeypatch.delenv("GROUNDUP_DATA", raising=False)
    for name in ("CIFAR10", "SHAKESPEARE", "CORA"):
        monkeypatch.delenv(f"GROUNDUP_{name}_URL", raising=False)
    monkeypatch.setenv("GROUNDUP_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def add_file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def cifar_record(label: int, image: np.ndarray) -> bytes:
    """One record: the label byte, then the red, green and blue 32x32 planes, row by row."""
    return bytes([label]) + b"".join(image[:, :, c].tobytes() for c in range(3))


@pytest.fixture
def small_cifar(tmp_path, monkeypatch) -> dict:
    """A CIFAR-10 archive with 10 train and 4 test images, registered as the true checksum."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (14, 32, 32, 3), dtype=np.uint8)
    y = rng.integers(0, 10, 14)
    folder = tmp_path / "mirror"
    folder.mkdir()
    path = folder / "cifar-10-binary.tar.gz"
    bounds = [0, 2, 5, 6, 8, 10]  # five train batches of uneven sizes
    with tarfile.open(path, "w:gz") as tar:
        for i in range(5):
            rows = range(bounds[i], bounds[i + 1])
            data = b"".join(cifar_record(int(y[n]), X[n]) for n in rows)
            add_file(tar, f"cifar-10-batches-bin/data_batch_{i + 1}.bin", data)
        data = b"".join(cifar_record(int(y[n]), X[n]) for n in range(10, 14))
        add_file(tar, "cifar-10-batches-bin/test_batch.bin", data)
        add_file(tar, "cifar-10-batches-bin/batches.meta.txt", "\n".join(CIFAR10_CLASSES).encode())
    monkeypatch.setitem(ds.SHA256, "cifar-10", {path.name: sha256(path)})
    return {"folder": folder, "path": path, "X": X, "y": y}


# ---------------------------------------------------------------- CIFAR-10


def test_cifar_record_layout_is_rgb_planes():
    image = np.zeros((32, 32, 3), np.uint8)
    image[..., 0], image[..., 1], image[..., 2] = 1, 2, 3
    image[0, 1, 0] = 200
    record = cifar_record(7, image)
    assert len(record) == 3073 and record[0] == 7
    assert record[1:3] == bytes([1, 200]) and record[1025] == 2 and record[2049] == 3


def test_load_cifar10_downloads_parses_and_caches(cache, small_cifar):
    with serve(small_cifar["folder"]) as (url, requests):
        (X_train, y_train), (X_test, y_test) = load_cifar10(url=url)
        assert requests == ["/cifar-10-binary.tar.gz"]
        load_cifar10(url=url)  # second call: from the cache
        assert len(requests) == 1
    assert X_train.shape == (10, 32, 32, 3) and X_test.shape == (4, 32, 32, 3)
    assert X_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert X_train.flags.c_contiguous
    np.testing.assert_array_equal(X_train, small_cifar["X"][:10])
    np.testing.assert_array_equal(X_test, small_cifar["X"][10:])
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), small_cifar["y"])
    assert sorted(p.name for p in (cache / "cifar-10").iterdir()) == ["cifar-10-binary.tar.gz"]


def test_load_cifar10_wrong_checksum_leaves_no_file(cache, small_cifar, monkeypatch):
    monkeypatch.setitem(ds.SHA256, "cifar-10", {"cifar-10-binary.tar.gz": "0" * 64})
    with serve(small_cifar["folder"]) as (url, _), pytest.raises(ChecksumError, match="SHA-256"):
        load_cifar10(url=url)
    assert list((cache / "cifar-10").iterdir()) == []


def test_load_cifar10_truncated_download_raises(cache, small_cifar):
    truncate = {"cifar-10-binary.tar.gz"}
    match = "could not download .*cifar-10-binary.tar.gz"
    with serve(small_cifar["folder"], truncate) as (url, _), pytest.raises(OSError, match=match):
        load_cifar10(url=url)
    assert list((cache / "cifar-10").iterdir()) == []


def test_load_cifar10_offline_says_where_to_place_the_file(cache):
    with pytest.raises(OSError) as info:
        load_cifar10(url=dead_url())
    message = str(info.value)
    assert "load_cifar10: could not download" in message
    assert f"place cifar-10-binary.tar.gz in {cache / 'cifar-10'}" in message
    assert "root=" in message and "$GROUNDUP_DATA/cifar-10/" in message


def test_load_cifar10_groundup_data_missing_raises_without_download(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("GROUNDUP_DATA", str(tmp_path / "data"))
    with pytest.raises(FileNotFoundError, match="GROUNDUP_DATA=.* is set, but .*cifar-10"):
        load_cifar10(url=dead_url())
    assert not cache.exists()


def test_load_cifar10_root_with_bad_batch_raises(cache, tmp_path, monkeypatch):
    root = tmp_path / "root"
    root.mkdir()
    path = root / "cifar-10-binary.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for i in range(1, 6):
            add_file(tar, f"cifar-10-batches-bin/data_batch_{i}.bin", bytes(3073))
        add_file(tar, "cifar-10-batches-bin/test_batch.bin", bytes(3073 + 100))
    monkeypatch.setitem(ds.SHA256, "cifar-10", {path.name: sha256(path)})
    with pytest.raises(ValueError, match="test_batch.bin .* holds 3173 bytes, not a whole number"):
        load_cifar10(root=root, download=False)


def test_load_cifar10_archive_without_batches_raises(cache, tmp_path, monkeypatch):
    path = tmp_path / "cifar-10-binary.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        add_file(tar, "cifar-10-batches-py/data_batch_1", b"pickle")  # the python version
    monkeypatch.setitem(ds.SHA256, "cifar-10", {path.name: sha256(path)})
    with pytest.raises(ValueError, match="has no file cifar-10-batches-bin/data_batch_1.bin"):
        load_cifar10(root=tmp_path)


def test_load_cifar10_download_false_names_the_file(cache):
    with pytest.raises(FileNotFoundError, match="download=False.*cifar-10-binary.tar.gz"):
        load_cifar10(download=False)


# ---------------------------------------------------------------- Tiny Shakespeare


def test_load_shakespeare_real_file(groundup_data):
    text = load_shakespeare()
    assert isinstance(text, str)
    assert len(text) == 1_115_394
    assert len(set(text)) == 65
    assert text.startswith("First Citizen:\n")


def test_load_shakespeare_downloads_from_mirror(cache, tmp_path, monkeypatch):
    folder = tmp_path / "mirror"
    folder.mkdir()
    (folder / "input.txt").write_text("First Citizen:\nSpeak, speak.\n")
    monkeypatch.setitem(ds.SHA256, "shakespeare", {"input.txt": sha256(folder / "input.txt")})
    with serve(folder) as (url, _):
        monkeypatch.setenv("GROUNDUP_SHAKESPEARE_URL", url)
        assert load_shakespeare() == "First Citizen:\nSpeak, speak.\n"
    assert (cache / "shakespeare" / "input.txt").is_file()


def test_load_shakespeare_corrupt_cached_file_raises(cache, monkeypatch):
    (cache / "shakespeare").mkdir(parents=True)
    (cache / "shakespeare" / "input.txt").write_text("First Citizen:\n")  # truncated
    with pytest.raises(ChecksumError, match="input.txt: SHA-256 is .* Delete it"):
        load_shakespeare()


# ---------------------------------------------------------------- Cora


CORA_CLASSES = {
    "Case_Based": 298,
    "Genetic_Algorithms": 418,
    "Neural_Networks": 818,
    "Probabilistic_Methods": 426,
    "Reinforcement_Learning": 217,
    "Rule_Learning": 180,
    "Theory": 351,
}


def test_load_cora_real_files(groundup_data):
    cora = load_cora()
    assert isinstance(cora, CoraGraph)
    assert cora.features.shape == (2708, 1433) and cora.features.dtype == np.float32
    assert set(np.unique(cora.features).tolist()) == {0.0, 1.0}
    assert cora.labels.shape == (2708,) and cora.labels.dtype == np.int64
    assert cora.class_names == tuple(sorted(CORA_CLASSES))
    assert np.bincount(cora.labels).tolist() == [CORA_CLASSES[c] for c in cora.class_names]
    assert cora.edges.shape == (5429, 2) and cora.edges.dtype == np.int64
    assert cora.edges.min() >= 0 and cora.edges.max() < 2708
    assert not (cora.edges[:, 0] == cora.edges[:, 1]).any()
    assert len(np.unique(np.sort(cora.edges, axis=1), axis=0)) == 5278
    assert cora.paper_ids[0] == 31336 and cora.class_names[cora.labels[0]] == "Neural_Networks"
    # the first line of cora.cites is "35\t1033": (cited, citing) as node indices
    assert cora.paper_ids[cora.edges[0]].tolist() == [35, 1033]


def write_cora(folder: Path, gz: bool = False) -> None:
    content = (
        "10\t0\t1\t0\tTheory\n"
        "20\t1\t1\t0\tCase_Based\n"
        "30\t0\t0\t1\tTheory\n"
        "40\t1\t0\t1\tNeural_Networks\n"
    )
    cites = "10\t20\n30\t20\n10\t40\n40\t10\n"
    for name, text in (("cora.content", content), ("cora.cites", cites)):
        if gz:
            with gzip.open(folder / (name + ".gz"), "wt") as f:
                f.write(text)
        else:
            (folder / name).write_text(text)


@pytest.fixture
def small_cora(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "mirror"
    folder.mkdir()
    write_cora(folder)
    sums = {name: sha256(folder / name) for name in ("cora.content", "cora.cites")}
    monkeypatch.setitem(ds.SHA256, "cora", sums)
    return folder


def check_small_cora(cora: CoraGraph) -> None:
    assert cora.class_names == ("Case_Based", "Neural_Networks", "Theory")
    assert cora.labels.tolist() == [2, 0, 2, 1]
    assert cora.features.tolist() == [[0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1]]
    assert cora.edges.tolist() == [[0, 1], [2, 1], [0, 3], [3, 0]]
    assert cora.paper_ids.tolist() == [10, 20, 30, 40]


def test_load_cora_downloads_plain_files(cache, small_cora):
    with serve(small_cora) as (url, requests):
        check_small_cora(load_cora(url=url))
    assert sorted(requests) == ["/cora.cites", "/cora.content"]


def test_load_cora_reads_gzipped_copies_checked_unpacked(cache, small_cora, tmp_path):
    root = tmp_path / "gz"
    root.mkdir()
    write_cora(root, gz=True)
    check_small_cora(load_cora(root=root, download=False))


def test_load_cora_truncated_gzip_raises(cache, small_cora, tmp_path):
    root = tmp_path / "gz"
    root.mkdir()
    write_cora(root, gz=True)
    data = (root / "cora.content.gz").read_bytes()
    (root / "cora.content.gz").write_bytes(data[:-10])
    with pytest.raises(ChecksumError, match="cora.content.gz is not a complete gzip file"):
        load_cora(root=root, download=False)


def test_load_cora_unknown_paper_raises(cache, small_cora, monkeypatch):
    (small_cora / "cora.cites").write_text("10\t20\n99\t20\n")
    monkeypatch.setitem(ds.SHA256["cora"], "cora.cites", sha256(small_cora / "cora.cites"))
    with pytest.raises(ValueError, match="cites paper 99, which cora.content lacks"):
        load_cora(root=small_cora)


def test_load_cora_ragged_content_raises(cache, small_cora, monkeypatch):
    path = small_cora / "cora.content"
    path.write_text(path.read_text().replace("30\t0\t0\t1", "30\t0\t1"))
    monkeypatch.setitem(ds.SHA256["cora"], "cora.content", sha256(path))
    with pytest.raises(ValueError, match="line 3 of .* different number of word fields"):
        load_cora(root=small_cora)


def test_load_cora_offline_names_both_files(cache):
    with pytest.raises(OSError, match="place cora.content, cora.cites in .*cora"):
        load_cora(url=dead_url())


# ---------------------------------------------------------------- digits (bundled)


def test_load_digits_equals_sklearn(monkeypatch):
    from sklearn.datasets import load_digits as sk_load_digits

    monkeypatch.delenv("GROUNDUP_DATA", raising=False)
    X, y = load_digits()
    ref = sk_load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)
    images, _ = load_digits(as_images=True)
    np.testing.assert_array_equal(images, ref.images)
    X3, y3 = load_digits(n_class=3)
    ref3 = sk_load_digits(n_class=3)
    np.testing.assert_array_equal(X3, ref3.data)
    np.testing.assert_array_equal(y3, ref3.target)


def test_load_digits_bad_n_class_raises():
    with pytest.raises(ValueError, match="n_class must be an int in 1..10"):
        load_digits(n_class=11)


def test_digits_file_is_package_data():
    import tomllib

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["groundup.data"]
    assert "_files/*.csv.gz" in patterns
    assert (root / "src/groundup/data/_files/digits.csv.gz").is_file()
