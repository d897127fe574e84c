"""Tests of the ``groundup`` command line (groundup.cli)."""

from __future__ import annotations

import os
import re

import pytest

from groundup import cli


@pytest.fixture
def groundup_data() -> str:
    """The real data folder; skip only when GROUNDUP_DATA is unset."""
    value = os.environ.get("GROUNDUP_DATA")
    if not value:
        pytest.skip("GROUNDUP_DATA is not set")
    return value


def test_logreg_demo_one_epoch_reaches_90_percent(groundup_data, capsys):
    assert cli.main(["demo", "--model", "logreg", "--epochs", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    match = re.search(r"^test accuracy: (\d+\.\d)%$", out, re.MULTILINE)
    assert match, out
    assert float(match.group(1)) >= 90.0
    assert re.search(r"^wall time: \d+\.\d s", out, re.MULTILINE)


def test_logreg_demo_without_data_prints_one_line_and_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GROUNDUP_DATA", str(tmp_path))  # an empty folder: files are missing
    assert cli.main(["demo", "--model", "logreg", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("groundup demo: could not load MNIST: GROUNDUP_DATA=")


def test_main_requires_a_command(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([])
    assert info.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_demo_rejects_zero_epochs(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "--epochs", "0"])
    assert info.value.code == 2
    assert "expected an integer >= 1, got 0" in capsys.readouterr().err


def _accuracy(out: str) -> tuple[float, str]:
    match = re.search(r"^test accuracy: (\d+\.\d)% \((\w+), ", out, re.MULTILINE)
    assert match, out
    return float(match.group(1)), match.group(2)


def test_mlp_demo_one_epoch_on_mnist(groundup_data, tmp_path, capsys):
    import groundup as gu

    path = tmp_path / "mlp.safetensors"
    assert cli.main(["demo", "--epochs", "1", "--no-progress", "--save", str(path)]) == 0
    accuracy, dataset = _accuracy(capsys.readouterr().out)
    assert dataset == "MNIST"
    assert accuracy >= 94.0  # one epoch of the 12-epoch recipe (dropout on): 95.1% with seed 0
    state = gu.load(path)
    assert state["0.weight"].shape == (256, 784)
    assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]


def test_mlp_demo_without_mnist_trains_on_bundled_digits(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GROUNDUP_DATA", raising=False)
    monkeypatch.setenv("GROUNDUP_CACHE", str(tmp_path))  # empty cache
    monkeypatch.setenv("GROUNDUP_MNIST_URL", "http://127.0.0.1:9/")  # nothing listens there
    assert cli.main(["demo", "--no-progress"]) == 0
    out = capsys.readouterr().out
    unavailable = [line for line in out.splitlines() if "MNIST unavailable" in line]
    assert len(unavailable) == 1
    accuracy, dataset = _accuracy(out)
    assert dataset == "digits"
    assert accuracy >= 95.0  # 97.5% with seed 0
