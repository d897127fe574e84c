"""The CNN example scripts (examples/cnn_*.py) and ``groundup demo --model cnn``, run
in-process at reduced sizes: each trains for real, beside PyTorch where ``--compare`` asks."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import tarfile
from pathlib import Path

import numpy as np
import pytest

from groundup import cli
from groundup.data import datasets as ds

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def one_thread():
    """One BLAS thread and one PyTorch thread: with pytest -n 2 on few cores, spare threads
    only spin and wait for each other (a 2-4x slowdown of these small GEMMs)."""
    import torch

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # installed with scikit-learn (a dev dependency); without it, no limit
        blas = contextlib.nullcontext()
    else:
        blas = threadpool_limits(limits=1, user_api="blas")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with blas:
        yield
    torch.set_num_threads(threads)


@pytest.fixture
def examples(monkeypatch):
    """Import an example script by name, as ``python examples/<name>.py`` would find it."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module


@pytest.fixture
def groundup_data() -> str:
    """The real data folder; skip only when GROUNDUP_DATA is unset."""
    value = os.environ.get("GROUNDUP_DATA")
    if not value:
        pytest.skip("GROUNDUP_DATA is not set")
    return value


def test_cnn_mnist_matches_torch_step_for_step(groundup_data, examples, capsys):
    args = ["--epochs", "1", "--limit", "4096", "--test-limit", "1000", "--compare"]
    results = examples("cnn_mnist").main(args)
    gu_h, torch_h = results["groundup"], results["torch"]
    # LeNet-5 has no dropout: same init, same batches, so the runs differ only by float32
    # rounding (summation order inside the GEMMs) over 64 Adam steps.
    np.testing.assert_allclose(gu_h["loss"], torch_h["loss"], rtol=2e-3)
    assert abs(gu_h["test_accuracy"] - torch_h["test_accuracy"]) <= 0.005
    assert gu_h["test_accuracy"] >= 0.75  # 4,096 images, one epoch: 83.8%
    out = capsys.readouterr().out
    assert re.search(r"^groundup epoch 1/1: loss \d\.\d{4}, test accuracy \d+\.\d\d%", out, re.M)
    assert re.search(r"^groundup - torch: [+-]\d+\.\d\d points; time ratio", out, re.M)


def test_cnn_fashion_trains_beside_torch(groundup_data, examples):
    args = ["--epochs", "1", "--limit", "3072", "--batch-size", "64", "--test-limit", "1000"]
    results = examples("cnn_fashion").main([*args, "--compare"])
    gu_h, torch_h = results["groundup"], results["torch"]
    # dropout masks differ between the libraries, so only close, not equal
    np.testing.assert_allclose(gu_h["loss"], torch_h["loss"], rtol=0.05)
    assert gu_h["test_accuracy"] >= 0.65 and torch_h["test_accuracy"] >= 0.65  # both 76%
    assert abs(gu_h["test_accuracy"] - torch_h["test_accuracy"]) <= 0.04


PALETTE = np.array(
    [[230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48],
     [145, 30, 180], [70, 240, 240], [240, 50, 230], [128, 128, 0], [0, 0, 128]],
)  # fmt: skip


def _write_cifar_archive(folder: Path, n_train: int, n_test: int, seed: int = 0) -> Path:
    """cifar-10-binary.tar.gz in the official layout: a label byte, then R, G, B planes.

    Each image is its class's colour plus noise, so a CNN can learn it in a few steps."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    y = np.arange(n) % 10
    X = PALETTE[y][:, None, None, :] + rng.normal(0, 40, (n, 32, 32, 3))
    X = X.clip(0, 255).astype(np.uint8)  # (N, 32, 32, 3)
    planes = X.transpose(0, 3, 1, 2).reshape(n, -1)  # red plane, green, blue, row by row
    records = np.concatenate([y[:, None].astype(np.uint8), planes], axis=1)
    splits = np.array_split(records[:n_train], 5) + [records[n_train:]]
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    path = folder / "cifar-10-binary.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, chunk in zip(names, splits):
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = chunk.nbytes
            tar.addfile(info, io.BytesIO(chunk.tobytes()))
    return path


@pytest.fixture
def small_cifar(tmp_path, monkeypatch) -> Path:
    """A folder holding a generated 320+200-image CIFAR-10 archive, its checksum registered."""
    import hashlib

    path = _write_cifar_archive(tmp_path, 320, 200)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setitem(ds.SHA256, "cifar-10", {path.name: digest})
    return tmp_path


def test_cnn_cifar10_end_to_end_on_generated_archive(small_cifar, examples, capsys):
    args = ["--root", str(small_cifar), "--epochs", "2", "--batch-size", "32", "--compare"]
    results = examples("cnn_cifar10").main(args)
    out = capsys.readouterr().out
    for lib in ("groundup", "torch"):
        epochs = re.findall(rf"^{lib} epoch (\d)/2: .*test accuracy (\d+\.\d\d)%", out, re.M)
        assert [e for e, _ in epochs] == ["1", "2"]
        assert results[lib]["test_accuracy"] >= 0.9  # colour classes: 100% after 2 epochs
    assert "training images: 320, test images: 200" in out
    assert re.search(r"^groundup: test accuracy \d+\.\d\d%, training \d+\.\d s", out, re.M)
    # same augmented batches for both: the first epoch's losses agree up to dropout
    np.testing.assert_allclose(results["groundup"]["loss"][0], results["torch"]["loss"][0], 0.1)


def test_cnn_cifar10_augmentation_is_vectorised_crop_and_flip(examples):
    augment = examples("cnn_cifar10").augment
    X = np.random.default_rng(0).standard_normal((16, 3, 32, 32)).astype(np.float32)
    out = augment(X, np.random.default_rng(1))
    assert out.shape == X.shape and out.dtype == np.float32
    assert not np.array_equal(out, X)
    # some rows were shifted in from the zero padding
    assert (out == 0).all(axis=(1, 3)).any()


def test_cnn_examples_reject_zero_limit(examples):
    with pytest.raises(SystemExit, match="--limit must be >= 1, got 0"):
        examples("cnn_mnist").main(["--limit", "0"])


def test_cnn_demo_without_mnist_trains_on_upscaled_digits(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GROUNDUP_DATA", raising=False)
    monkeypatch.setenv("GROUNDUP_CACHE", str(tmp_path))  # empty cache
    monkeypatch.setenv("GROUNDUP_MNIST_URL", "http://127.0.0.1:9/")  # nothing listens there
    path = tmp_path / "lenet.safetensors"
    argv = ["demo", "--model", "cnn", "--epochs", "1", "--no-progress", "--save", str(path)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert sum("MNIST unavailable" in line for line in out.splitlines()) == 1
    assert "(digits: batch 16, 4 epochs)" in out
    match = re.search(r"^test accuracy: (\d+\.\d)% \(digits, 360 test images\)$", out, re.M)
    assert match, out
    assert float(match.group(1)) >= 90.0  # 96.9% with seed 0
    import groundup as gu

    assert gu.load(path)["conv1.weight"].shape == (6, 1, 5, 5)
